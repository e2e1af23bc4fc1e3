"""Planted deploy faults: each mistake in the manifest fails `tox -e deploy` with its own message.

One default render (REST on Kubernetes) with a prepared `deploy` environment is shared; each
fault is planted, `tox -e deploy` runs, and the project is restored. The message must name the
finding ID, the manifest path that broke, the owning team (MLOps) and the docs anchor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.planted.support import prepared_project, tox_with_fault
from tests.support import RenderFn, read_answers, run_tox, tail

pytestmark = pytest.mark.slow

MANIFEST = "deploy/manifest.yaml"


@dataclass(frozen=True)
class Fault:
    """One planted mistake and what the failure of `tox -e deploy` must say."""

    name: str
    edits: tuple[tuple[str, str, str], ...]  # (file, old, new)
    expected: tuple[str, ...]  # `{answer}` placeholders are filled from .copier-answers.yml

    def plant(self, project: Path) -> None:
        for relpath, old, new in self.edits:
            path = project / relpath
            text = path.read_text(encoding="utf-8")
            assert old in text, f"cannot plant {self.name}: {old!r} is not in {relpath}"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")


FAULTS = [
    Fault(
        "unknown-key",
        ((MANIFEST, "        memory: 1Gi\n", '        memory: 1Gi\n        gpu: "1"\n'),),
        ("DEP001 deploy/manifest.yaml: serving.container.resources.limits: unknown key", "'gpu'"),
    ),
    Fault(
        "missing-owner",
        ((MANIFEST, '    team: "{team_mlops}"\n', ""),),
        ("DEP001 deploy/manifest.yaml: metadata.owners.team: is required but missing",),
    ),
    Fault(
        "image-latest",
        ((MANIFEST, ':0.1.0"', ':latest"'),),
        ("DEP004 deploy/manifest.yaml: serving.container.image:", "uses the tag `latest`"),
    ),
    Fault(
        "contract-that-does-not-exist",
        (
            (
                MANIFEST,
                "  - path: contracts/customers.odcs.yaml",
                "  - path: contracts/orders.odcs.yaml",
            ),
        ),
        (
            "DEP002 deploy/manifest.yaml: contracts[0].path:",
            "contracts/orders.odcs.yaml does not exist in contracts/",
        ),
    ),
    Fault(
        "gate-on-a-metric-the-pipeline-does-not-produce",
        (("config/quality-gates.yaml", "  f1:\n", "  f1_macro:\n"),),
        (
            "DEP003 deploy/manifest.yaml: qualityGates.source: config/quality-gates.yaml:"
            " gates.f1_macro: names a metric the pipeline does not produce",
            "(MOD003, owner {team_data_science})",
        ),
    ),
    Fault(
        "kserve-for-batch",
        (
            (MANIFEST, "  runtime: fastapi\n", "  runtime: batch\n"),
            (MANIFEST, "  target: kubernetes\n", "  target: kserve\n"),
        ),
        ("DEP001 deploy/manifest.yaml: serving.target:", "KServe serves online requests only"),
    ),
    Fault(
        "kubernetes-version-without-schemas",
        ((MANIFEST, 'kubernetesVersion: "1.33"', 'kubernetesVersion: "1.99"'),),
        ("DEP005 deploy/rendered/deployment.yaml:", "does not support version 1.99"),
    ),
]


@pytest.fixture(scope="module")
def deploy_project(
    render: RenderFn, python_path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """A committed default render whose `deploy` environment exists, reused per fault."""
    return prepared_project(render, python_path, tmp_path_factory, "planted-deploy", "deploy")


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.name)
def test_planted_manifest_fault_fails_tox_deploy_with_its_message(
    deploy_project: tuple[Path, str], fault: Fault
) -> None:
    project, path = deploy_project
    answers = read_answers(project)
    filled = Fault(
        fault.name,
        tuple((f, old.format(**answers), new) for f, old, new in fault.edits),
        fault.expected,
    )
    tox = tox_with_fault(project, path, filled.plant, "-e", "deploy")
    assert tox.returncode != 0, f"{fault.name}: tox -e deploy passed\n{tail(tox.output)}"
    code = fault.expected[0].split()[0]
    expected = [
        *(text.format(**answers) for text in fault.expected),
        f"owner: {answers['team_mlops']} · docs/deploy.md#{code.lower()}",
    ]
    missing = [text for text in expected if text not in tox.output]
    assert not missing, f"{fault.name}: the failure does not say {missing}\n{tail(tox.output, 40)}"
    assert "Traceback" not in tox.output, f"{fault.name}: a traceback\n{tail(tox.output, 40)}"
    assert not (project / "deploy/rendered").exists(), "nothing is rendered from a bad manifest"


def test_deploy_is_green_again_after_the_faults(deploy_project: tuple[Path, str]) -> None:
    """Guards the fault tests themselves, and shows what a green run reports."""
    project, path = deploy_project
    tox = run_tox(project, path, "-e", "deploy")
    assert tox.returncode == 0, f"a planted fault leaked into the next test\n{tail(tox.output)}"
    assert "Deployment accepted by kubernetes-validate --strict 1.33" in tox.output
