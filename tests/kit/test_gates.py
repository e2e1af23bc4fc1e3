"""The model quality gates (MOD001-MOD004): config/quality-gates.yaml, its schema, and how
metrics are compared with it. Findings name the gates file and the team CODEOWNERS gives it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ml_platform_kit.finding import Finding, PipelineError
from ml_platform_kit.gates import check_gates, load_gates, parse_gates
from ml_platform_kit.project import Project

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "config/quality-gates.yaml"
DATA_SCIENCE = "@acme/data-science"
DOCUMENT = {
    "metrics": ["roc_auc", "positive_rate", "evaluated_rows"],
    "gates": {
        "roc_auc": {"min": 0.7, "why": "ranks churners first"},
        "positive_rate": {"min": 0.05, "max": 0.6},
    },
}


@pytest.fixture
def gates_file(project: Project) -> Path:
    """The project's gates file, planted with DOCUMENT; CODEOWNERS gives it to data science."""
    codeowners = project.root / ".github/CODEOWNERS"
    with codeowners.open("a", encoding="utf-8") as rules:
        rules.write(f"/config/quality-gates.yaml {DATA_SCIENCE}\n")
    path = project.root / SOURCE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(DOCUMENT), encoding="utf-8")
    return path


def assert_finding(finding: Finding, code: str, problem: str) -> None:
    assert (finding.code, finding.where, finding.owner) == (code, SOURCE, DATA_SCIENCE)
    assert problem in finding.problem, finding
    assert finding.docs == f"docs/testing-and-quality-gates.md#{code.lower()}"


def refused(document: object, project: Project) -> tuple[Finding, ...]:
    with pytest.raises(PipelineError) as raised:
        parse_gates(document, SOURCE, project)
    return raised.value.findings


# --- MOD001, MOD002: a metric against its gate ----------------------------------------------


@pytest.mark.check("MOD001", "passes")
@pytest.mark.check("MOD002", "passes")
def test_metrics_that_meet_every_gate_give_no_findings(gates_file: Path) -> None:
    gates = load_gates(gates_file)  # the project is found from the file's place
    assert check_gates({"roc_auc": 0.7, "positive_rate": 0.6}, gates) == []


@pytest.mark.check("MOD001", "fails")
def test_metric_below_its_minimum_is_mod001_naming_value_gate_file_and_owner(
    gates_file: Path,
) -> None:
    gates = load_gates(gates_file)
    findings = check_gates({"roc_auc": 0.61, "positive_rate": 0.3}, gates)
    assert len(findings) == 1
    assert str(findings[0]) == (
        "MOD001 config/quality-gates.yaml: roc_auc 0.61 is below the gate 0.7"
        " · agreement: model quality gates · owner: @acme/data-science"
        " · docs/testing-and-quality-gates.md#mod001"
    )


@pytest.mark.check("MOD002", "fails")
def test_metric_above_its_maximum_is_mod002(gates_file: Path) -> None:
    findings = check_gates({"roc_auc": 0.8, "positive_rate": 0.75}, load_gates(gates_file))
    assert len(findings) == 1
    assert_finding(findings[0], "MOD002", "positive_rate 0.75 is above the gate 0.6")


def test_not_a_number_never_passes_a_gate(gates_file: Path) -> None:
    findings = check_gates({"roc_auc": float("nan"), "positive_rate": 0.3}, load_gates(gates_file))
    assert [finding.code for finding in findings] == ["MOD001"]


# --- MOD003: a gate on a metric the pipeline does not report ----------------------------------


@pytest.mark.check("MOD003", "fails")
def test_gate_on_a_metric_not_declared_is_mod003_before_any_evaluation(
    gates_file: Path,
) -> None:
    gates_file.write_text(
        "metrics: [roc_auc, f1]\ngates:\n  f1_macro:\n    min: 0.5\n", encoding="utf-8"
    )
    with pytest.raises(PipelineError) as raised:
        load_gates(gates_file)
    (finding,) = raised.value.findings
    assert_finding(finding, "MOD003", "gates.f1_macro: names a metric the pipeline does not")
    assert "as `metrics` declares: roc_auc, f1" in finding.problem


@pytest.mark.check("MOD003", "fails")
def test_gate_on_a_declared_metric_the_evaluation_did_not_report_is_mod003(
    gates_file: Path,
) -> None:
    findings = check_gates({"positive_rate": 0.3}, load_gates(gates_file))
    assert len(findings) == 1
    assert_finding(findings[0], "MOD003", "gate 'roc_auc' names a metric the evaluation does not")


@pytest.mark.check("MOD003", "passes")
def test_gates_on_declared_metrics_only_pass(gates_file: Path) -> None:
    gates = load_gates(gates_file)
    assert gates.undeclared == ()
    assert gates.metrics == ("roc_auc", "positive_rate", "evaluated_rows")


# --- MOD004: the file's shape (the kit's JSON Schema) -----------------------------------------


@pytest.mark.check("MOD004", "fails")
@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        pytest.param([], "(root): expected a mapping", id="not-a-mapping"),
        pytest.param(
            {"gates": {"f1": {"min": 0.5}}},
            "metrics: is required but missing; list every metric",
            id="no-metrics",
        ),
        pytest.param({"metrics": ["f1"], "gates": {}}, "gates: is empty; map", id="no-gates"),
        pytest.param(
            {"metrics": ["f1"], "gates": {"f1": {"minimum": 0.5}}},
            "gates.f1: unknown key(s) ['minimum']; allowed: max, min, why",
            id="typo-in-bound",
        ),
        pytest.param(
            {"metrics": ["f1"], "gate": {"f1": {"min": 0.5}}},
            "(root): unknown key(s) ['gate']; allowed: gates, metrics",
            id="typo-in-section",
        ),
        pytest.param(
            {"owner": "@acme/data-science", "metrics": ["f1"], "gates": {"f1": {"min": 0.5}}},
            "CODEOWNERS, not this file, names the team",
            id="owner-key-of-1.x",
        ),
        pytest.param(
            {"metrics": ["f1"], "gates": {"f1": {"min": "high"}}},
            "gates.f1.min: must be a number, got 'high'; write a number",
            id="text-bound",
        ),
        pytest.param(
            {"metrics": ["f1"], "gates": {"f1": {"min": True}}},
            "gates.f1.min: must be a number, got True",
            id="bool-bound",
        ),
        pytest.param(
            {"metrics": ["f1"], "gates": {"f1": {"min": None}}},
            "gates.f1.min: must be a number, got None",
            id="null-bound-silently-disables",
        ),
        pytest.param(
            {"metrics": ["f1"], "gates": {"f1": {"min": float("nan")}}},
            "gates.f1.min: must be a finite number",
            id="nan-bound",
        ),
        pytest.param(
            {"metrics": ["f1"], "gates": {"f1": {"why": "x"}}},
            "gates.f1: needs a min or a max",
            id="no-bound",
        ),
        pytest.param(
            {"metrics": ["f1"], "gates": {"f1": {"min": 0.9, "max": 0.1}}},
            "gates.f1: min 0.9 is above max 0.1",
            id="min-over-max",
        ),
        pytest.param(
            {"metrics": ["f1", "f1"], "gates": {"f1": {"min": 0.5}}},
            "metrics: lists f1 more than once",
            id="metric-twice",
        ),
    ],
)
def test_malformed_gates_fail_loudly_as_mod004(
    document: object, complaint: str, gates_file: Path, project: Project
) -> None:
    findings = refused(document, project)
    assert {finding.code for finding in findings} == {"MOD004"}
    assert any(complaint in finding.problem for finding in findings), findings
    assert_finding(next(f for f in findings if complaint in f.problem), "MOD004", complaint)
    assert all("\n" not in str(finding) for finding in findings)


@pytest.mark.check("MOD004", "fails")
def test_every_schema_problem_is_its_own_finding(gates_file: Path, project: Project) -> None:
    document = {"metrics": [], "gates": {"f1": {"min": "high"}, "recall": {"max": []}}}
    problems = [finding.problem.split(":")[0] for finding in refused(document, project)]
    assert problems == ["gates.f1.min", "gates.recall.max", "metrics"]


@pytest.mark.check("MOD004", "fails")
def test_missing_gates_file_is_mod004_naming_the_file(project: Project) -> None:
    with pytest.raises(PipelineError) as raised:
        load_gates(SOURCE, project)
    (finding,) = raised.value.findings
    assert (finding.code, finding.where, finding.problem) == (
        "MOD004",
        SOURCE,
        "gates file not found",
    )
    assert finding.owner == DATA_SCIENCE  # `*` only: the registry's role, data science


@pytest.mark.check("MOD004", "fails")
def test_invalid_yaml_is_mod004_on_one_line(gates_file: Path) -> None:
    gates_file.write_text("gates:\n  roc_auc: {min: 0.7\n", encoding="utf-8")
    with pytest.raises(PipelineError) as raised:
        load_gates(gates_file)
    (finding,) = raised.value.findings
    assert_finding(finding, "MOD004", "not valid YAML")
    assert "\n" not in str(finding)


def test_a_file_outside_any_project_is_named_as_given(tmp_path: Path) -> None:
    strict = tmp_path / "strict.yaml"
    strict.write_text("metrics: [roc_auc]\ngates:\n  roc_auc:\n    min: 0.99\n", encoding="utf-8")
    (finding,) = check_gates({"roc_auc": 0.8}, load_gates(strict))
    assert str(finding).startswith(f"MOD001 {strict}: roc_auc 0.8 is below the gate 0.99")


@pytest.mark.check("MOD004", "passes")
def test_the_templates_gates_file_matches_the_schema_and_says_why(project: Project) -> None:
    # Jinja appears only in the file's comments, so the template file is its rendered YAML.
    text = (ROOT / "template/config/quality-gates.yaml.jinja").read_text(encoding="utf-8")
    assert all("{{" not in line for line in text.splitlines() if not line.startswith("#"))
    gates = parse_gates(yaml.safe_load(text), SOURCE, project)
    assert gates.gates, "config/quality-gates.yaml must define at least one gate"
    assert all(gate.why for gate in gates.gates), "every gate says why it exists"
    assert gates.metrics == (
        *("roc_auc", "accuracy", "precision", "recall", "f1", "positive_rate", "evaluated_rows"),
    )
