"""The security family (SEC001-SEC011) on small projects: each check refuses its fault,
naming the file, the line where the scanner gives one, and the team CODEOWNERS gives the
file; and accepts the hardened file.

ruff, bandit, detect-secrets, zizmor, hadolint and kubernetes-validate are in the dev
environment and run for real, pinned as a generated project pins them. checkov (heavy) and
pip-audit (needs the internet) are not: their output is read from recorded runs.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
import pytest

from ml_platform_kit import cli, scanning, security, supply_chain, workloads
from ml_platform_kit.finding import Finding, Outcome
from ml_platform_kit.project import Project
from ml_platform_kit.rendering import rendered_file_text
from tests import security_samples as samples

TEMPLATE = Path(__file__).resolve().parents[2] / "template"
GITHUB = TEMPLATE / "{% if ci_provider == 'github' %}.github{% endif %}"
GITLAB_CI = TEMPLATE / "{% if ci_provider == 'gitlab' %}.gitlab-ci.yml{% endif %}.jinja"
BASELINE = (TEMPLATE / ".secrets.baseline").read_text(encoding="utf-8")
PLATFORM, DATA_SCIENCE, MLOPS = "@acme/ml-platform", "@acme/data-science", "@acme/mlops"


def plant(project: Project, files: dict[str, str]) -> Project:
    for relpath, text in files.items():
        path = project.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return project


def rendered(template: Path) -> str:
    """One template file rendered with jinja alone (no Copier), the values a project has."""
    environment = jinja2.Environment(autoescape=False, keep_trailing_newline=True)  # noqa: S701
    environment.filters["to_json"] = lambda value: json.dumps(
        None if isinstance(value, jinja2.Undefined) else value
    )
    values = {"python_version": "3.12", "image_repository": "ghcr.io/acme/churn"}
    return environment.from_string(template.read_text(encoding="utf-8")).render(values)


def only(outcome: Outcome, code: str) -> list[Finding]:
    assert outcome.findings, "the check found nothing"
    assert {finding.code for finding in outcome.findings} == {code}, outcome.findings
    return list(outcome.findings)


def at(outcome: Outcome, where: str) -> Finding:
    found = [finding for finding in outcome.findings if finding.where == where]
    assert found, f"no finding on {where}: {[str(f) for f in outcome.findings]}"
    return found[0]


class Recorded:
    """A scanner that prints `output` (a recorded run) and exits `returncode`; it keeps the
    command it was given."""

    def __init__(self, output: str, returncode: int = 1) -> None:
        self.output, self.returncode = output, returncode
        self.argv: list[str] = []

    def __call__(self, argv: list[str], _root: Path) -> tuple[int, list[str]]:
        self.argv = argv
        return self.returncode, self.output.splitlines()


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every scanner is on PATH (for those run from a recorded output)."""
    monkeypatch.setattr(scanning.shutil, "which", lambda name: f"/usr/bin/{name}")


# --- SEC001 python code -------------------------------------------------------------------------

UNSAFE_SHELL = dict((name, code) for name, code, _ in samples.PYTHON_FAULTS)["unsafe_shell.py"]


@pytest.mark.check("SEC001", "fails")
def test_ruff_refuses_shell_true_naming_the_line_and_data_science(project: Project) -> None:
    plant(project, {"src/churn/unsafe_shell.py": UNSAFE_SHELL})
    finding = at(security.ruff_security(project), "src/churn/unsafe_shell.py:5")
    assert (finding.code, finding.owner) == ("SEC001", DATA_SCIENCE)
    assert finding.problem.startswith("S602 ")
    assert finding.problem.endswith("(ruff)")


@pytest.mark.check("SEC001", "fails")
@pytest.mark.parametrize(
    ("name", "code", "rule"), samples.PYTHON_FAULTS, ids=[n for n, _, _ in samples.PYTHON_FAULTS]
)
def test_bandit_refuses_each_unsafe_call_with_its_rule(
    project: Project, name: str, code: str, rule: str
) -> None:
    plant(project, {f"src/churn/{name}": code, "pyproject.toml": "[tool.bandit]\nskips = []\n"})
    finding = at(security.bandit(project), f"src/churn/{name}:5")
    assert (finding.code, finding.owner) == ("SEC001", DATA_SCIENCE)
    assert finding.problem.startswith(f"{rule} ")
    assert finding.problem.endswith("(bandit)")


@pytest.mark.check("SEC001", "passes")
def test_safe_python_passes_ruff_and_bandit(project: Project) -> None:
    safe = "import json\n\n\ndef load(text: str) -> object:\n    return json.loads(text)\n"
    plant(project, {"src/churn/load.py": safe, "scripts/tool.py": safe})
    plant(project, {"pyproject.toml": "[tool.bandit]\nskips = []\n"})
    assert security.ruff_security(project) == Outcome()
    assert security.bandit(project) == Outcome()


def test_bandit_scans_src_and_scripts_and_says_when_there_is_neither(project: Project) -> None:
    assert security.PYTHON_DIRS == ("src", "scripts")  # no tools/: platform code is the kit's
    with pytest.raises(security.NothingToScan, match="no Python code in src, scripts"):
        security.bandit(project)


# --- SEC002 secrets -----------------------------------------------------------------------------


@pytest.mark.check("SEC002", "fails")
def test_a_cloud_key_is_refused_naming_file_line_and_the_files_owner(project: Project) -> None:
    plant(project, {".secrets.baseline": BASELINE, "data/storage.yaml": samples.AWS_KEY_CONFIG})
    finding = only(security.detect_secrets(project), "SEC002")[0]
    assert finding.where == "data/storage.yaml:3"
    assert finding.problem == "a potential secret: AWS Access Key (detect-secrets)"
    assert finding.owner == "@acme/data-engineering"  # CODEOWNERS: /data/


@pytest.mark.check("SEC002", "fails")
def test_a_missing_secrets_baseline_is_refused(project: Project) -> None:
    finding = only(security.detect_secrets(project), "SEC002")[0]
    assert (finding.where, finding.owner) == (".secrets.baseline", PLATFORM)
    assert "restore it from the template" in finding.problem


def test_vendored_schemas_are_left_to_upd005_and_everything_else_is_read(
    project: Project,
) -> None:
    # A vendored schema is held byte for byte to the template's copy (UPD005); a schema the
    # team keeps elsewhere, or one nested deeper, is the team's file and is read.
    key = samples.AWS_KEY_CONFIG
    plant(
        project,
        {
            ".secrets.baseline": BASELINE,
            "deploy/schema/kserve-inferenceservice-v1beta1.json": key,
            "contracts/schema/odcs-v3.2.0.json": key,
            "deploy/schemas/team.json": key,
            "contracts/schema/extra/team.json": key,
        },
    )
    found = {finding.where.split(":")[0] for finding in security.detect_secrets(project).findings}
    assert found == {"deploy/schemas/team.json", "contracts/schema/extra/team.json"}


@pytest.mark.check("SEC002", "passes")
def test_a_project_without_secrets_passes(project: Project) -> None:
    plant(project, {".secrets.baseline": BASELINE, "config/storage.yaml": "bucket: churn\n"})
    assert security.detect_secrets(project) == Outcome()


# --- SEC003 CI files ----------------------------------------------------------------------------


@pytest.mark.check("SEC003", "fails")
@pytest.mark.parametrize(
    ("name", "workflow", "audit"),
    samples.WORKFLOW_FAULTS,
    ids=[n for n, _, _ in samples.WORKFLOW_FAULTS],
)
def test_zizmor_refuses_each_workflow_fault(
    project: Project, name: str, workflow: str, audit: str
) -> None:
    plant(project, {f".github/workflows/{name}": workflow})
    findings = only(security.zizmor(project), "SEC003")
    assert [f for f in findings if f"[{audit}]" in f.problem], [str(f) for f in findings]
    assert all(f.path == f".github/workflows/{name}" and f.owner == PLATFORM for f in findings)
    assert all(f.where.rpartition(":")[2].isdigit() for f in findings), "each names its line"


@pytest.mark.check("SEC003", "passes")
def test_a_hardened_workflow_and_gitlab_file_pass(project: Project) -> None:
    plant(project, {".github/workflows/ci.yml": samples.HARDENED_WORKFLOW})
    plant(project, {".gitlab-ci.yml": samples.HARDENED_GITLAB_CI})
    assert security.zizmor(project) == Outcome()
    assert security.gitlab_ci(project) == Outcome()


@pytest.mark.check("SEC003", "fails")
@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("python:3.12-slim", True),
        ("registry.example:5000/team/tool:1.2.3", True),
        (f"registry.example/tool@{samples.DIGEST}", True),
        ("python", False),
        ("python:latest", False),
        ("registry.example:5000/team/tool", False),
    ],
)
def test_gitlab_images_are_pinned(project: Project, image: str, pinned: bool) -> None:
    ci = f"test:\n  image: {image}\n  script: [echo]\nlint:\n  image:\n    name: {image}\n"
    outcome = security.gitlab_ci(plant(project, {".gitlab-ci.yml": ci}))
    if pinned:
        assert outcome == Outcome()
        return
    problems = [f.problem for f in only(outcome, "SEC003") if f.where == ".gitlab-ci.yml"]
    assert [p for p in problems if p.startswith("test.image: ") and "pinned-image" in p]
    assert [p for p in problems if p.startswith("lint.image: ")]


def test_gitlab_references_and_variables_are_read_not_refused(project: Project) -> None:
    ci = ".base:\n  image: python:3.12-slim\nt:\n  image: $IMAGE\n  script: !reference [.s, x]\n"
    assert security.gitlab_ci(plant(project, {".gitlab-ci.yml": ci})) == Outcome()


# --- SEC004 Dockerfile --------------------------------------------------------------------------


@pytest.mark.check("SEC004", "fails")
def test_a_latest_base_is_refused_naming_mlops_as_codeowners_does(project: Project) -> None:
    plant(project, {"Dockerfile": samples.ROOT_LATEST_DOCKERFILE})
    finding = at(security.hadolint(project), "Dockerfile:1")
    assert finding.problem.startswith("DL3007 ")
    # The finding names the team CODEOWNERS gives /Dockerfile, not the check's role.
    assert (finding.code, finding.owner) == ("SEC004", MLOPS)


@pytest.mark.check("SEC004", "passes")
def test_a_hardened_dockerfile_passes(project: Project) -> None:
    plant(project, {"Dockerfile": samples.HARDENED_DOCKERFILE})
    assert security.hadolint(project) == Outcome()
    assert security.image_user(project) == Outcome()


@pytest.mark.check("SEC004", "fails")
@pytest.mark.parametrize(
    ("dockerfile", "passes"),
    [
        (samples.HARDENED_DOCKERFILE, True),
        (samples.ROOT_LATEST_DOCKERFILE, False),
        ("FROM python:3.12-slim\nUSER root\n", False),
        ("FROM python:3.12-slim\nUSER 0:0\n", False),
        ("FROM python:3.12-slim AS build\nUSER 10001\nFROM python:3.12-slim\nCMD x\n", False),
        ("FROM python:3.12-slim AS build\nFROM python:3.12-slim\nUSER app:app\n", True),
        ("FROM python:3.12-slim\n# USER 10001\n", False),
    ],
    ids=["hardened", "no-user", "user-root", "uid-0", "user-in-build-only", "named", "comment"],
)
def test_the_image_runs_as_a_non_root_user(project: Project, dockerfile: str, passes: bool) -> None:
    outcome = security.image_user(plant(project, {"Dockerfile": dockerfile}))
    if passes:
        assert outcome == Outcome()
        return
    finding = only(outcome, "SEC004")[0]
    assert (finding.where, finding.owner) == ("Dockerfile", MLOPS)
    assert "non-root-user" in finding.problem


def test_no_dockerfile_is_a_skip(project: Project) -> None:
    for scanner in (security.hadolint, security.image_user):
        with pytest.raises(security.NothingToScan, match="no Dockerfile"):
            scanner(project)


# --- SEC005 manifest schema, SEC006 workload baseline -------------------------------------------


def manifests(project: Project, *objects: dict[str, Any]) -> Project:
    return plant(project, {"deploy/rendered/objects.yaml": samples.manifest_text(*objects)})


@pytest.mark.check("SEC005", "fails")
def test_an_unknown_field_is_refused_by_its_schema(project: Project) -> None:
    manifests(project, samples.deployment_with_unknown_field())
    finding = only(workloads.kubernetes_validate(project), "SEC005")[0]
    assert (finding.where, finding.owner) == ("deploy/rendered/objects.yaml", MLOPS)
    assert "'replica' was unexpected" in finding.problem


@pytest.mark.check("SEC005", "passes")
def test_hardened_objects_match_their_schemas_and_kserve_is_skipped_with_a_note(
    project: Project,
) -> None:
    manifests(
        project,
        samples.hardened_deployment(),
        samples.hardened_cronjob(),
        samples.hardened_inference_service(),
    )
    outcome = workloads.kubernetes_validate(project)
    assert outcome.ok, outcome.findings
    assert any(
        "InferenceService churn (serving.kserve.io/v1beta1) skipped" in n for n in outcome.passed
    )


def test_a_file_as_deploy_validated_it_is_not_validated_again(project: Project) -> None:
    # The stamp is trusted, so kubernetes-validate runs once a tox run: here an invalid object
    # carrying a matching stamp passes, which only a skipped run explains.
    text = rendered_file_text(samples.deployment_with_unknown_field())
    plant(project, {"deploy/rendered/deployment.yaml": text})
    outcome = workloads.kubernetes_validate(project)
    assert outcome.ok, outcome.findings
    assert outcome.passed == (
        "deploy/rendered/deployment.yaml: unchanged since `ml-platform deploy` validated it"
        " with kubernetes-validate --strict (DEP005)",
    )


@pytest.mark.check("SEC005", "fails")
def test_a_rendered_file_edited_after_deploy_validated_it_is_validated(project: Project) -> None:
    text = rendered_file_text(samples.hardened_deployment())
    edited = text + "---\n" + samples.manifest_text(samples.deployment_with_unknown_field())
    plant(project, {"deploy/rendered/deployment.yaml": edited})
    finding = only(workloads.kubernetes_validate(project), "SEC005")[0]
    assert finding.where == "deploy/rendered/deployment.yaml"
    assert "'replica' was unexpected" in finding.problem


@pytest.mark.check("SEC005", "fails")
def test_a_deploy_manifest_without_rendered_objects_names_the_command(project: Project) -> None:
    finding = only(
        workloads.kubernetes_validate(plant(project, {"deploy/manifest.yaml": "x: 1\n"})), "SEC005"
    )[0]
    assert finding.where == "deploy/rendered/"
    assert finding.problem.startswith("no rendered objects")
    assert "tox -e deploy,security" in finding.problem


@pytest.mark.check("SEC006", "passes")
def test_hardened_workloads_meet_the_baseline(project: Project) -> None:
    manifests(
        project,
        samples.hardened_deployment(),
        samples.hardened_cronjob(),
        samples.hardened_inference_service(),
    )
    assert workloads.workload_security(project) == Outcome()


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]["containers"][0]


def _unset(*keys: str) -> Callable[[dict[str, Any]], None]:
    def edit(deployment: dict[str, Any]) -> None:
        node = _container(deployment)
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]

    return edit


def _set(value: Any, *keys: str) -> Callable[[dict[str, Any]], None]:
    def edit(deployment: dict[str, Any]) -> None:
        node = _container(deployment)
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return edit


def _root_pod(deployment: dict[str, Any]) -> None:
    _unset("securityContext", "runAsNonRoot")(deployment)
    deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] = False


@pytest.mark.check("SEC006", "fails")
@pytest.mark.parametrize(
    ("edit", "rule"),
    [
        (_unset("securityContext"), "security-context"),
        (_root_pod, "run-as-non-root"),
        (_unset("securityContext", "readOnlyRootFilesystem"), "read-only-root-filesystem"),
        (_set(True, "securityContext", "allowPrivilegeEscalation"), "no-privilege-escalation"),
        (_set(True, "securityContext", "privileged"), "no-privileged"),
        (_set(["NET_RAW"], "securityContext", "capabilities", "drop"), "drop-all-capabilities"),
        (_unset("resources", "limits"), "resources"),
        (_unset("resources", "requests", "memory"), "resources"),
        (_unset("livenessProbe"), "probes"),
        (_unset("readinessProbe"), "probes"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_each_workload_rule_names_file_object_container_rule_and_mlops(
    project: Project, edit: Callable[[dict[str, Any]], None], rule: str
) -> None:
    deployment = samples.hardened_deployment()
    edit(deployment)
    findings = only(workloads.workload_security(manifests(project, deployment)), "SEC006")
    assert all((f.where, f.owner) == ("deploy/rendered/objects.yaml", MLOPS) for f in findings)
    prefix = "Deployment churn container 'serve': "
    assert [f for f in findings if f.problem.startswith(prefix) and f"(rule: {rule})" in f.problem]


def test_pod_level_run_as_non_root_counts_for_its_containers(project: Project) -> None:
    deployment = samples.hardened_deployment()
    del _container(deployment)["securityContext"]["runAsNonRoot"]  # the pod's setting applies
    assert workloads.workload_security(manifests(project, deployment)) == Outcome()


def test_kserve_containers_are_checked_too(project: Project) -> None:
    service = samples.hardened_inference_service()
    del service["spec"]["predictor"]["containers"][0]["securityContext"]
    findings = only(workloads.workload_security(manifests(project, service)), "SEC006")
    expected = "InferenceService churn predictor container 'kserve-container': no securityContext"
    assert [f for f in findings if f.problem.startswith(expected)]


def test_no_rendered_manifests_is_a_skip_that_says_where_it_looked(project: Project) -> None:
    for scanner in (workloads.workload_security, workloads.kubernetes_validate):
        with pytest.raises(security.NothingToScan, match="deploy/rendered"):
            scanner(project)


def test_a_manifest_that_does_not_parse_fails_naming_it(project: Project) -> None:
    plant(project, {"deploy/rendered/broken.yaml": "kind: [unclosed\n"})
    finding = only(workloads.workload_security(project), "SEC006")[0]
    assert finding.where == "deploy/rendered/broken.yaml"
    assert finding.problem.startswith("not valid YAML: ")
    assert "\n" not in finding.problem


@pytest.mark.parametrize(
    ("api_version", "core"),
    [
        ("v1", True),
        ("apps/v1", True),
        ("batch/v1", True),
        ("networking.k8s.io/v1", True),
        ("autoscaling/v2", True),
        ("serving.kserve.io/v1beta1", False),
        ("monitoring.coreos.com/v1", False),
    ],
)
def test_kinds_without_a_kubernetes_schema_are_told_apart(api_version: str, core: bool) -> None:
    assert workloads.Manifest("x.yaml", {"apiVersion": api_version}).is_core is core


# --- SEC007 posture (checkov, from a recorded run) ----------------------------------------------

# checkov 3.3.30 --compact on samples.ROOT_LATEST_DOCKERFILE and
# samples.deployment_without_security_context(), shortened to three checks.
CHECKOV_OUTPUT = """\
kubernetes scan results:

Passed checks: 76, Failed checks: 12, Skipped checks: 0

Check: CKV_K8S_30: "Apply security context to your containers"
\tFAILED for resource: Deployment.churn.churn
\tFile: /deploy/rendered/deployment.yaml:1-34
dockerfile scan results:

Passed checks: 2, Failed checks: 3, Skipped checks: 0

Check: CKV_DOCKER_7: "Ensure the base image uses a non latest version tag"
\tFAILED for resource: Dockerfile.FROM
\tFile: Dockerfile:1-1
Check: CKV_DOCKER_3: "Ensure that a user for the container has been created"
\tFAILED for resource: Dockerfile.
\tFile: Dockerfile:1-4
"""


@pytest.mark.check("SEC007", "fails")
def test_checkov_findings_name_the_project_file_and_its_owner(
    project: Project, monkeypatch: pytest.MonkeyPatch, installed: None
) -> None:
    plant(project, {"Dockerfile": samples.ROOT_LATEST_DOCKERFILE})
    manifests(project, samples.deployment_without_security_context())
    monkeypatch.setattr(scanning, "stream", Recorded(CHECKOV_OUTPUT))
    findings = only(security.checkov(project), "SEC007")
    assert [(f.where, f.problem.split()[0], f.owner) for f in findings] == [
        ("deploy/rendered/deployment.yaml:1", "CKV_K8S_30", MLOPS),
        ("Dockerfile:1", "CKV_DOCKER_7", MLOPS),
        ("Dockerfile:1", "CKV_DOCKER_3", MLOPS),
    ]
    assert findings[0].problem.endswith("(checkov, resource Deployment.churn.churn)")


@pytest.mark.check("SEC007", "passes")
def test_checkov_passing_is_a_pass_and_each_file_is_its_own_argument(
    project: Project, monkeypatch: pytest.MonkeyPatch, installed: None
) -> None:
    plant(project, {"Dockerfile": samples.HARDENED_DOCKERFILE})
    plant(project, {".github/workflows/ci.yml": samples.HARDENED_WORKFLOW})
    stream = Recorded("", returncode=0)
    monkeypatch.setattr(scanning, "stream", stream)
    assert security.checkov(project) == Outcome()
    argv = stream.argv
    assert argv[1:5] == [
        "--skip-download",
        "--config-file",
        "config/security/checkov.yaml",
        "--compact",
    ]
    assert argv[argv.index("--framework") + 1 : argv.index("-f")] == [
        "dockerfile",
        "github_actions",
    ]
    assert argv[argv.index("-f") :] == ["-f", "Dockerfile", "-f", ".github/workflows/ci.yml"]


# --- SEC008 dependency audit (pip-audit, from a recorded run) -----------------------------------

# pip-audit 2.10.1: its columns formatter on two advisories, and a dependency --strict refuses.
PIP_AUDIT_OUTPUT = """\
Found 2 known vulnerabilities in 2 packages
Name     Version ID                  Fix Versions
-------- ------- ------------------- ------------
jinja2   3.1.2   GHSA-h5c8-rqwp-cp95 3.1.3
requests 2.31.0  GHSA-9wx4-h78v-vm56
ERROR:pip_audit._cli:Jinja2: Dependency not found on PyPI and could not be audited: jinja2 (3.1.2)
"""


@pytest.mark.check("SEC008", "fails")
def test_a_vulnerable_dependency_is_refused_on_pyproject(
    project: Project, monkeypatch: pytest.MonkeyPatch, installed: None
) -> None:
    monkeypatch.setattr(scanning, "stream", Recorded(PIP_AUDIT_OUTPUT))
    findings = only(security.pip_audit(project), "SEC008")
    assert {(f.where, f.owner) for f in findings} == {("pyproject.toml", PLATFORM)}
    assert [f.problem for f in findings] == [
        "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fix: 3.1.3; pip-audit)",
        "requests 2.31.0: GHSA-9wx4-h78v-vm56 (no fixed version yet; pip-audit)",
        "jinja2 (3.1.2): could not be audited (pip-audit --strict)",
    ]


@pytest.mark.check("SEC008", "passes")
def test_an_audit_without_advisories_passes(
    project: Project, monkeypatch: pytest.MonkeyPatch, installed: None
) -> None:
    stream = Recorded("No known vulnerabilities found\n", returncode=0)
    monkeypatch.setattr(scanning, "stream", stream)
    assert security.pip_audit(project) == Outcome()
    assert stream.argv[1:] == ["--strict", "--progress-spinner", "off", "."]


# --- the scanners' output, read back --------------------------------------------------------------


def test_a_failure_whose_output_names_no_file_is_one_finding_on_the_settings(
    project: Project, monkeypatch: pytest.MonkeyPatch, installed: None
) -> None:
    monkeypatch.setattr(scanning, "stream", Recorded("error: Failed to parse pyproject.toml", 2))
    finding = only(security.ruff_security(project), "SEC001")[0]
    assert finding.where == "pyproject.toml"
    assert finding.problem.startswith("ruff failed (exit code 2) without naming a file")


def test_a_scanner_that_is_not_installed_says_to_run_through_tox(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scanning.shutil, "which", lambda _name: None)
    finding = only(security.ruff_security(project), "SEC001")[0]
    assert finding.where == "pyproject.toml"
    assert finding.problem.startswith("`ruff` is not installed: run the scanners through tox")


# detect-secrets-hook 1.5.0 on two files, recorded.
DETECT_SECRETS_OUTPUT = """\
ERROR: Potential secrets about to be committed to git repo!

Secret Type: Secret Keyword
Location:    config/db.yaml:2

Secret Type: AWS Access Key
Location:    config/storage.yaml:3

Possible mitigations:
  - Mark false positives with an inline `pragma: allowlist secret` comment
"""


def test_each_secret_is_its_own_finding_with_its_type() -> None:
    assert security.parse_detect_secrets(DETECT_SECRETS_OUTPUT.splitlines()) == [
        ("config/db.yaml:2", "a potential secret: Secret Keyword (detect-secrets)"),
        ("config/storage.yaml:3", "a potential secret: AWS Access Key (detect-secrets)"),
    ]


def test_lines_that_are_not_findings_are_not_read_as_findings() -> None:
    noise: Sequence[str] = ["Found 2 errors.", " INFO zizmor: 🌈 zizmor v1.32.0", "  |", ""]
    for parse in (
        security.parse_ruff,
        security.parse_bandit,
        security.parse_hadolint,
        security.parse_zizmor,
        workloads.parse_kubernetes_validate,
        security.parse_checkov,
        security.parse_pip_audit,
        security.parse_detect_secrets,
    ):
        assert parse(noise) == [], parse


# --- SEC010 release provenance ------------------------------------------------------------------

RELEASE = rendered(GITHUB / "workflows/release.yml.jinja")
RELEASE_PATH = ".github/workflows/release.yml"


@pytest.mark.check("SEC010", "passes")
def test_the_templates_release_workflow_attests_provenance(project: Project) -> None:
    assert supply_chain.release_provenance(plant(project, {RELEASE_PATH: RELEASE})) == Outcome()


@pytest.mark.check("SEC010", "fails")
@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda text: None, "missing: the workflow that attests build provenance"),
        (lambda text: text + "\n  :\n [", "not valid YAML: "),
        (
            lambda text: text.replace(
                "actions/attest-build-provenance@", "actions/upload-artifact@"
            ),
            "no step attests build provenance",
        ),
        (
            lambda text: text.replace("      attestations: write", "      attestations: read"),
            "job `release` attests build provenance without the permissions",
        ),
        (
            lambda text: text.replace('tags: ["v*"]', 'branches: ["main"]'),
            "does not run on a pushed tag",
        ),
    ],
    ids=["missing", "broken", "no-attest-step", "no-permission", "no-tag-trigger"],
)
def test_a_release_without_provenance_is_refused(
    project: Project, edit: Callable[[str], str | None], problem: str
) -> None:
    text = edit(RELEASE)
    if text is not None:
        assert text != RELEASE, "the edit changed nothing: the template moved on"
        plant(project, {RELEASE_PATH: text})
    finding = only(supply_chain.release_provenance(project), "SEC010")[0]
    assert (finding.where, finding.owner) == (RELEASE_PATH, PLATFORM)
    assert finding.problem.startswith(problem), finding.problem


GITLAB = rendered(GITLAB_CI)


@pytest.fixture
def gitlab(project: Project) -> Project:
    answers = project.root / ".copier-answers.yml"
    text = answers.read_text(encoding="utf-8").replace("ci_provider: github", "ci_provider: gitlab")
    answers.write_text(text, encoding="utf-8")
    return Project(project.root)


@pytest.mark.check("SEC010", "passes")
def test_the_templates_gitlab_release_jobs_write_provenance(gitlab: Project) -> None:
    assert supply_chain.release_provenance(plant(gitlab, {".gitlab-ci.yml": GITLAB})) == Outcome()


@pytest.mark.check("SEC010", "fails")
def test_a_gitlab_release_job_without_artifacts_metadata_is_refused(gitlab: Project) -> None:
    ci = (
        ".release:\n  stage: release\n"
        '  variables:\n    RUNNER_GENERATE_ARTIFACTS_METADATA: "true"\n'
        "release-wheel:\n  extends: .release\n  script: [uv build]\n"
        "release-image:\n  stage: release\n  script: [docker push]\n"
        "test:\n  script: [tox]\n"
    )
    finding = only(supply_chain.release_provenance(plant(gitlab, {".gitlab-ci.yml": ci})), "SEC010")
    assert [(f.where, f.problem.split(" (")[0]) for f in finding] == [
        (".gitlab-ci.yml", "job `release-image`")
    ]


@pytest.mark.check("SEC010", "fails")
def test_a_gitlab_pipeline_without_release_jobs_is_refused(gitlab: Project) -> None:
    plant(gitlab, {".gitlab-ci.yml": "test:\n  script: [tox]\n"})
    finding = only(supply_chain.release_provenance(gitlab), "SEC010")[0]
    assert finding.problem.startswith("no job in the `release` stage")


# --- SEC011 OpenSSF Scorecard -------------------------------------------------------------------

SCORECARD = (GITHUB / "workflows/scorecard.yml").read_text(encoding="utf-8")
SCORECARD_PATH = ".github/workflows/scorecard.yml"


@pytest.mark.check("SEC011", "passes")
def test_the_templates_scorecard_workflow_runs_the_scorecard(project: Project) -> None:
    assert supply_chain.scorecard(plant(project, {SCORECARD_PATH: SCORECARD})) == Outcome()


@pytest.mark.check("SEC011", "fails")
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (None, "missing: the weekly OpenSSF Scorecard"),
        (
            SCORECARD.replace("ossf/scorecard-action@", "ossf/other-action@"),
            "no step runs the Scorecard",
        ),
    ],
    ids=["missing", "no-scorecard-step"],
)
def test_a_repository_without_the_scorecard_is_refused(
    project: Project, text: str | None, problem: str
) -> None:
    if text is not None:
        plant(project, {SCORECARD_PATH: text})
    finding = only(supply_chain.scorecard(project), "SEC011")[0]
    assert (finding.where, finding.owner) == (SCORECARD_PATH, PLATFORM)
    assert finding.problem.startswith(problem)


def test_the_scorecard_is_not_applicable_on_gitlab(gitlab: Project) -> None:
    with pytest.raises(security.NothingToScan, match="GitHub only"):
        supply_chain.scorecard(gitlab)


# --- SEC009 the SBOM ----------------------------------------------------------------------------

PYPROJECT = """\
[project]
name = "churn"
version = "1.0.0"
dependencies = [
  "PyYAML>=6.0",
  "scikit_learn>=1.5",
  "ml-platform-kit[pipeline] @ git+file:///srv/template@v2.0.0",
  "tomli>=2; python_version < '3.11'",
]
"""


def bom(*names: str) -> bytes:
    """A CycloneDX document as cyclonedx-py writes it, listing `names`."""
    components = [
        {"type": "library", "name": name, "version": "1.0", "purl": f"pkg:pypi/{name}@1.0"}
        for name in names
    ]
    document = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": components}
    return json.dumps(document, indent=2).encode()


def keep(project: Project, data: bytes) -> tuple[Outcome, Path]:
    plant(project, {"pyproject.toml": PYPROJECT})
    written = project.root.parent / f"{project.root.name}-sbom.cdx.json"
    written.write_bytes(data)
    output = project.root / "reports/sbom.cdx.json"
    return supply_chain.keep_sbom(project, written, output), output


@pytest.mark.check("SEC009", "passes")
def test_a_complete_sbom_is_kept_byte_for_byte_with_its_count(project: Project) -> None:
    data = bom("pyyaml", "scikit-learn", "ml_platform_kit", "numpy")
    outcome, output = keep(project, data)
    assert outcome == Outcome(passed=("reports/sbom.cdx.json: 4 components",))
    assert output.read_bytes() == data
    assert [p.name for p in output.parent.iterdir()] == ["sbom.cdx.json"], "no temporary left"


@pytest.mark.check("SEC009", "fails")
@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'{"components": [', "the SBOM not valid JSON: "),
        (b"[]", "the SBOM lists no components"),
        (bom(), "the SBOM lists no components"),
    ],
    ids=["not-json", "not-an-object", "no-components"],
)
def test_an_unusable_sbom_is_refused_and_nothing_is_written(
    project: Project, data: bytes, problem: str
) -> None:
    outcome, output = keep(project, data)
    finding = only(outcome, "SEC009")[0]
    assert finding.where.endswith("-sbom.cdx.json")
    assert finding.owner == PLATFORM
    assert finding.problem.startswith(problem), finding.problem
    assert not output.exists()


@pytest.mark.check("SEC009", "fails")
def test_an_sbom_missing_a_runtime_dependency_is_refused_on_pyproject(project: Project) -> None:
    outcome, output = keep(project, bom("PyYAML", "ml-platform-kit", "numpy"))
    finding = only(outcome, "SEC009")[0]
    assert (finding.where, finding.owner) == ("pyproject.toml", PLATFORM)
    assert finding.problem.startswith("`scikit_learn>=1.5` of `[project].dependencies` is not in")
    assert not output.exists()


def test_the_sbom_command_line_keeps_the_sbom(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    plant(project, {"pyproject.toml": PYPROJECT})
    written = project.root / "bom.json"
    written.write_bytes(bom("pyyaml", "scikit-learn", "ml-platform-kit"))
    argv = ["--root", str(project.root), "security", "sbom", "--bom", str(written)]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == "reports/sbom.cdx.json: 3 components\n"
    assert (project.root / "reports/sbom.cdx.json").read_bytes() == written.read_bytes()


# --- modes and the command line -----------------------------------------------------------------


def test_a_mode_reports_each_scanner_and_counts_them(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = [s for s in security.SCANNERS if s.run in (security.image_user, security.gitlab_ci)]
    plant(project, {"Dockerfile": samples.ROOT_LATEST_DOCKERFILE})
    outcome = security.run_scanners(project, "scan", chosen)
    assert [str(f).split(" · ")[0] for f in outcome.findings] == [
        "SEC004 Dockerfile: the final stage sets no USER, so the image runs as root"
        " (rule: non-root-user; add `USER <uid>` with a non-zero uid)"
    ]
    assert str(outcome.findings[0]).endswith(f"owner: {MLOPS} · docs/security.md#sec004")
    assert outcome.passed == (
        "SEC003 CI workflows: pinned images (GitLab CI): skipped",
        "   no .gitlab-ci.yml",
        "security scan: 0 passed, 1 failed, 1 skipped",
    )
    progress = capsys.readouterr()
    assert progress.out == "", "run prints progress to stderr only, so JSON output stays clean"
    assert "== SEC004 Dockerfile: non-root user: failed" in progress.err


def test_the_audit_passes_each_waived_advisory_on_to_pip_audit(
    project: Project, monkeypatch: pytest.MonkeyPatch, installed: None
) -> None:
    stream = Recorded("No known vulnerabilities found\n", returncode=0)
    monkeypatch.setattr(scanning, "stream", stream)
    options = argparse.Namespace(mode="audit", ignore_vuln=["GHSA-aaaa", "PYSEC-2024-1"])
    outcome = security.run(project, options)
    assert outcome.passed[-1] == "security audit: 1 passed, 0 failed, 0 skipped"
    waivers = ["--ignore-vuln", "GHSA-aaaa", "--ignore-vuln", "PYSEC-2024-1"]
    assert stream.argv[1:] == [*security.PIP_AUDIT[1:], *waivers, "."]


def test_every_mode_is_a_subcommand_and_the_sbom_needs_its_input() -> None:
    parser = argparse.ArgumentParser()
    security.add_arguments(parser)
    for mode in ("scan", "posture", "audit"):
        assert parser.parse_args([mode]).mode == mode
    assert parser.parse_args(["audit", "--ignore-vuln", "X", "--ignore-vuln", "Y"]).ignore_vuln == [
        "X",
        "Y",
    ]
    options = parser.parse_args(["sbom", "--bom", "x.json"])
    assert (options.bom, options.output) == (Path("x.json"), None)
    with pytest.raises(SystemExit):
        parser.parse_args(["sbom"])
    assert {s.mode for s in security.SCANNERS} == set(security.MODES)


def test_every_scanner_reports_a_registered_security_check() -> None:
    from ml_platform_kit.registry import family

    codes = {entry.id for entry in family("security")}
    assert {scanner.code for scanner in security.SCANNERS} | {"SEC009"} == codes
