"""Data contracts (DC001-DC010 on data, DC020-DC022 on the contract, DC030/DC031 against the
target branch): each check on a small project with one contract and its local extract."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from ml_platform_kit import cli
from ml_platform_kit.conformance import load_table
from ml_platform_kit.contract import load_contract
from ml_platform_kit.contract_check import check_contract
from ml_platform_kit.finding import Finding, PipelineError
from ml_platform_kit.project import Project

TEMPLATE = Path(__file__).resolve().parents[2] / "template"
CONTRACT = "contracts/customers.odcs.yaml"
EXTRACT = "data/sample/customers.csv"
AS_OF = dt.date(2026, 11, 1)
DATA_ENGINEERING = "@acme/data-engineering"

CONTRACT_TEXT = """\
apiVersion: v3.2.0
kind: DataContract
id: churn-customers
name: customers
version: 1.0.0
status: active
team:
  name: Data engineering
  members:
    - username: "@acme/data-engineering"
      role: owner
servers:
  - server: sample
    type: local
    format: csv
    path: data/sample/customers.csv
    customProperties:
      - property: asOf
        value: "2026-11-01"
slaProperties:
  - property: freshness
    value: 35
    unit: d
    element: customers.snapshot_date
schema:
  - name: customers
    physicalName: customers
    logicalType: object
    quality:
      - id: customers-row-count
        type: library
        metric: rowCount
        mustBeGreaterOrEqualTo: 3
      - id: customers-unique-key
        type: library
        metric: duplicateValues
        arguments:
          properties: [customer_id]
        mustBe: 0
    properties:
      - name: customer_id
        logicalType: string
        required: true
        unique: true
        logicalTypeOptions:
          pattern: "^C[0-9]{6}$"
      - name: tenure_months
        logicalType: integer
        required: true
        logicalTypeOptions:
          minimum: 0
          maximum: 600
      - name: monthly_charges
        logicalType: number
        required: true
      - name: contract_type
        logicalType: string
        required: true
        enum:
          - value: month-to-month
          - value: one-year
      - name: snapshot_date
        logicalType: date
        required: true
"""
ROWS = [
    "customer_id,tenure_months,monthly_charges,contract_type,snapshot_date",
    "C000001,1,90.5,month-to-month,2026-11-01",
    "C000002,12,70.0,one-year,2026-11-01",
    "C000003,30,45.25,month-to-month,2026-11-01",
]


@pytest.fixture
def root(project: Project) -> Path:
    """The `project` with a contract, its vendored schema and a clean local extract."""
    (project.root / "contracts/schema").mkdir(parents=True)
    shutil.copy(TEMPLATE / "contracts/schema/odcs-v3.2.0.json", project.root / "contracts/schema")
    (project.root / CONTRACT).write_text(CONTRACT_TEXT, encoding="utf-8")
    write_rows(project.root, ROWS)
    return project.root


def write_rows(root: Path, rows: list[str]) -> None:
    (root / EXTRACT).parent.mkdir(parents=True, exist_ok=True)
    (root / EXTRACT).write_text("\n".join(rows) + "\n", encoding="utf-8")


def edit(root: Path, relpath: str, old: str, new: str) -> None:
    path = root / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relpath}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(root: Path, *, base: str | None = None, data: bool = True) -> list[Finding]:
    findings, _ = check_contract(root / CONTRACT, base=base, data=data)
    return findings


def only(findings: list[Finding], code: str, where: str) -> Finding:
    """The findings are all of check `code`, on `where`, owned by data engineering."""
    assert findings, f"no {code} finding"
    assert {(f.code, f.where, f.owner) for f in findings} == {(code, where, DATA_ENGINEERING)}, [
        str(f) for f in findings
    ]
    return findings[0]


# --- DC001-DC010: data against the contract ---------------------------------------------------


def cell(row: int, column: str, value: str) -> Callable[[list[str]], list[str]]:
    def change(rows: list[str]) -> list[str]:
        header = rows[0].split(",")
        cells = rows[row].split(",")
        cells[header.index(column)] = value
        return [*rows[:row], ",".join(cells), *rows[row + 1 :]]

    return change


def drop_column(column: str) -> Callable[[list[str]], list[str]]:
    def change(rows: list[str]) -> list[str]:
        index = rows[0].split(",").index(column)
        return [",".join(c for i, c in enumerate(r.split(",")) if i != index) for r in rows]

    return change


DATA_FAULTS = [
    pytest.param(
        drop_column("tenure_months"),
        "DC002",
        "customers lacks 'tenure_months', which the contract requires",
        marks=pytest.mark.check("DC002", "fails"),
        id="DC002-missing-column",
    ),
    pytest.param(
        cell(2, "monthly_charges", "forty"),
        "DC003",
        "customers.monthly_charges breaks 'type number' in 1 row: 'forty' (line 3)",
        marks=pytest.mark.check("DC003", "fails"),
        id="DC003-wrong-type",
    ),
    pytest.param(
        cell(1, "contract_type", ""),
        "DC004",
        "customers.contract_type breaks 'required (no empty values)' in 1 row: empty (line 2)",
        marks=pytest.mark.check("DC004", "fails"),
        id="DC004-empty-required",
    ),
    pytest.param(
        cell(3, "tenure_months", "-3"),
        "DC005",
        "customers.tenure_months breaks 'minimum 0' in 1 row: -3 (line 4)",
        marks=pytest.mark.check("DC005", "fails"),
        id="DC005-out-of-range",
    ),
    pytest.param(
        cell(1, "contract_type", "weekly"),
        "DC006",
        "customers.contract_type breaks 'one of: month-to-month, one-year' in 1 row: 'weekly'",
        marks=pytest.mark.check("DC006", "fails"),
        id="DC006-not-allowed",
    ),
    pytest.param(
        cell(3, "customer_id", "C000001"),
        "DC007",
        "customers.customer_id breaks 'unique' in 2 rows: 'C000001' (line 2), 'C000001' (line 4)",
        marks=pytest.mark.check("DC007", "fails"),
        id="DC007-duplicate",
    ),
    pytest.param(
        cell(2, "customer_id", "X-1"),
        "DC008",
        "customers.customer_id breaks 'pattern ^C[0-9]{6}$' in 1 row: 'X-1' (line 3)",
        marks=pytest.mark.check("DC008", "fails"),
        id="DC008-pattern",
    ),
    pytest.param(
        lambda rows: rows[:3],
        "DC009",
        "customers has 2 rows and breaks 'rowCount >= 3'",
        marks=pytest.mark.check("DC009", "fails"),
        id="DC009-too-few-rows",
    ),
    pytest.param(
        lambda rows: [row.replace("2026-11-01", "2026-09-01") for row in rows],
        "DC010",
        "customers.snapshot_date is stale: newest 2026-09-01 is 61 days old on 2026-11-01;"
        " the freshness SLA is 35 days",
        marks=pytest.mark.check("DC010", "fails"),
        id="DC010-stale",
    ),
]


@pytest.mark.parametrize(("fault", "code", "problem"), DATA_FAULTS)
def test_an_extract_that_breaks_a_rule_is_refused_naming_rule_lines_and_owner(
    root: Path, fault: Callable[[list[str]], list[str]], code: str, problem: str
) -> None:
    write_rows(root, fault(ROWS))
    finding = only(check(root), code, EXTRACT)
    assert finding.problem.startswith(problem), finding.problem
    assert finding.docs == f"docs/data-contracts.md#{code.lower()}"


@pytest.mark.check("DC001", "passes")
@pytest.mark.check("DC002", "passes")
@pytest.mark.check("DC003", "passes")
@pytest.mark.check("DC004", "passes")
@pytest.mark.check("DC005", "passes")
@pytest.mark.check("DC006", "passes")
@pytest.mark.check("DC007", "passes")
@pytest.mark.check("DC008", "passes")
@pytest.mark.check("DC009", "passes")
@pytest.mark.check("DC010", "passes")
def test_a_clean_extract_loads_typed_as_the_contract_says(root: Path) -> None:
    assert check(root) == []
    frame = load_table(root / EXTRACT, load_contract(root / CONTRACT))
    assert frame["tenure_months"].dtype == "int64"
    assert frame["monthly_charges"].dtype == "float64"
    assert str(frame["snapshot_date"].dtype).startswith("datetime64")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(None, "file not found", id="missing"),
        pytest.param(b"", "file is empty (no header row)", id="empty"),
        pytest.param(b"customer_id\n\xff\xfe\n", "not UTF-8 text", id="not-utf8"),
    ],
)
@pytest.mark.check("DC001", "fails")
def test_an_unreadable_extract_is_dc001(root: Path, content: bytes | None, problem: str) -> None:
    (root / EXTRACT).unlink()
    if content is not None:
        (root / EXTRACT).write_bytes(content)
    assert only(check(root), "DC001", EXTRACT).problem == problem


def test_every_broken_rule_of_a_file_is_reported_at_once(root: Path) -> None:
    write_rows(root, cell(1, "contract_type", "")(cell(2, "tenure_months", "-1")(ROWS)))
    assert [finding.code for finding in check(root)] == ["DC004", "DC005"]


def test_freshness_is_measured_on_the_day_the_data_is_used(root: Path) -> None:
    contract = load_contract(root / CONTRACT)
    last_day = AS_OF + dt.timedelta(days=35)
    copy = root / "delivery.csv"  # not the declared extract: a delivery, measured on `as_of`
    shutil.copy(root / EXTRACT, copy)
    assert len(load_table(copy, contract, as_of=last_day)) == 3
    with pytest.raises(PipelineError) as raised:
        load_table(copy, contract, as_of=last_day + dt.timedelta(days=1))
    assert raised.value.code == "DC010"
    assert raised.value.finding.where == "delivery.csv"


def test_rows_to_score_need_only_their_columns_and_no_table_rules(root: Path) -> None:
    write_rows(root, drop_column("snapshot_date")(ROWS[:2]))
    contract = load_contract(root / CONTRACT)
    frame = load_table(root / EXTRACT, contract, columns=["customer_id"], delivery=False)
    assert list(frame["customer_id"]) == ["C000001"]


def test_a_file_outside_the_project_is_named_as_given_and_owned_by_the_role(
    root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "customers.csv"
    outside.write_text("\n".join(cell(1, "tenure_months", "-3")(ROWS)) + "\n", encoding="utf-8")
    with pytest.raises(PipelineError) as raised:
        load_table(outside, load_contract(root / CONTRACT), as_of=AS_OF)
    assert raised.value.finding.where == str(outside)
    assert raised.value.finding.owner == DATA_ENGINEERING  # team_data_engineering's handle


# --- DC020-DC022: the contract itself ---------------------------------------------------------


@pytest.mark.check("DC020", "fails")
def test_a_contract_that_is_not_yaml_is_dc020_at_its_line(root: Path) -> None:
    edit(root, CONTRACT, "name: customers\n", "name: [customers\n")
    finding = only(check(root), "DC020", f"{CONTRACT}:5")
    assert finding.problem.startswith("not valid YAML")


@pytest.mark.check("DC020", "passes")
@pytest.mark.check("DC021", "passes")
@pytest.mark.check("DC022", "passes")
def test_a_valid_contract_loads_with_its_rules(root: Path) -> None:
    assert check(root, data=False) == []
    contract = load_contract(root / CONTRACT)
    assert contract.column("tenure_months").maximum == 600
    assert contract.unique_keys == (("customer_id",),)
    assert contract.frozen_as_of == {EXTRACT: AS_OF}
    assert contract.owner == DATA_ENGINEERING


@pytest.mark.check("DC021", "fails")
def test_an_unknown_key_and_a_wrong_type_name_are_dc021_naming_the_key_path(root: Path) -> None:
    edit(root, CONTRACT, "status: active\n", "status: active\nowner_team: data\n")
    edit(root, CONTRACT, "logicalType: number", "logicalType: decimal")
    findings = check(root)
    only(findings, "DC021", CONTRACT)
    problems = " | ".join(finding.problem for finding in findings)
    assert "'owner_team' was unexpected" in problems
    assert "schema[0].properties[2].logicalType: 'decimal' is not one of" in problems
    assert str(findings[0]).startswith(f"DC021 {CONTRACT}: ")


@pytest.mark.check("DC022", "fails")
def test_conventions_the_schema_cannot_express_are_dc022(root: Path) -> None:
    edit(root, CONTRACT, "properties: [customer_id]", "properties: [customer_key]")
    edit(root, CONTRACT, '"@acme/data-engineering"', '"@someone/else"')
    edit(root, CONTRACT, "version: 1.0.0", "version: '1.0'")
    problems = [finding.problem for finding in only_all(check(root), "DC022")]
    assert "schema[0].quality[1] names column 'customer_key', which the contract lacks" in problems
    assert any(p.startswith("owner '@someone/else' is not a known team") for p in problems)
    assert "version '1.0' is not semver, e.g. '1.2.0'" in problems


def only_all(findings: list[Finding], code: str) -> list[Finding]:
    only(findings, code, CONTRACT)
    return findings


def test_the_schema_is_found_beside_the_contract_from_any_directory(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A notebook runs in notebooks/: the vendored schema is found from the contract."""
    (root / "notebooks").mkdir()
    monkeypatch.chdir(root / "notebooks")
    assert load_contract(Path("..") / CONTRACT).name == "customers"


def test_a_missing_vendored_schema_is_named(root: Path) -> None:
    shutil.rmtree(root / "contracts/schema")
    finding = only(check(root), "DC021", CONTRACT)
    assert "contracts/schema/odcs-v3.2.0.json is missing" in finding.problem


# --- DC030, DC031: breaking changes against the target branch ----------------------------------


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def on_main(root: Path) -> Path:
    """The project committed on `main`: the contract there is the comparison base."""
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "contract 1.0.0")
    return root


BREAKING_CHANGES = {  # id: (old text, new text, the change named)
    "renamed": ("- name: contract_type\n", "- name: plan\n", "column 'contract_type' was removed"),
    "narrowed": ("Type: number", "Type: integer", "column 'monthly_charges' type narrowed"),
    "tightened": ("maximum: 600", "maximum: 120", "column 'tenure_months' maximum tightened"),
    "dropped": ("\n          - value: one-year", "", "column 'contract_type' no longer allows"),
}


@pytest.mark.check("DC030", "fails")
@pytest.mark.parametrize(("old", "new", "change"), BREAKING_CHANGES.values(), ids=BREAKING_CHANGES)
def test_a_breaking_change_without_a_major_bump_is_dc030(
    on_main: Path, old: str, new: str, change: str
) -> None:
    edit(on_main, CONTRACT, old, new)
    finding = only(check(on_main, base="main", data=False), "DC030", CONTRACT)
    assert finding.problem.startswith(f"breaking change against main: {change}")
    assert "; bump the major version (1.0.0 -> 2.0.0)" in finding.problem


@pytest.mark.check("DC030", "passes")
def test_the_same_change_with_a_major_bump_or_an_additive_one_passes(on_main: Path) -> None:
    edit(on_main, CONTRACT, "maximum: 600", "maximum: 900")  # widened: additive
    assert check(on_main, base="main") == []
    edit(on_main, CONTRACT, "maximum: 900", "maximum: 120")
    edit(on_main, CONTRACT, "version: 1.0.0", "version: 2.0.0")
    assert check(on_main, base="main", data=False) == []


@pytest.mark.check("DC031", "fails")
def test_a_target_branch_that_is_not_there_is_dc031_not_a_silent_pass(on_main: Path) -> None:
    finding = only(check(on_main, base="release-2027"), "DC031", CONTRACT)
    assert "neither 'release-2027' nor 'origin/release-2027' exists here" in finding.problem


@pytest.mark.check("DC031", "passes")
def test_the_target_branch_as_a_remote_branch_is_found(on_main: Path) -> None:
    git(on_main, "update-ref", "refs/remotes/origin/release", "HEAD")
    assert check(on_main, base="release") == []
    _, notes = check_contract(on_main / CONTRACT, base="release", data=False)
    assert notes == ["no unannounced breaking change against release"]


def test_a_new_contract_has_nothing_to_compare(on_main: Path) -> None:
    shutil.copy(on_main / CONTRACT, on_main / "contracts/orders.odcs.yaml")
    new = on_main / "contracts/orders.odcs.yaml"
    findings, notes = check_contract(new, base="main", data=False)
    assert findings == []
    assert notes == ["not on 'main': a new contract, nothing to compare"]


# --- the command --------------------------------------------------------------------------------


def test_the_command_passes_a_clean_project_one_line_per_contract(
    on_main: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--root", str(on_main), "contracts", "--base", "main"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{CONTRACT}: ok (no unannounced breaking change against main;")


def test_the_command_reports_findings_as_json_and_exits_1(
    on_main: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_rows(on_main, cell(3, "tenure_months", "-3")(ROWS))
    code = cli.main(["--root", str(on_main), "--format", "json", "contracts", "--no-compare"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(f["code"], f["where"], f["owner"]) for f in report["findings"]] == [
        ("DC005", EXTRACT, DATA_ENGINEERING)
    ]


def test_the_command_measures_extracts_on_the_day_given(
    on_main: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    later = (AS_OF + dt.timedelta(days=36)).isoformat()
    assert cli.main(["--root", str(on_main), "contracts", "--no-compare", "--as-of", later]) == 1
    assert capsys.readouterr().out.startswith(f"DC010 {EXTRACT}: customers.snapshot_date is stale")


def test_a_project_without_contracts_fails(project: Project) -> None:
    assert cli.main(["--root", str(project.root), "contracts", "--no-compare"]) == 1
