"""The generated project's SBOM (SEC009) is valid CycloneDX and lists what the project needs.

`tox -e sbom` of a default render, run by the project's own tox, writes
`reports/sbom.cdx.json`; the outside judge is cyclonedx-python-lib's strict JSON validator
with the CycloneDX 1.6 schema it ships (offline), in an environment of its own
(`sbom_judge.py`); it refuses a document that breaks the schema. Every direct dependency of
the rendered `[project].dependencies` must be a component with the version that resolved
(inside the declared range) and its package URL, hanging from the project as the root
component; no tool of the SBOM environment itself may appear.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import (
    COPIER_CONFIG,
    DEFAULT_COMBO,
    TEMPLATE_ROOT,
    RenderFn,
    git_init_commit,
    run_tox,
    tail,
    tool_env,
    tracked_changes,
)

SBOM = Path("reports/sbom.cdx.json")
# What the SBOM environment installs to do its job; none of it ships in the image.
TOOLS = {"cyclonedx-bom", "cyclonedx-python-lib", "uv", "tox", "pip", "pytest"}


def _pyproject(project: Path) -> dict[str, Any]:
    return tomllib.loads((project / "pyproject.toml").read_text("utf-8"))


JUDGE = Path(__file__).with_name("sbom_judge.py")


def judge_sboms(*sboms: Path) -> subprocess.CompletedProcess[str]:
    """The judge's verdict on `sboms`, run by uv in a throwaway environment of this
    repository's `sbom-judge` dependency group (pinned there)."""
    group = _pyproject(TEMPLATE_ROOT)["dependency-groups"]["sbom-judge"]
    uv_run = [sys.executable, "-m", "uv", "run", "--isolated", "--no-project", "--quiet"]
    judge = ["python", str(JUDGE), *map(str, sboms)]
    return subprocess.run(
        [*uv_run, "--python", sys.executable, *(f"--with={r}" for r in group), *judge],
        capture_output=True,
        text=True,
        check=False,
        env=tool_env(),
    )


def test_the_sbom_judge_refuses_a_document_the_schema_does_not_allow(tmp_path: Path) -> None:
    document = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1}
    valid, nameless = tmp_path / "valid.cdx.json", tmp_path / "nameless.cdx.json"
    valid.write_text(json.dumps(document), "utf-8")
    nameless.write_text(json.dumps({**document, "components": [{"type": "library"}]}), "utf-8")
    judged = judge_sboms(valid, nameless)
    assert judged.returncode == 1, f"exit {judged.returncode}\n{judged.stdout}{judged.stderr}"
    verdict = judged.stdout
    assert verdict.startswith(f"{nameless} is not valid CycloneDX 1.6: "), verdict
    assert "'name' is a required property" in verdict, verdict
    assert str(valid) not in verdict, "the valid document is named as invalid"


def test_sbom_environment_is_on_demand_and_pins_its_generator(rendered) -> None:
    project = rendered(DEFAULT_COMBO)
    tox = tomllib.loads((project / "tox.toml").read_text("utf-8"))
    assert "sbom" in tox["env"], "tox.toml defines the sbom environment"
    assert "sbom" not in tox["env_list"], "sbom is built on demand and in CI, not by `tox`"
    assert tox["env_list"] == json.loads(COPIER_CONFIG["check_environments"]["default"])
    assert tox["env"]["sbom"]["dependency_groups"] == ["sbom"]
    group = _pyproject(project)["dependency-groups"]["sbom"]
    pins = [Requirement(r) for r in group if Requirement(r).name == "cyclonedx-bom"]
    assert len(pins) == 1, f"the sbom group holds cyclonedx-bom: {group}"
    assert str(pins[0].specifier).startswith("=="), f"pinned exactly: {pins[0]}"


def _vcs_source(component: dict) -> list[str]:
    """[repository URL, requested revision] that the SBOM records for a git dependency."""
    [vcs] = [ref for ref in component.get("externalReferences", []) if ref["type"] == "vcs"]
    revision = {p["name"]: p["value"] for p in component.get("properties", [])}
    return [
        vcs["url"].split("#", 1)[0],
        revision["cdx:python:package:source:vcs:requested_revision"],
    ]


@pytest.mark.slow
def test_sbom_of_the_default_project_is_valid_cyclonedx_listing_its_dependencies(
    render: RenderFn, python_path, tmp_path: Path
) -> None:
    project = render(DEFAULT_COMBO.data, tmp_path / DEFAULT_COMBO.id)
    git_init_commit(project)
    tox = run_tox(project, python_path(DEFAULT_COMBO.python_version), "-e", "sbom")
    assert tox.returncode == 0, (
        f"tox -e sbom failed (exit {tox.returncode}, {tox.seconds:.0f}s) in {project}\n"
        f"{tail(tox.output, 60)}"
    )
    judged = judge_sboms(project / SBOM)
    assert judged.returncode == 0, judged.stdout + judged.stderr
    text = (project / SBOM).read_text("utf-8")
    assert not list((project / SBOM.parent).glob("*.tmp")), "written atomically, no leftover"

    bom = json.loads(text)
    assert (bom["bomFormat"], bom["specVersion"]) == ("CycloneDX", "1.6")
    metadata = _pyproject(project)["project"]
    root = bom["metadata"]["component"]
    assert (root["name"], root["version"]) == (metadata["name"], metadata["version"])
    components = {canonicalize_name(c["name"]): c for c in bom["components"]}
    print(f"\n{SBOM} of {DEFAULT_COMBO}: {len(components)} components")

    direct = [Requirement(spec) for spec in metadata["dependencies"]]
    missing = [str(r) for r in direct if canonicalize_name(r.name) not in components]
    assert not missing, f"direct dependencies missing from {SBOM}: {missing}"
    for requirement in direct:
        component = components[canonicalize_name(requirement.name)]
        version = component.get("version", "")
        assert version, f"{requirement.name}: no version in {SBOM}"
        assert requirement.specifier.contains(version), f"{requirement}: {version} resolved"
        if requirement.url:  # the platform kit from the template repository, at its tag
            assert _vcs_source(component) == requirement.url.removeprefix("git+").rsplit("@", 1)
            continue
        assert component.get("purl", "").lower() == (
            f"pkg:pypi/{canonicalize_name(requirement.name)}@{version}".lower()
        ), f"{requirement.name}: package URL {component.get('purl')!r}"
    [root_deps] = [d for d in bom["dependencies"] if d["ref"] == root["bom-ref"]]
    expected = {components[canonicalize_name(r.name)]["bom-ref"] for r in direct}
    assert set(root_deps["dependsOn"]) == expected, "the project depends on its direct deps"

    tools = TOOLS & set(components)
    assert not tools, f"the SBOM lists the SBOM tooling, not the image's environment: {tools}"
    changed = tracked_changes(project)
    assert not changed, f"tox -e sbom changed tracked files:\n{changed}"
