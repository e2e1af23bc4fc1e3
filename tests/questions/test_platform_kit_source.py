"""Where a project installs the platform kit from: the template repository at the release
tag (a git dependency), or the organisation's package index. Either way the kit is pinned to
the template version in every place that installs or runs it."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import copier
import pytest
import yaml
from packaging.requirements import Requirement

from tests.support import KIT_VERSION, RenderFn


def _kit_requirements(project: Path) -> list[Requirement]:
    """Every requirement naming the kit: dependencies, dependency groups, tox deps, and the
    conflict gate's command the README gives (CI runs the same, tests/render checks)."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    tox = tomllib.loads((project / "tox.toml").read_text("utf-8"))
    groups = pyproject["dependency-groups"].values()
    readme = (project / "README.md").read_text("utf-8")
    gate = re.search(
        r"```bash\nuvx --no-config --from '([^']+)' ml-platform conflicts\n```", readme
    )
    assert gate, "the README gives the conflict gate's command"
    listed = [
        *pyproject["project"]["dependencies"],
        *(r for group in groups for r in group if isinstance(r, str)),
        *(r for env in tox["env"].values() for r in env.get("deps", [])),
        gate.group(1),
    ]
    return [Requirement(r) for r in listed if Requirement(r).name == "ml-platform-kit"]


@pytest.mark.parametrize(
    ("source", "pin"),
    [
        ("index", f"=={KIT_VERSION}"),
        ("ssh://git@gitlab.com/acme/ml-platform-template.git", None),
        ("https://github.com/acme/ml-platform-template.git", None),
    ],
)
def test_the_kit_is_pinned_to_the_template_version_everywhere(
    render: RenderFn, tmp_path: Path, source: str, pin: str | None
) -> None:
    project = render({"platform_kit_source": source}, tmp_path / "project")
    requirements = _kit_requirements(project)
    # the project, security, posture, audit, sbom, conventions, the conflict gate
    assert len(requirements) == 7, requirements
    for requirement in requirements:
        if pin:
            assert (str(requirement.specifier), requirement.url) == (pin, None), requirement
        else:
            assert requirement.url == f"git+{source}@v{KIT_VERSION}", requirement
    direct = pin is None
    pyproject = (project / "pyproject.toml").read_text("utf-8")
    dockerfile = (project / "Dockerfile").read_text("utf-8")
    assert ("allow-direct-references = true" in pyproject) == direct, "hatchling needs it for git"
    assert ("apt-get install -y --no-install-recommends git" in dockerfile) == direct


@pytest.mark.parametrize("provider", ["github", "gitlab"])
def test_dependency_bots_leave_the_kit_to_copier_update(
    render: RenderFn, tmp_path: Path, provider: str
) -> None:
    """The kit's pin is the template version: Dependabot's pip updates (GitHub) and Renovate's
    pep621 manager (GitLab) read pyproject.toml, so each must skip the kit."""
    project = render({"ci_provider": provider}, tmp_path / "project")
    if provider == "github":
        dependabot = yaml.safe_load((project / ".github/dependabot.yml").read_text("utf-8"))
        [pip] = [u for u in dependabot["updates"] if u["package-ecosystem"] == "pip"]
        assert {"dependency-name": "ml-platform-kit"} in pip["ignore"], pip
    else:
        renovate = json.loads((project / "renovate.json").read_text("utf-8"))
        assert "pep621" in renovate["enabledManagers"]
        disabled = [r for r in renovate["packageRules"] if r.get("enabled") is False]
        assert [r["matchPackageNames"] for r in disabled] == [["ml-platform-kit"]], disabled


def test_a_release_renders_the_kit_from_its_own_repository_at_its_tag(
    template_repo: Path, tmp_path: Path
) -> None:
    """`copier copy` of the release, with the default answers: the kit installs from the
    repository the template came from, at the same tag."""
    project = tmp_path / "project"
    copier.run_copy(
        str(template_repo), project, defaults=True, vcs_ref=f"v{KIT_VERSION}", quiet=True
    )
    [kit] = [r for r in _kit_requirements(project) if r.extras == {"pipeline"}]
    assert kit.url == f"git+{template_repo.as_uri()}@v{KIT_VERSION}", kit


def test_a_copy_from_a_relative_path_pins_the_repository_by_its_absolute_url(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`copier copy --defaults ../template project`, the way a person copies from a clone
    next door: the default source is that clone's absolute file:// URL, not a refusal."""
    monkeypatch.chdir(template_repo.parent)
    project = tmp_path / "project"
    copier.run_copy(
        template_repo.name, project, defaults=True, vcs_ref=f"v{KIT_VERSION}", quiet=True
    )
    [kit] = [r for r in _kit_requirements(project) if r.extras == {"pipeline"}]
    assert kit.url == f"git+{template_repo.as_uri()}@v{KIT_VERSION}", kit
