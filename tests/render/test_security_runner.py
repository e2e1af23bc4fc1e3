"""The security runner's own rules (SEC003 GitLab images, SEC004 non-root user, SEC006
workload baseline), on small projects: each rule fires on its fault and nowhere else.

The external scanners it drives are proven on a real project in tests/planted.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests import security_samples as samples
from tests.support import DEFAULT_COMBO


@pytest.fixture(scope="module")
def runner(rendered) -> ModuleType:
    """`tools/security.py` of a default render, imported as a module."""
    path = rendered(DEFAULT_COMBO) / "tools" / "security.py"
    spec = importlib.util.spec_from_file_location("generated_security_runner", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _manifests(tmp_path: Path, *objects: dict[str, Any]) -> Path:
    return _project(tmp_path, {"deploy/rendered/objects.yaml": samples.manifest_text(*objects)})


def test_hardened_workloads_meet_the_baseline(runner: ModuleType, tmp_path: Path) -> None:
    project = _manifests(
        tmp_path,
        samples.hardened_deployment(),
        samples.hardened_cronjob(),
        samples.hardened_inference_service(),
    )
    outcome = runner.workload_security(project)
    assert (outcome.status, outcome.findings) == ("passed", [])


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
def test_each_workload_rule_names_file_object_container_and_rule(
    runner: ModuleType, tmp_path: Path, edit: Callable[[dict[str, Any]], None], rule: str
) -> None:
    deployment = samples.hardened_deployment()
    edit(deployment)
    outcome = runner.workload_security(_manifests(tmp_path, deployment))
    assert outcome.status == "failed"
    prefix = "deploy/rendered/objects.yaml: Deployment churn container 'serve': "
    assert [f for f in outcome.findings if f.startswith(prefix) and f"(rule: {rule})" in f], (
        outcome.findings
    )


def test_pod_level_run_as_non_root_counts_for_its_containers(
    runner: ModuleType, tmp_path: Path
) -> None:
    deployment = samples.hardened_deployment()
    del _container(deployment)["securityContext"]["runAsNonRoot"]  # the pod's setting applies
    assert runner.workload_security(_manifests(tmp_path, deployment)).status == "passed"


def test_kserve_containers_are_checked_too(runner: ModuleType, tmp_path: Path) -> None:
    service = samples.hardened_inference_service()
    del service["spec"]["predictor"]["containers"][0]["securityContext"]
    outcome = runner.workload_security(_manifests(tmp_path, service))
    assert any(
        "InferenceService churn predictor container 'kserve-container': no securityContext" in f
        for f in outcome.findings
    ), outcome.findings


def test_no_rendered_manifests_is_a_skip_that_says_where_it_looked(
    runner: ModuleType, tmp_path: Path
) -> None:
    for check in (runner.workload_security, runner.kubernetes_validate):
        outcome = check(tmp_path)
        assert outcome.status == "skipped"
        assert "deploy/rendered" in " ".join(outcome.notes)


def test_a_deploy_manifest_without_rendered_objects_fails_with_the_command_to_run(
    runner: ModuleType, tmp_path: Path
) -> None:
    project = _project(tmp_path, {"deploy/manifest.yaml": "name: churn\n"})
    outcome = runner.kubernetes_validate(project)
    assert outcome.status == "failed"
    assert outcome.findings[0].startswith("deploy/rendered/: no rendered objects")
    assert "tox -e deploy,security" in outcome.findings[0]


def test_a_manifest_that_does_not_parse_fails_naming_it(runner: ModuleType, tmp_path: Path) -> None:
    project = _project(tmp_path, {"deploy/rendered/broken.yaml": "kind: [unclosed\n"})
    outcome = runner.workload_security(project)
    assert outcome.status == "failed"
    assert outcome.findings[0].startswith("deploy/rendered/broken.yaml: not valid YAML")


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
def test_kinds_without_a_kubernetes_schema_are_told_apart(
    runner: ModuleType, api_version: str, core: bool
) -> None:
    assert runner.Manifest("x.yaml", {"apiVersion": api_version}).is_core is core


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
    ids=[
        "hardened",
        "no-user",
        "user-root",
        "uid-0",
        "user-in-build-stage-only",
        "named",
        "comment",
    ],
)
def test_the_image_runs_as_a_non_root_user(
    runner: ModuleType, tmp_path: Path, dockerfile: str, passes: bool
) -> None:
    outcome = runner.image_user(_project(tmp_path, {"Dockerfile": dockerfile}))
    assert outcome.status == ("passed" if passes else "failed"), outcome.findings
    if not passes:
        assert outcome.findings[0].startswith("Dockerfile: ")
        assert "non-root-user" in outcome.findings[0]


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
def test_gitlab_images_are_pinned(
    runner: ModuleType, tmp_path: Path, image: str, pinned: bool
) -> None:
    ci = f"test:\n  image: {image}\n  script: [echo]\nlint:\n  image:\n    name: {image}\n"
    outcome = runner.gitlab_ci(_project(tmp_path, {".gitlab-ci.yml": ci}))
    assert outcome.status == ("passed" if pinned else "failed"), outcome.findings
    if not pinned:
        assert [f for f in outcome.findings if f.startswith(".gitlab-ci.yml: test.image:")]
        assert [f for f in outcome.findings if f.startswith(".gitlab-ci.yml: lint.image:")]


def test_the_summary_names_id_owner_and_docs_page(
    runner: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(
        tmp_path,
        {
            ".copier-answers.yml": "team_platform: '@acme/ml-platform'\n",
            "Dockerfile": samples.ROOT_LATEST_DOCKERFILE,
        },
    )
    only = [s for s in runner.SCANNERS if s.run is runner.image_user]
    assert runner._report(only, project) == 1
    err = capsys.readouterr().err
    assert "SEC004 Dockerfile: the final stage sets no USER" in err
    assert "owner: @acme/ml-platform · docs/security.md#sec004" in err
