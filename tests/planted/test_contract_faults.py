"""Planted data-contract faults: bad data, an invalid contract, unannounced breaking changes.

One default render is committed on `main`, and `tox -e contracts` is green on it. Each fault
changes the working tree (the committed contract stays the comparison base), runs the
command that `tox -e contracts` runs, in that environment (tox itself adds seconds per run
and is exercised once, on a planted fault), and requires the specific finding; the project
is restored afterwards.
Each breaking change runs twice: without a version bump it is refused with DC030; with the
major version bumped the breaking-change gate accepts it (the data check is left out there,
since a real breaking change ships with data to match).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.planted.support import Plant, edit, prepared_project, restore
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


OWNER = "owner: {team_data_engineering}"
DATA_FAULTS = [
    Fault(
        "null-in-required-column",
        _cell("region", 3, ""),
        ("DC004", SAMPLE, "customers.region", "required (no empty values)", "(line 5)", OWNER),
    ),
    Fault(
        "value-out-of-range",
        _cell("tenure_months", 7, "-3"),
        ("DC005", "customers.tenure_months", "'minimum 0'", "-3 (line 9)", OWNER),
    ),
    Fault(
        "value-outside-allowed-list",
        _cell("contract_type", 2, "weekly"),
        ("DC006", "customers.contract_type", "one of: month-to-month", "'weekly' (line 4)", OWNER),
    ),
    Fault(
        "duplicate-key",
        _rewrite_sample(_duplicate_first_customer),
        ("DC007", "customers.customer_id", "'unique'", "(line 2)", "(line 7)", OWNER),
    ),
    Fault(
        "wrong-type",
        _cell("monthly_charges", 10, "forty"),
        ("DC003", "customers.monthly_charges", "'type number'", "'forty' (line 12)", OWNER),
    ),
    Fault(
        "missing-column",
        _drop_column("support_tickets_90d"),
        ("DC002", "lacks 'support_tickets_90d', which the contract requires", OWNER),
    ),
    Fault(
        "stale-data",
        _every_row("snapshot_date", "2026-08-01"),
        ("DC010", "customers.snapshot_date is stale", "92 days old on 2026-11-01", OWNER),
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
    """A default render committed on main, with its `contracts` environment built and green."""
    project, path = prepared_project(
        render, python_path, tmp_path_factory, "contracts", "contracts"
    )
    setup = run_tox(project, path, "-e", "contracts")
    assert setup.returncode == 0, f"a clean render fails tox -e contracts\n{tail(setup.output)}"
    return project, path


@dataclass(frozen=True)
class Check:
    returncode: int
    output: str


def _run_with(project: Path, plant: Plant, *args: str) -> Check:
    """Plant, run the contract check as `tox -e contracts` does (base: main), restore."""
    python = project / ".tox" / "contracts" / "bin" / "python"
    command = [str(python), "-m", f"{PACKAGE}.contract_check", "--base", "main", *args]
    plant(project)
    try:
        run = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    finally:
        restore(project)
    return Check(run.returncode, run.stdout + run.stderr)


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
    fault.plant(project)
    try:
        tox = run_tox(project, path, "-e", "contracts")
    finally:
        restore(project)
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
