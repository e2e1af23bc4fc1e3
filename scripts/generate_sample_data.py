"""Generate the sample customer-churn dataset that every generated project starts with.

Writes ``template/data/sample/customers.csv``: one row per customer as extracted on a single
snapshot date, with a ``churned`` label that depends plausibly on contract, tenure, charges,
support tickets and payment method, plus noise, so the example model learns something real
without the task being trivial (ROC AUC around 0.8).

The output is deterministic: a fixed seed, fixed formatting and ``\\n`` line endings, so
running the script twice gives identical bytes and a change to it shows up as a reviewable
diff of the CSV. Run it from the repository root:

    uv run --with numpy python scripts/generate_sample_data.py
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import tempfile
from pathlib import Path

import numpy as np

SEED = 20261101
ROWS = 2000
SNAPSHOT_DATE = dt.date(2026, 11, 1)
MAX_TENURE_MONTHS = 72
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parent.parent / "template" / "data" / "sample" / "customers.csv"
)

COLUMNS = (
    "customer_id",
    "signup_date",
    "tenure_months",
    "monthly_charges",
    "total_charges",
    "contract_type",
    "payment_method",
    "support_tickets_90d",
    "region",
    "snapshot_date",
    "churned",
)
CONTRACT_TYPES = ("month-to-month", "one-year", "two-year")
CONTRACT_SHARES = (0.55, 0.25, 0.20)
PAYMENT_METHODS = ("electronic-check", "credit-card", "bank-transfer", "mailed-check")
PAYMENT_SHARES = (0.34, 0.24, 0.24, 0.18)
REGIONS = ("north", "south", "east", "west")
REGION_SHARES = (0.30, 0.25, 0.25, 0.20)
# Customers on longer contracts have, on average, stayed longer (months).
MEAN_TENURE_BY_CONTRACT = {"month-to-month": 14.0, "one-year": 30.0, "two-year": 48.0}
# Log-odds contributions to churn; the intercept sets the churn rate to roughly a quarter.
CHURN_INTERCEPT = -1.7
CHURN_CONTRACT = {"month-to-month": 0.9, "one-year": -0.45, "two-year": -1.3}
CHURN_PAYMENT = {
    "electronic-check": 0.45,
    "credit-card": -0.15,
    "bank-transfer": -0.15,
    "mailed-check": 0.0,
}
CHURN_REGION = {"north": 0.0, "south": 0.1, "east": -0.05, "west": 0.15}
CHURN_PER_TENURE_MONTH = -0.035
CHURN_PER_MONTHLY_CHARGE = 0.03  # per currency unit above the mean
CHURN_PER_SUPPORT_TICKET = 0.55
CHURN_NOISE_SD = 0.5  # unobserved reasons to leave: keeps the task from being trivial


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (what a billing system calls tenure)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return months - 1 if end.day < start.day else months


def generate(rows: int = ROWS, seed: int = SEED) -> list[dict[str, str]]:
    """Return the dataset as rows of already formatted strings, in ``COLUMNS`` order."""
    rng = np.random.default_rng(seed)
    contract = rng.choice(np.array(CONTRACT_TYPES), size=rows, p=CONTRACT_SHARES)
    payment = rng.choice(np.array(PAYMENT_METHODS), size=rows, p=PAYMENT_SHARES)
    region = rng.choice(np.array(REGIONS), size=rows, p=REGION_SHARES)

    mean_tenure = np.array([MEAN_TENURE_BY_CONTRACT[str(c)] for c in contract])
    tenure_days = rng.exponential(mean_tenure * 30.44)
    tenure_days = np.minimum(tenure_days, MAX_TENURE_MONTHS * 30.44).astype(np.int64)
    signup = [SNAPSHOT_DATE - dt.timedelta(days=int(days)) for days in tenure_days]
    tenure = np.array([months_between(day, SNAPSHOT_DATE) for day in signup])

    # Charges: a base plan plus optional services; long contracts get a small discount.
    services = rng.binomial(4, 0.45, size=rows)
    discount = np.where(contract == "two-year", 0.92, np.where(contract == "one-year", 0.96, 1.0))
    monthly = (20.0 + 17.5 * services + rng.normal(0.0, 6.0, size=rows)) * discount
    monthly = np.round(np.clip(monthly, 18.25, 118.75), 2)
    # Past bills varied a little around today's price (plan changes, promotions).
    total = np.round(monthly * tenure * rng.normal(1.0, 0.04, size=rows), 2)
    total = np.maximum(total, 0.0)

    tickets_rate = 0.4 + 0.5 * (contract == "month-to-month") + 0.01 * (monthly - 20.0)
    tickets = rng.poisson(tickets_rate)

    logit = (
        CHURN_INTERCEPT
        + np.array([CHURN_CONTRACT[str(c)] for c in contract])
        + np.array([CHURN_PAYMENT[str(p)] for p in payment])
        + np.array([CHURN_REGION[str(r)] for r in region])
        + CHURN_PER_TENURE_MONTH * tenure
        + CHURN_PER_MONTHLY_CHARGE * (monthly - monthly.mean())
        + CHURN_PER_SUPPORT_TICKET * tickets
        + rng.normal(0.0, CHURN_NOISE_SD, size=rows)
    )
    churned = rng.random(rows) < 1.0 / (1.0 + np.exp(-logit))

    # Identifiers are unique but not in row order, as in an extract from a real system.
    ids = rng.choice(np.arange(100_000, 1_000_000), size=rows, replace=False)
    return [
        {
            "customer_id": f"C{ids[i]:06d}",
            "signup_date": signup[i].isoformat(),
            "tenure_months": str(int(tenure[i])),
            "monthly_charges": f"{monthly[i]:.2f}",
            "total_charges": f"{total[i]:.2f}",
            "contract_type": str(contract[i]),
            "payment_method": str(payment[i]),
            "support_tickets_90d": str(int(tickets[i])),
            "region": str(region[i]),
            "snapshot_date": SNAPSHOT_DATE.isoformat(),
            "churned": "1" if churned[i] else "0",
        }
        for i in range(rows)
    ]


def to_csv(rows: list[dict[str, str]]) -> bytes:
    """Serialise rows with a header, comma-separated, ``\\n`` line endings, UTF-8."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file next to ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="CSV file to write")
    parser.add_argument("--rows", type=int, default=ROWS, help="number of customers")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed")
    args = parser.parse_args(argv)
    rows = generate(args.rows, args.seed)
    data = to_csv(rows)
    write_atomically(args.output, data)
    churn_rate = sum(row["churned"] == "1" for row in rows) / len(rows)
    print(f"wrote {len(rows)} rows ({churn_rate:.1%} churned, {len(data):,} bytes): {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
