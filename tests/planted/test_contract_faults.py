"""Planted data-contract faults: bad data, an invalid contract, unannounced breaking changes.

One default render is committed on `main`, and `tox -e contracts` is green on it. Each fault
changes the working tree (the committed contract stays the comparison base), runs the
command that `tox -e contracts` runs, in that environment (tox itself adds seconds per run
and is exercised once, on a planted fault), and requires the specific finding; the project
is restored afterwards.
Each breaking change runs twice: without a version bump it is refused with DC030; with the
major version bumped the breaking-change gate accepts it (the data check is left out there,
since a real breaking change ships with data to match).

The reference tool, `datacontract test` from the project's `contract-reference`
environment, judges the same data faults from outside: those it can read in one sample
together (each of its checks reports on its own), the two that stop it from reading the
sample each alone. It measures freshness against its
clock, so it runs under faketime at noon on the day the sample declares it was taken (its
`asOf`): the clean sample passes on any real day, the stale-data fault still fails, and a
day after the SLA has run out the clean sample fails too (the tool follows the faked clock).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from ml_platform_kit import cli
from tests.generated.clock import at_noon, clock_env, tox_with_clock, with_clock
from tests.planted.support import Plant, edit, prepared_project, restore, tox_with_fault
from tests.support import (
    RenderFn,
    read_answers,
    run_tox,
    tail,
)

pytestmark = pytest.mark.slow

PACKAGE = "customer_churn_model"  # the default answer
SAMPLE = "data/sample/customers.csv"
CONTRACT = "contracts/customers.odcs.yaml"


def _both(*plants: Plant) -> Plant:
    def plant(project: Path) -> None:
        for each in plants:
            each(project)

    return plant


def _rewrite_sample(change: Callable[[list[str], list[list[str]]], None]) -> Plant:
    """Change the sample's header and rows (cells as lists) in place."""

    def plant(project: Path) -> None:
        path = project / SAMPLE
        header, *lines = path.read_text(encoding="utf-8").splitlines()
        columns = header.split(",")
        rows = [line.split(",") for line in lines]
        change(columns, rows)
        text = "\n".join(",".join(cells) for cells in [columns, *rows])
        path.write_text(text + "\n", encoding="utf-8")

    return plant


def _cell(column: str, row: int, value: str) -> Plant:
    def change(columns: list[str], rows: list[list[str]]) -> None:
        rows[row][columns.index(column)] = value

    return _rewrite_sample(change)


def _every_row(column: str, value: str) -> Plant:
    def change(columns: list[str], rows: list[list[str]]) -> None:
        for cells in rows:
            cells[columns.index(column)] = value

    return _rewrite_sample(change)


def _drop_column(column: str) -> Plant:
    def change(columns: list[str], rows: list[list[str]]) -> None:
        index = columns.index(column)
        for cells in [columns, *rows]:
            del cells[index]

    return _rewrite_sample(change)


def _duplicate_first_customer(columns: list[str], rows: list[list[str]]) -> None:
    index = columns.index("customer_id")
    rows[5][index] = rows[0][index]


@dataclass(frozen=True)
class Fault:
    name: str
    plant: Plant
    expected: tuple[str, ...]  # `{answer}` placeholders are filled from .copier-answers.yml
    reference: tuple[str, ...] = ()  # what the reference tool, `datacontract test`, says
    unreadable: bool = False  # the reference tool cannot read such a sample: it checks no more


OWNER = "owner: {team_data_engineering}"
DATA_FAULTS = [
    Fault(
        "null-in-required-column",
        _cell("region", 3, ""),
        ("DC004", SAMPLE, "customers.region", "required (no empty values)", "(line 5)", OWNER),
        ("region has no missing values", "missing_count(region) was 1"),
    ),
    Fault(
        "value-out-of-range",
        _cell("tenure_months", 7, "-3"),
        ("DC005", "customers.tenure_months", "'minimum 0'", "-3 (line 9)", OWNER),
        ("tenure_months has a minimum of 0", "invalid_count(tenure_months) was 1"),
    ),
    Fault(
        "value-outside-allowed-list",
        _cell("contract_type", 2, "weekly"),
        ("DC006", "customers.contract_type", "one of: month-to-month", "'weekly' (line 4)", OWNER),
        ("contract_type only contains enum values", "invalid_count(contract_type) was 1"),
    ),
    Fault(
        "duplicate-key",
        _rewrite_sample(_duplicate_first_customer),
        ("DC007", "customers.customer_id", "'unique'", "(line 2)", "(line 7)", OWNER),
        ("customer_id has no duplicate values", "duplicate_count(customer_id) was 1"),
    ),
    Fault(
        "wrong-type",
        _cell("monthly_charges", 10, "forty"),
        ("DC003", "customers.monthly_charges", "'type number'", "'forty' (line 12)", OWNER),
        ("Conversion Error: CSV Error on Line: 12",),
        unreadable=True,
    ),
    Fault(
        "missing-column",
        _drop_column("support_tickets_90d"),
        ("DC002", "lacks 'support_tickets_90d', which the contract requires", OWNER),
        ("Required column 'support_tickets_90d' is missing",),
        unreadable=True,
    ),
    Fault(
        "stale-data",
        _every_row("snapshot_date", "2026-08-01"),
        ("DC010", "customers.snapshot_date is stale", "92 days old on 2026-11-01", OWNER),
        ("Freshness of customers.snapshot_date < 35d", "exceeds the threshold of 3024000s"),
    ),
]
CONTRACT_FAULTS = [
    Fault(
        "unknown-key",
        edit(CONTRACT, "status: active\n", "status: active\nowner_team: data\n"),
        ("DC021", CONTRACT, "'owner_team' was unexpected", "docs/data-contracts.md#dc021"),
    ),
    Fault(
        "wrong-type-name",
        edit(CONTRACT, "logicalType: number", "logicalType: decimal"),
        ("DC021", "schema[0].properties[3].logicalType", "'decimal' is not one of", OWNER),
    ),
    Fault(
        "quality-rule-names-a-missing-column",
        edit(CONTRACT, "properties: [customer_id]", "properties: [customer_key]"),
        ("DC022", "schema[0].quality[1] names column 'customer_key'", OWNER),
    ),
]


def _remove_property(name: str) -> Plant:
    """Delete one column's block from the contract's properties."""

    def plant(project: Path) -> None:
        path = project / CONTRACT
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        start = lines.index(f"      - name: {name}\n")
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("      - "))
        path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")

    return plant


BREAKING_CHANGES = [
    Fault(
        "removed-column",
        _remove_property("signup_date"),
        ("DC030", "column 'signup_date' was removed or renamed", OWNER),
    ),
    Fault(
        "renamed-column",
        edit(CONTRACT, "      - name: region\n", "      - name: sales_region\n"),
        ("DC030", "column 'region' was removed or renamed", OWNER),
    ),
    Fault(
        "narrowed-type",
        edit(
            CONTRACT,
            "      - name: monthly_charges\n        logicalType: number",
            "      - name: monthly_charges\n        logicalType: integer",
        ),
        ("DC030", "column 'monthly_charges' type narrowed from number to integer", OWNER),
    ),
    Fault(
        "optional-made-required",
        edit(CONTRACT, "required: false", "required: true"),
        ("DC030", "column 'signup_date' became required", OWNER),
    ),
    Fault(
        "tightened-range",
        edit(CONTRACT, "maximum: 600", "maximum: 120"),
        ("DC030", "column 'tenure_months' maximum tightened from 600 to 120", OWNER),
    ),
    Fault(
        "tightened-allowed-values",
        edit(CONTRACT, "          - value: mailed-check\n", ""),
        ("DC030", "column 'payment_method' no longer allows mailed-check", OWNER),
    ),
]
MAJOR_BUMP = edit(CONTRACT, "version: 1.0.0", "version: 2.0.0")


@pytest.fixture(scope="module")
def contract_project(
    render: RenderFn, python_path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """A default render committed on main, with its `contracts` environment built and green
    (and `contract-reference`, the reference tool's, built)."""
    project, path = prepared_project(
        render, python_path, tmp_path_factory, "contracts", "contracts,contract-reference"
    )
    setup = run_tox(project, path, "-e", "contracts")
    assert setup.returncode == 0, f"a clean render fails tox -e contracts\n{tail(setup.output)}"
    return project, path


@dataclass(frozen=True)
class Check:
    returncode: int
    output: str


def _run_with(project: Path, plant: Plant, *args: str) -> Check:
    """Plant, run the contract check as `tox -e contracts` does (base: main), restore.

    In this process, through the kit's `main`, which the project's `ml-platform` command
    calls: a new interpreter (and pandas) for each fault would prove nothing more. The
    wiring through tox is `test_tox_contracts_fails_on_a_planted_fault`'s.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    plant(project)
    try:
        with (
            contextlib.chdir(project),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            code = cli.main(["contracts", "--base", "main", *args])
    finally:
        restore(project)
    return Check(code, stdout.getvalue() + stderr.getvalue())


def _assert_refused(project: Path, check: Check, fault: Fault) -> None:
    assert check.returncode != 0, f"{fault.name}: the check passed\n{tail(check.output)}"
    expected = [text.format(**read_answers(project)) for text in fault.expected]
    missing = [text for text in expected if text not in check.output]
    assert not missing, f"{fault.name}: the failure does not say {missing}\n{tail(check.output)}"
    assert "Traceback" not in check.output


@pytest.mark.parametrize("fault", DATA_FAULTS + CONTRACT_FAULTS, ids=lambda fault: fault.name)
def test_contracts_check_refuses_planted_fault(
    contract_project: tuple[Path, str], fault: Fault
) -> None:
    project, _ = contract_project
    _assert_refused(project, _run_with(project, fault.plant), fault)


@pytest.mark.parametrize("fault", BREAKING_CHANGES, ids=lambda fault: fault.name)
def test_breaking_change_without_major_bump_is_refused(
    contract_project: tuple[Path, str], fault: Fault
) -> None:
    project, _ = contract_project
    _assert_refused(project, _run_with(project, fault.plant, "--no-data"), fault)


@pytest.mark.parametrize("fault", BREAKING_CHANGES, ids=lambda fault: fault.name)
def test_same_breaking_change_with_major_bump_passes(
    contract_project: tuple[Path, str], fault: Fault
) -> None:
    project, _ = contract_project
    check = _run_with(project, _both(fault.plant, MAJOR_BUMP), "--no-data")
    assert check.returncode == 0, f"{fault.name} with a major bump\n{tail(check.output)}"


def test_additive_change_passes_without_major_bump(contract_project: tuple[Path, str]) -> None:
    project, _ = contract_project
    widen = _both(
        edit(CONTRACT, "maximum: 600", "maximum: 900"),
        edit(CONTRACT, "version: 1.0.0", "version: 1.1.0"),
    )
    check = _run_with(project, widen)
    assert check.returncode == 0, f"a widened range was refused\n{tail(check.output)}"


def test_tox_contracts_fails_on_a_planted_fault(contract_project: tuple[Path, str]) -> None:
    """The wiring: tox runs the check against main and fails with its findings."""
    project, path = contract_project
    fault = BREAKING_CHANGES[0]
    tox = tox_with_fault(project, path, fault.plant, "-e", "contracts")
    _assert_refused(project, Check(tox.returncode, tox.output), fault)


def test_training_refuses_bad_data_and_writes_nothing(contract_project: tuple[Path, str]) -> None:
    project, _ = contract_project
    python = project / ".tox" / "contracts" / "bin" / "python"
    _cell("tenure_months", 7, "-3")(project)
    try:
        train = subprocess.run(
            [str(python), "-m", f"{PACKAGE}.train"],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        leftovers = [p for p in (project / "models", project / "reports") if p.exists()]
    finally:
        restore(project)
    assert train.returncode == 1, train.stderr
    assert train.stderr.startswith("DC005 data/sample/customers.csv: customers.tenure_months")
    assert "Traceback" not in train.stderr
    assert not leftovers, f"training wrote {leftovers} from refused data"


def test_missing_target_branch_is_a_finding_not_a_silent_pass(
    contract_project: tuple[Path, str],
) -> None:
    project, _ = contract_project
    check = _run_with(project, lambda _: None, "--base", "release-2027")
    assert check.returncode != 0, check.output
    assert "DC031" in check.output
    assert "neither 'release-2027' nor 'origin/release-2027' exists" in check.output


# --- the reference tool, datacontract-cli ------------------------------------------------------


def _sample_server(project: Path) -> tuple[dt.date, int]:
    """The day the sample declares it was taken (asOf) and the freshness SLA in days."""
    contract = yaml.safe_load((project / CONTRACT).read_text(encoding="utf-8"))
    (server,) = [s for s in contract["servers"] if s["server"] == "sample"]
    (as_of,) = [c["value"] for c in server["customProperties"] if c["property"] == "asOf"]
    (sla,) = [s for s in contract["slaProperties"] if s["property"] == "freshness"]
    assert sla["unit"] == "d", sla
    return dt.date.fromisoformat(as_of), int(sla["value"])


def _unsaid(output: str, texts: tuple[str, ...]) -> list[str]:
    """The texts the reference tool's report lacks (it wraps long lines at word breaks)."""
    flat = " ".join(output.split())
    return [text for text in texts if " ".join(text.split()) not in flat]


def _reference_test(project: Path, plant: Plant, day: dt.date) -> Check:
    """Plant, run `datacontract test` on the sample (every check) with the clock at `day`."""
    datacontract = project / ".tox" / "contract-reference" / "bin" / "datacontract"
    command = with_clock(at_noon(day), [datacontract, "test", "--server", "sample", CONTRACT])
    plant(project)
    try:
        run = subprocess.run(
            command,
            cwd=project,
            env=clock_env(COLUMNS="240"),  # the tool's report, unwrapped
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        restore(project)
    return Check(run.returncode, run.stdout + run.stderr)


def test_reference_tool_passes_the_clean_sample_on_the_day_it_declares(
    contract_project: tuple[Path, str],
) -> None:
    project, _ = contract_project
    as_of, _ = _sample_server(project)
    check = _reference_test(project, lambda _: None, as_of)
    assert check.returncode == 0, f"datacontract test on {as_of}\n{tail(check.output)}"
    assert "Data contract is valid" in check.output, tail(check.output)
    assert "Freshness of customers.snapshot_date" in check.output, "freshness was not checked"


def test_reference_tool_measures_freshness_on_the_faked_clock(
    contract_project: tuple[Path, str],
) -> None:
    """A day after the SLA has run out, the clean sample is stale for the reference tool."""
    project, _ = contract_project
    as_of, sla_days = _sample_server(project)
    check = _reference_test(project, lambda _: None, as_of + dt.timedelta(days=sla_days + 1))
    assert check.returncode != 0, tail(check.output)
    assert "Freshness of customers.snapshot_date" in check.output, tail(check.output)
    assert f"exceeds the threshold of {sla_days * 86400}s" in check.output, tail(check.output)


def test_every_data_fault_says_what_the_reference_tool_reports() -> None:
    unsaid = [fault.name for fault in DATA_FAULTS if not fault.reference]
    assert not unsaid, f"say what the reference tool reports for {unsaid}"


def test_reference_tool_refuses_each_planted_data_fault_of_one_sample(
    contract_project: tuple[Path, str],
) -> None:
    """The faults it can read, planted together: each check reports on its own, and the
    clean sample passes, so each finding is its fault's (one run instead of one each)."""
    project, _ = contract_project
    as_of, _ = _sample_server(project)
    readable = [fault for fault in DATA_FAULTS if not fault.unreadable]
    check = _reference_test(project, _both(*(fault.plant for fault in readable)), as_of)
    assert check.returncode != 0, f"datacontract test passed\n{tail(check.output)}"
    unsaid = {fault.name: _unsaid(check.output, fault.reference) for fault in readable}
    missing = {name: texts for name, texts in unsaid.items() if texts}
    assert not missing, f"datacontract test does not say {missing}\n{check.output}"


@pytest.mark.parametrize(
    "fault", [fault for fault in DATA_FAULTS if fault.unreadable], ids=lambda fault: fault.name
)
def test_reference_tool_refuses_a_sample_it_cannot_read(
    contract_project: tuple[Path, str], fault: Fault
) -> None:
    project, _ = contract_project
    as_of, _ = _sample_server(project)
    check = _reference_test(project, fault.plant, as_of)
    assert check.returncode != 0, f"{fault.name}: datacontract test passed\n{tail(check.output)}"
    missing = _unsaid(check.output, fault.reference)
    assert not missing, f"{fault.name}: datacontract test does not say {missing}\n{check.output}"


def test_tox_contract_reference_is_green_years_ahead_and_fails_on_bad_data(
    contract_project: tuple[Path, str],
) -> None:
    """The environment's own commands leave freshness to DC010, so no day can turn it red;
    bad data does."""
    project, path = contract_project
    ahead = tox_with_clock(project, path, "+800d", "run", ["contract-reference"])
    assert ahead.returncode == 0, f"tox -e contract-reference, 800 days ahead\n{tail(ahead.output)}"
    _, _, test = ahead.output.partition("datacontract test --server sample --checks properties")
    assert "Data contract is valid" in test, tail(ahead.output)
    assert "Freshness" not in test, "freshness is DC010's, not contract-reference's"

    fault = DATA_FAULTS[1]  # value-out-of-range
    bad = tox_with_fault(project, path, fault.plant, "-e", "contract-reference")
    assert bad.returncode != 0, f"{fault.name}: tox -e contract-reference passed"
    missing = _unsaid(bad.output, fault.reference)
    assert not missing, f"{fault.name}: tox -e contract-reference does not say {missing}"
