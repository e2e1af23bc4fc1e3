"""Load the customer table with explicit types, and split off the evaluation holdout.

The columns and their meaning are described in ``data/sample/README.md`` (owned by data
engineering). Loading never guesses: every required column must be present and every value
must parse as its type, or :func:`load_customers` raises a :class:`PipelineError` naming
the file, the column and the first offending line.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import paths
from .errors import DATA_CONTRACT

ColumnType = Literal["identifier", "date", "integer", "decimal", "category", "label"]

ID_COLUMN: Final = "customer_id"
TARGET_COLUMN: Final = "churned"
SCHEMA: Final[dict[str, ColumnType]] = {
    "customer_id": "identifier",
    "signup_date": "date",
    "tenure_months": "integer",
    "monthly_charges": "decimal",
    "total_charges": "decimal",
    "contract_type": "category",
    "payment_method": "category",
    "support_tickets_90d": "integer",
    "region": "category",
    "snapshot_date": "date",
    "churned": "label",
}
# Training and evaluation need every column; scoring needs the identifier and the features.
TRAINING_COLUMNS: Final = tuple(SCHEMA)

# A customer is in the holdout when a hash of their identifier falls below this fraction, so
# the split never depends on row order and a customer stays on the same side as data grows.
HOLDOUT_FRACTION: Final = 0.25
_HOLDOUT_BUCKETS: Final = 100

_EXPECTED: Final[dict[ColumnType, str]] = {
    "identifier": "a non-empty identifier",
    "date": "a date as YYYY-MM-DD",
    "integer": "a whole number",
    "decimal": "a number",
    "category": "a non-empty value",
    "label": "0 or 1",
}


def _read_raw(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except FileNotFoundError:
        raise DATA_CONTRACT.error("DAT001", path, "file not found") from None
    except pd.errors.EmptyDataError:
        raise DATA_CONTRACT.error("DAT001", path, "file is empty (no header row)") from None
    except pd.errors.ParserError as error:
        detail = str(error).strip().splitlines()[0]
        raise DATA_CONTRACT.error("DAT001", path, f"not a valid CSV file ({detail})") from None
    except UnicodeDecodeError:
        raise DATA_CONTRACT.error("DAT001", path, "not UTF-8 text") from None
    except OSError as error:
        raise DATA_CONTRACT.error("DAT001", path, f"cannot be read ({error.strerror})") from None


def _parse(values: pd.Series[str], column_type: ColumnType) -> tuple[pd.Series, pd.Series[bool]]:
    """Convert text to the column's type; return the converted values and a mask of bad ones."""
    text = values.str.strip()
    empty = text == ""
    if column_type == "integer":
        numbers = pd.to_numeric(text, errors="coerce")
        bad = empty | numbers.isna() | (numbers.fillna(0) % 1 != 0)
        return numbers.where(~bad, 0).astype("int64"), bad
    if column_type == "decimal":
        numbers = pd.to_numeric(text, errors="coerce").astype("float64")
        bad = empty | ~np.isfinite(numbers)
        return numbers, bad
    if column_type == "date":
        dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        return dates, dates.isna()
    if column_type == "label":
        bad = ~text.isin(["0", "1"])
        return (text == "1").astype("int64"), bad
    return text, empty


def load_customers(
    path: Path | str = paths.SAMPLE_DATA, *, required: Sequence[str] = TRAINING_COLUMNS
) -> pd.DataFrame:
    """Load a customer CSV; the ``required`` columns are checked and converted to their types.

    Columns outside ``required`` are kept as text. Raises :class:`PipelineError` (``DAT001``
    unreadable file, ``DAT002`` missing column, ``DAT003`` a value that does not parse,
    ``DAT004`` a duplicated customer, ``DAT005`` no rows).
    """
    path = Path(path)
    raw = _read_raw(path)
    missing = [column for column in required if column not in raw.columns]
    if missing:
        names = ", ".join(repr(column) for column in missing)
        what = "required column" if len(missing) == 1 else "required columns"
        verb = "is" if len(missing) == 1 else "are"
        raise DATA_CONTRACT.error("DAT002", path, f"{what} {names} {verb} missing")
    if raw.empty:
        raise DATA_CONTRACT.error("DAT005", path, "has a header but no rows")

    frame = raw.copy()
    for column in required:
        column_type = SCHEMA.get(column, "category")
        converted, bad = _parse(raw[column], column_type)
        if bad.any():
            positions = np.flatnonzero(bad.to_numpy())
            first = int(positions[0])
            value = raw[column].iloc[first]
            shown = "an empty value" if not value.strip() else repr(value)
            others = f" (and {len(positions) - 1} more rows)" if len(positions) > 1 else ""
            raise DATA_CONTRACT.error(
                "DAT003",
                path,
                f"column {column!r} has {shown} on line {first + 2}{others};"
                f" expected {_EXPECTED[column_type]}",
            )
        frame[column] = converted

    if ID_COLUMN in required:
        duplicated = frame[ID_COLUMN].duplicated(keep=False)
        if duplicated.any():
            positions = np.flatnonzero(duplicated.to_numpy())
            customer = frame[ID_COLUMN].iloc[int(positions[0])]
            lines = [
                str(int(p) + 2) for p in positions if frame[ID_COLUMN].iloc[int(p)] == customer
            ]
            raise DATA_CONTRACT.error(
                "DAT004",
                path,
                f"{ID_COLUMN} {customer!r} appears more than once (lines {', '.join(lines)})",
            )
    return frame


def holdout_mask(ids: pd.Series[str], fraction: float = HOLDOUT_FRACTION) -> npt.NDArray[np.bool_]:
    """True for the customers whose identifier hashes into the evaluation holdout."""
    cutoff = math.floor(fraction * _HOLDOUT_BUCKETS)
    buckets = [
        int(hashlib.sha256(str(customer).encode()).hexdigest()[:8], 16) % _HOLDOUT_BUCKETS
        for customer in ids
    ]
    return np.asarray(buckets, dtype=np.int64) < cutoff


def split_holdout(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split into (training, holdout) by customer; the same data always splits the same way."""
    in_holdout = holdout_mask(frame[ID_COLUMN])
    return frame.loc[~in_holdout], frame.loc[in_holdout]
