"""`ml-platform deploy` (DEP001-DEP005) on a small project: a manifest, its schemas, one
contract, a model card and the gates file. Findings on the manifest name the team CODEOWNERS
gives deploy/ (MLOps); nothing is rendered from a manifest that fails a check."""

from __future__ import annotations

import argparse
import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ml_platform_kit import deploy, rendering
from ml_platform_kit.cli import main
from ml_platform_kit.finding import Finding, Outcome
from ml_platform_kit.project import Project

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = "deploy/manifest.yaml"
MLOPS = "@acme/mlops"
CONTRACT = """\
apiVersion: v3.2.0
kind: DataContract
schema:
  - name: customers
    properties:
      - {name: customer_id, logicalType: string}
      - {name: tenure_months, logicalType: integer}
      - {name: region, logicalType: string}
"""
GATES = """\
metrics: [roc_auc, f1, evaluated_rows]
gates:
  roc_auc: {min: 0.72, why: ranks churners first}
  f1: {min: 0.5}
"""
REST: dict[str, Any] = {
    "apiVersion": "ml-platform/v2",
    "kind": "ModelDeployment",
    "metadata": {"name": "churn", "owners": {"team": MLOPS, "onCall": "churn-primary"}},
    "model": {
        "version": "0.1.0",
        "artifact": "models/model.joblib",
        "card": "docs/model-card.md",
        "inputContract": "contracts/customers.odcs.yaml",
    },
    "serving": {
        "runtime": "fastapi",
        "target": "kubernetes",
        "kubernetesVersion": "1.33",
        "namespace": "churn",
        "container": {
            "image": "ghcr.io/acme/churn:0.1.0",
            "resources": {
                "requests": {"cpu": "250m", "memory": "512Mi"},
                "limits": {"cpu": "1", "memory": "1Gi"},
            },
        },
        "port": 8080,
        "replicas": {"min": 2, "max": 5},
    },
    "slos": {"latencyP95Ms": 200, "availabilityPercent": 99.5, "errorRatePercent": 1.0},
    "contracts": [{"path": "contracts/customers.odcs.yaml"}],
    "monitoring": {
        "drift": {"columns": ["tenure_months", "region"]},
        "alerts": {"receiver": "churn-primary", "severity": "page"},
    },
    "qualityGates": {"source": "config/quality-gates.yaml"},
}
Edit = Callable[[dict[str, Any]], None]


def batch(manifest: dict[str, Any]) -> None:
    serving = manifest["serving"]
    del serving["port"], serving["replicas"]
    serving["runtime"] = "batch"
    serving["schedule"] = "0 6 * * *"
    serving["batch"] = {
        "volumeClaim": "churn-data",
        "input": "/data/input/customers.csv",
        "output": "/data/output/predictions.csv",
    }


def kserve(manifest: dict[str, Any]) -> None:
    manifest["serving"]["target"] = "kserve"


@pytest.fixture
def deployable(project: Project) -> Project:
    """The `project` fixture with everything a valid REST manifest refers to."""
    schemas = project.root / "deploy/schema"
    schemas.mkdir(parents=True)
    for name in ("manifest.schema.json", "kserve-inferenceservice-v1beta1.json"):
        shutil.copy(ROOT / "template/deploy/schema" / name, schemas / name)
    files = {
        "contracts/customers.odcs.yaml": CONTRACT,
        "docs/model-card.md": "# Model card\n",
        "config/quality-gates.yaml": GATES,
    }
    for relpath, text in files.items():
        (project.root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (project.root / relpath).write_text(text, encoding="utf-8")
    plant(project, REST)
    return project


def plant(project: Project, manifest: dict[str, Any], *edits: Edit) -> None:
    changed = copy.deepcopy(manifest)
    for edit in edits:
        edit(changed)
    (project.root / MANIFEST).write_text(yaml.safe_dump(changed, sort_keys=False), "utf-8")


def deploy_run(project: Project, *edits: Edit) -> Outcome:
    if edits:
        plant(project, REST, *edits)
    options = argparse.Namespace(manifest=Path(MANIFEST), output=Path("deploy/rendered"))
    return deploy.run(project, options)


def only(outcome: Outcome, code: str, where: str = MANIFEST) -> Finding:
    """The one finding of ``outcome``: its ID, its place and MLOps as its owner."""
    assert len(outcome.findings) == 1, "\n".join(map(str, outcome.findings))
    finding = outcome.findings[0]
    assert (finding.code, finding.where, finding.owner) == (code, where, MLOPS)
    assert finding.docs == f"docs/deploy.md#{code.lower()}"
    return finding


def rendered(project: Project) -> list[str]:
    return sorted(p.name for p in (project.root / "deploy/rendered").glob("*"))


# --- a valid manifest, for each runtime and target ---------------------------------------


@pytest.mark.check("DEP001", "passes")
@pytest.mark.check("DEP002", "passes")
@pytest.mark.check("DEP003", "passes")
@pytest.mark.check("DEP004", "passes")
@pytest.mark.check("DEP005", "passes")
def test_a_valid_rest_manifest_renders_and_validates_every_object(deployable: Project) -> None:
    outcome = deploy_run(deployable)
    assert outcome.ok, "\n".join(map(str, outcome.findings))
    assert outcome.passed[0] == (
        "deploy/manifest.yaml: schema, contracts, quality gates and image reference are valid"
    )
    assert any(
        line.startswith("deploy/rendered/deployment.yaml: Deployment accepted by")
        and "kubernetes-validate --strict 1.33" in line
        for line in outcome.passed
    ), outcome.passed
    assert rendered(deployable) == [
        "deployment.yaml",
        "horizontalpodautoscaler.yaml",
        "networkpolicy.yaml",
        "service.yaml",
    ]
    text = (deployable.root / "deploy/rendered/deployment.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Rendered from deploy/manifest.yaml by `ml-platform deploy`")
    assert ((deployable.root / "deploy/rendered/service.yaml").stat().st_mode & 0o777) != 0o600


@pytest.mark.check("DEP005", "passes")
def test_batch_runs_the_projects_own_command_and_stale_objects_go(deployable: Project) -> None:
    assert deploy_run(deployable).ok
    outcome = deploy_run(deployable, batch)
    assert outcome.ok, "\n".join(map(str, outcome.findings))
    assert rendered(deployable) == ["cronjob.yaml"], "the REST objects of the last run are gone"
    cronjob = yaml.safe_load((deployable.root / "deploy/rendered/cronjob.yaml").read_text("utf-8"))
    container = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["python", "-m", "churn.batch"]  # package_name: churn


@pytest.mark.check("DEP005", "passes")
def test_kserve_is_validated_with_the_vendored_crd_schema(deployable: Project) -> None:
    outcome = deploy_run(deployable, kserve)
    assert outcome.ok, "\n".join(map(str, outcome.findings))
    assert outcome.passed[1] == (
        "deploy/rendered/inferenceservice.yaml: InferenceService accepted by KServe CRD schema"
        " deploy/schema/kserve-inferenceservice-v1beta1.json"
    )


# --- DEP001: the manifest's schema ------------------------------------------------------------


def unknown_limit(manifest: dict[str, Any]) -> None:
    manifest["serving"]["container"]["resources"]["limits"]["gpu"] = "1"


def no_team(manifest: dict[str, Any]) -> None:
    del manifest["metadata"]["owners"]["team"]


@pytest.mark.check("DEP001", "fails")
@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        pytest.param(
            unknown_limit,
            "serving.container.resources.limits: unknown key (Additional properties are not"
            " allowed ('gpu' was unexpected))",
            id="unknown-key",
        ),
        pytest.param(no_team, "metadata.owners.team: is required but missing", id="missing"),
        pytest.param(
            lambda m: (batch(m), kserve(m)),
            "serving.target: 'kubernetes' was expected (KServe serves online requests only",
            id="kserve-for-batch",
        ),
        pytest.param(
            lambda m: m["serving"]["replicas"].update(min=6),
            "serving.replicas: min 6 is above max 5",
            id="replicas-the-schema-cannot-compare",
        ),
    ],
)
def test_a_manifest_its_schema_refuses_is_dep001_and_nothing_is_rendered(
    deployable: Project, edit: Edit, problem: str
) -> None:
    finding = only(deploy_run(deployable, edit), "DEP001")
    assert finding.problem.startswith(problem), finding
    assert not (deployable.root / "deploy/rendered").exists()


@pytest.mark.check("DEP001", "fails")
def test_a_manifest_that_is_not_yaml_is_dep001_on_one_line(deployable: Project) -> None:
    (deployable.root / MANIFEST).write_text("metadata: {name: churn\n", encoding="utf-8")
    finding = only(deploy_run(deployable), "DEP001")
    assert finding.problem.startswith("not valid YAML (")
    assert "\n" not in finding.problem


# --- DEP002: references ------------------------------------------------------------------------


def orders_contract(manifest: dict[str, Any]) -> None:
    manifest["contracts"][0]["path"] = "contracts/orders.odcs.yaml"
    manifest["model"]["inputContract"] = "contracts/orders.odcs.yaml"


@pytest.mark.check("DEP002", "fails")
@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        pytest.param(
            orders_contract,
            "contracts[0].path: contracts/orders.odcs.yaml does not exist in contracts/",
            id="contract",
        ),
        pytest.param(
            lambda m: m["model"].update(inputContract="contracts/orders.odcs.yaml"),
            "model.inputContract: contracts/orders.odcs.yaml is not one of the contracts the"
            " manifest lists (contracts/customers.odcs.yaml)",
            id="input-contract",
        ),
        pytest.param(
            lambda m: m["model"].update(card="docs/card.md"),
            "model.card: docs/card.md does not exist",
            id="model-card",
        ),
        pytest.param(
            lambda m: m["monitoring"]["drift"]["columns"].append("churned_at"),
            "monitoring.drift.columns[2]: 'churned_at' is not a column of the listed contracts",
            id="drift-column",
        ),
    ],
)
def test_a_reference_that_points_nowhere_is_dep002(
    deployable: Project, edit: Edit, problem: str
) -> None:
    assert only(deploy_run(deployable, edit), "DEP002").problem == problem


@pytest.mark.check("DEP002", "fails")
def test_a_contract_that_is_not_yaml_is_dep002_pointing_at_the_contracts_check(
    deployable: Project,
) -> None:
    (deployable.root / "contracts/customers.odcs.yaml").write_text("schema: [\n", "utf-8")
    problem = only(deploy_run(deployable), "DEP002").problem
    assert problem == (
        "contracts[0].path: contracts/customers.odcs.yaml is not a readable data contract"
        " (`ml-platform contracts` says why)"
    )


# --- DEP003: the quality gates --------------------------------------------------------------


@pytest.mark.check("DEP003", "fails")
def test_a_gate_on_a_metric_the_team_does_not_declare_is_dep003_naming_its_owner(
    deployable: Project,
) -> None:
    gates = deployable.root / "config/quality-gates.yaml"
    gates.write_text(GATES.replace("  f1:", "  f1_macro:"), encoding="utf-8")
    problem = only(deploy_run(deployable), "DEP003").problem
    assert problem.startswith(
        "qualityGates.source: config/quality-gates.yaml: gates.f1_macro: names a metric the"
        " pipeline does not produce; evaluate reports, as `metrics` declares: roc_auc, f1,"
        " evaluated_rows"
    )
    assert problem.endswith("(MOD003, owner @acme/data-science)")  # the gates file's team


@pytest.mark.check("DEP003", "fails")
def test_a_missing_gates_file_is_dep003(deployable: Project) -> None:
    outcome = deploy_run(deployable, lambda m: m["qualityGates"].update(source="config/gates.yaml"))
    assert only(outcome, "DEP003").problem == (
        "qualityGates.source: config/gates.yaml: gates file not found"
        " (MOD004, owner @acme/data-science)"
    )


@pytest.mark.check("DEP003", "fails")
def test_a_malformed_gates_file_is_one_dep003_per_problem(deployable: Project) -> None:
    (deployable.root / "config/quality-gates.yaml").write_text(
        "gates:\n  f1: {minimum: 0.5}\n", encoding="utf-8"
    )
    outcome = deploy_run(deployable)
    assert [finding.code for finding in outcome.findings] == ["DEP003"] * 3
    assert all("(MOD004, owner @acme/data-science)" in f.problem for f in outcome.findings)


# --- DEP004: the image is pinned --------------------------------------------------------------


def image(reference: str) -> Edit:
    return lambda m: m["serving"]["container"].update(image=reference)


@pytest.mark.check("DEP004", "fails")
@pytest.mark.parametrize(
    ("reference", "problem"),
    [
        ("ghcr.io/acme/churn:latest", "'ghcr.io/acme/churn:latest' uses the tag `latest`"),
        ("ghcr.io/acme/churn", "'ghcr.io/acme/churn' has no tag, so it means `latest`"),
        ("localhost:5000/churn", "'localhost:5000/churn' has no tag"),
    ],
)
def test_an_image_that_is_not_pinned_is_dep004(
    deployable: Project, reference: str, problem: str
) -> None:
    finding = only(deploy_run(deployable, image(reference)), "DEP004")
    assert finding.problem.startswith(f"serving.container.image: {problem}")
    assert finding.problem.endswith(":1.2.3")


@pytest.mark.check("DEP004", "passes")
@pytest.mark.parametrize(
    "reference", ["localhost:5000/churn:1.2.3", f"ghcr.io/acme/churn@sha256:{'0' * 64}"]
)
def test_a_tag_or_a_digest_pins_the_image(deployable: Project, reference: str) -> None:
    assert not deploy.image_findings(
        deployable, {"serving": {"container": {"image": reference}}}, "x"
    )


# --- DEP005: the rendered objects ---------------------------------------------------------


@pytest.mark.check("DEP005", "fails")
def test_a_kubernetes_version_without_schemas_is_dep005_on_the_rendered_file(
    deployable: Project,
) -> None:
    outcome = deploy_run(deployable, lambda m: m["serving"].update(kubernetesVersion="1.99"))
    findings = outcome.findings
    assert len(findings) == 4, "\n".join(map(str, findings))  # each object of the REST app
    finding = next(f for f in findings if f.where == "deploy/rendered/deployment.yaml")
    assert (finding.code, finding.owner) == ("DEP005", MLOPS)
    assert "does not support version 1.99" in finding.problem
    assert not (deployable.root / "deploy/rendered").exists()


@pytest.mark.check("DEP005", "fails")
def test_an_object_its_validator_refuses_is_dep005_naming_the_field(
    deployable: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every manifest the schema accepts renders valid objects, so break the renderer instead.
    original = rendering.render_kserve

    def invalid(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
        objects = original(manifest)
        objects["inferenceservice.yaml"]["spec"]["predictor"]["minReplicas"] = "two"
        return objects

    monkeypatch.setattr(rendering, "render_kserve", invalid)
    finding = only(
        deploy_run(deployable, kserve), "DEP005", "deploy/rendered/inferenceservice.yaml"
    )
    assert (
        finding.problem
        == "spec.predictor.minReplicas: 'two' is not of type 'integer' (KServe schema)"
    )


# --- the command line -------------------------------------------------------------------------


def test_the_command_line_prints_each_finding_and_exits_1(
    deployable: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    plant(deployable, REST, image("ghcr.io/acme/churn:latest"))
    assert main(["--root", str(deployable.root), "deploy"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("DEP004 deploy/manifest.yaml: serving.container.image:")
    assert f"owner: {MLOPS} · docs/deploy.md#dep004" in out
