"""Planted security faults: `tox -e security` (`ml-platform security scan`) fails on each,
naming the file, the rule and the team CODEOWNERS gives the file.

Each scanner of the security convention gets the mistakes the issue names, planted in a
committed default render. The Dockerfile, CI files and rendered manifests are created by the
plant itself, so every scanner is proven whether or not the project renders such files.
The scanners are independent and each fault sits in its own files, so one `tox -e security`
run with every fault planted shows each scanner failing on its own fault; the same files,
hardened, pass. One shared project and tox environment serve every test, and each test
restores the project. That clean renders give no findings at all is proven where every
generated project's full `tox` runs (tests/generated), which includes `security`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import security_samples as samples
from tests.planted.support import prepared_project, restore
from tests.support import (
    RenderFn,
    ToxRun,
    read_answers,
    run_tox,
    tail,
)

pytestmark = pytest.mark.slow

PACKAGE = "src/customer_churn_model"
RENDERED = "deploy/rendered"


def _write(files: dict[str, str]) -> Callable[[Path], None]:
    def plant(project: Path) -> None:
        for relpath, text in files.items():
            path = project / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    return plant


@dataclass(frozen=True)
class Fault:
    """Files to plant, the scanner that must fail on them, and what its failure must say
    (`{answer}` is filled from .copier-answers.yml)."""

    name: str
    files: dict[str, str]
    scanner: str  # the scanner's status line: "== <ID> <title>: failed"
    expected: tuple[str, ...]


FAULTS = [
    Fault(
        # pickle.loads on input, shell=True, torch.load without weights_only, an unpinned
        # Hugging Face download: one file each, each named with its bandit ID.
        "python-unsafe-calls",
        {f"{PACKAGE}/{name}": code for name, code, _ in samples.PYTHON_FAULTS},
        "SEC001 python code: bandit",
        (
            *(f"{PACKAGE}/{name}:5:" for name, _, _ in samples.PYTHON_FAULTS),
            *(f" {rule} " for _, _, rule in samples.PYTHON_FAULTS),
            "{team_data_science}",  # CODEOWNERS gives src/ to data science
            "docs/security.md#sec001",
        ),
    ),
    Fault(
        "shell-true-for-ruff",
        {f"{PACKAGE}/{name}": code for name, code, _ in samples.PYTHON_FAULTS[1:2]},
        "SEC001 python code: ruff S rules",
        (f"{PACKAGE}/unsafe_shell.py:5:5: S602",),
    ),
    Fault(
        "hard-coded-cloud-key",
        {"config/storage.yaml": samples.AWS_KEY_CONFIG},
        "SEC002 secrets: detect-secrets",
        ("AWS Access Key", "config/storage.yaml:3", "docs/security.md#sec002"),
    ),
    Fault(
        # an unpinned action, `permissions: write-all`, an issue title interpolated into run:
        "insecure-github-workflows",
        {f".github/workflows/{name}": text for name, text, _ in samples.WORKFLOW_FAULTS},
        "SEC003 CI workflows: zizmor (GitHub Actions)",
        (
            *(f"[{audit}]" for _, _, audit in samples.WORKFLOW_FAULTS),
            *(f".github/workflows/{name}:" for name, _, _ in samples.WORKFLOW_FAULTS),
            "docs/security.md#sec003",
        ),
    ),
    Fault(
        "gitlab-latest-image",
        {".gitlab-ci.yml": samples.GITLAB_LATEST_IMAGE},
        "SEC003 CI workflows: pinned images (GitLab CI)",
        (".gitlab-ci.yml: default.image", "python:latest", "pinned-image"),
    ),
    Fault(
        "dockerfile-with-latest-base",
        {"Dockerfile": samples.ROOT_LATEST_DOCKERFILE},
        "SEC004 Dockerfile: hadolint",
        ("Dockerfile:1 DL3007",),
    ),
    Fault(
        "dockerfile-running-as-root",
        {"Dockerfile": samples.ROOT_LATEST_DOCKERFILE},
        "SEC004 Dockerfile: non-root user",
        ("SEC004 Dockerfile: the final stage sets no USER", "non-root-user", "{team_mlops}"),
    ),
    Fault(
        "manifest-with-unknown-field",
        {f"{RENDERED}/typo.yaml": samples.manifest_text(samples.deployment_with_unknown_field())},
        "SEC005 manifest schema: kubernetes-validate --strict",
        (f"{RENDERED}/typo.yaml", "replica"),
    ),
    Fault(
        "container-without-security-context",
        {
            f"{RENDERED}/bare.yaml": samples.manifest_text(
                samples.deployment_without_security_context()
            )
        },
        "SEC006 workload security baseline",
        (
            f"SEC006 {RENDERED}/bare.yaml: Deployment churn container 'serve': no securityContext",
            "run-as-non-root",
            "{team_mlops}",  # CODEOWNERS gives deploy/ to MLOps
            "docs/security.md#sec006",
        ),
    ),
    Fault(
        # A release workflow that builds nothing with provenance: no tag trigger, no attest step.
        "release-without-provenance",
        {".github/workflows/release.yml": samples.HARDENED_WORKFLOW},
        "SEC010 supply chain: release provenance",
        (
            "SEC010 .github/workflows/release.yml: does not run on a pushed tag",
            "no step attests build provenance",
            "docs/security.md#sec010",
        ),
    ),
    Fault(
        "scorecard-workflow-without-the-scorecard",
        {".github/workflows/scorecard.yml": samples.HARDENED_WORKFLOW},
        "SEC011 supply chain: OpenSSF Scorecard workflow",
        ("SEC011 .github/workflows/scorecard.yml: no step runs the Scorecard",),
    ),
]

# Every planted file, hardened: the scanners must pass them (no false positives), and the
# KServe object is skipped by the schema check with a note instead of failing it.
HARDENED = {
    "Dockerfile": samples.HARDENED_DOCKERFILE,
    ".github/workflows/hardened.yml": samples.HARDENED_WORKFLOW,
    ".gitlab-ci.yml": samples.HARDENED_GITLAB_CI,
    f"{RENDERED}/workloads.yaml": samples.manifest_text(
        samples.hardened_deployment(), samples.hardened_cronjob()
    ),
    f"{RENDERED}/inference-service.yaml": samples.manifest_text(
        samples.hardened_inference_service()
    ),
}


@pytest.fixture(scope="module")
def security_project(
    render: RenderFn, python_path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """A committed default render with its security environment built, reused per fault."""
    return prepared_project(render, python_path, tmp_path_factory, "security", "security")


@pytest.fixture(scope="module")
def faults_run(security_project: tuple[Path, str]) -> ToxRun:
    """`tox -e security` once with every fault planted, each in its own files.

    The scanners run independently, each on its own files, so one run shows every scanner
    failing on its fault; `test_hardened_files_pass...` shows the same files, hardened, pass.
    """
    project, path = security_project
    for fault in FAULTS:
        _write(fault.files)(project)
    try:
        return run_tox(project, path, "-e", "security")
    finally:
        restore(project)


def test_security_fails_when_faults_are_planted(faults_run: ToxRun) -> None:
    assert faults_run.returncode != 0, f"tox -e security passed\n{tail(faults_run.output, 80)}"


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.name)
def test_security_fault_fails_its_scanner_naming_file_and_rule(
    security_project: tuple[Path, str], faults_run: ToxRun, fault: Fault
) -> None:
    answers = read_answers(security_project[0])
    output = faults_run.output
    expected = [f"== {fault.scanner}: failed", *(text.format(**answers) for text in fault.expected)]
    missing = [text for text in expected if text not in output]
    assert not missing, f"{fault.name}: the failure does not say {missing}\n{tail(output, 150)}"


def test_hardened_files_pass_and_kserve_objects_are_skipped_with_a_note(
    security_project: tuple[Path, str],
) -> None:
    project, path = security_project
    _write(HARDENED)(project)
    try:
        tox = run_tox(project, path, "-e", "security")
    finally:
        restore(project)
    assert tox.returncode == 0, f"hardened files have findings\n{tail(tox.output, 120)}"
    assert "security scan: 11 passed, 0 failed, 0 skipped" in tox.output, tail(tox.output, 60)
    kserve = "InferenceService churn (serving.kserve.io/v1beta1) skipped"
    note = f"{RENDERED}/inference-service.yaml: {kserve}"
    assert note in tox.output, tail(tox.output, 60)


def test_posture_scan_fails_on_a_root_image_and_a_bare_container(
    security_project: tuple[Path, str],
) -> None:
    """checkov runs offline (`--skip-download`) in its own environment, `tox -e posture`."""
    project, path = security_project
    _write(
        {
            "Dockerfile": samples.ROOT_LATEST_DOCKERFILE,
            f"{RENDERED}/deployment.yaml": samples.manifest_text(
                samples.deployment_without_security_context()
            ),
        }
    )(project)
    try:
        tox = run_tox(project, path, "-e", "posture")
    finally:
        restore(project)
    assert tox.returncode != 0, f"tox -e posture passed\n{tail(tox.output, 80)}"
    expected = [
        "SEC007",
        "CKV_DOCKER_3",
        "CKV_DOCKER_7",
        "Dockerfile",
        "CKV_K8S_30",
        f"{RENDERED}/deployment.yaml",
    ]
    missing = [text for text in expected if text not in tox.output]
    assert not missing, f"the posture failure does not say {missing}\n{tail(tox.output, 120)}"


def test_posture_scan_passes_on_a_clean_render(security_project: tuple[Path, str]) -> None:
    """The CI-only posture job is green on what the template renders (its one skip is listed
    in docs/security.md), so a red posture job always means a change made it red."""
    project, path = security_project
    try:
        tox = run_tox(project, path, "-e", "deploy,posture")
    finally:
        restore(project)
    assert tox.returncode == 0, f"a clean render fails tox -e posture\n{tail(tox.output, 80)}"
    assert "security posture: 1 passed, 0 failed" in tox.output, tail(tox.output)
