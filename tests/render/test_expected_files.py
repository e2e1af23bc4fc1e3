"""Each option puts the files where that choice needs them, and nothing of the other choice.

Unconditional template files must all be rendered; conditional ones only for their option.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from tests.support import (
    COPIER_CONFIG,
    DEFAULT_COMBO,
    OPTION_QUESTIONS,
    TEMPLATE_ROOT,
    Combo,
    project_files,
    read_answers,
    working_tree_files,
)

# The template's files as Copier sees them (git-ignored files left out), paths unrendered.
TEMPLATE_PATHS = [
    name.removeprefix("template/")
    for name in working_tree_files(TEMPLATE_ROOT)
    if name.startswith("template/")
]
JINJA_IN_PATH = re.compile(r"\{\{|\{%")


def relative_files(project: Path) -> set[str]:
    return {p.relative_to(project).as_posix() for p in project_files(project)}


def test_every_unconditional_template_file_is_rendered(rendered, combo: Combo) -> None:
    files = relative_files(rendered(combo))
    expected = {
        path.removesuffix(".jinja") for path in TEMPLATE_PATHS if not JINJA_IN_PATH.search(path)
    }
    assert expected <= files, f"missing from the render: {sorted(expected - files)}"


def test_answers_file_records_the_answers_and_nothing_computed(rendered, combo: Combo) -> None:
    answers = read_answers(rendered(combo))
    for question, value in combo.data.items():
        assert answers[question] == value, f"{question} recorded as {answers.get(question)!r}"
    asked = {
        name
        for name, spec in COPIER_CONFIG.items()
        if not name.startswith("_") and not (isinstance(spec, dict) and spec.get("when") is False)
    }
    assert asked <= set(answers), f"answers not recorded: {sorted(asked - set(answers))}"
    computed = {name for name in COPIER_CONFIG if not name.startswith("_")} - asked
    leaked = computed & set(answers)
    assert not leaked, f"computed values must not be stored as answers: {sorted(leaked)}"
    assert "_src_path" in answers, "copier update needs _src_path in the answers file"


def test_codeowners_sits_where_the_ci_provider_reads_it(rendered, combo: Combo) -> None:
    files = relative_files(rendered(combo))
    here, not_here = (
        (".github/CODEOWNERS", "CODEOWNERS")
        if combo.ci_provider == "github"
        else ("CODEOWNERS", ".github/CODEOWNERS")
    )
    assert here in files, f"{combo.ci_provider}: CODEOWNERS must be at {here}"
    assert not_here not in files, f"{combo.ci_provider}: stray CODEOWNERS at {not_here}"
    assert not {"docs/CODEOWNERS"} & files, "a second CODEOWNERS makes ownership ambiguous"


def test_ci_files_belong_to_the_chosen_provider_only(rendered, combo: Combo) -> None:
    files = relative_files(rendered(combo))
    github = {f for f in files if f.startswith(".github/")}
    gitlab = {f for f in files if f == ".gitlab-ci.yml" or f.startswith(".gitlab/")}
    if combo.ci_provider == "github":
        assert not gitlab, f"GitLab files in a GitHub project: {sorted(gitlab)}"
    else:
        assert not github, f"GitHub files in a GitLab project: {sorted(github)}"


GITHUB_WORKFLOWS = {
    ".github/workflows/ci.yml",
    ".github/workflows/release.yml",  # releases with build provenance (SEC010)
    ".github/workflows/scorecard.yml",  # OpenSSF Scorecard (SEC011)
    ".github/workflows/template-update.yml",
}


def test_workflows_per_provider_and_each_one_platform_managed(rendered, combo: Combo) -> None:
    """GitHub projects get every workflow, GitLab ones none; a workflow the template renders
    is recorded in `.platform-managed.json`, so an edit or a deletion shows as drift."""
    project = rendered(combo)
    files = relative_files(project)
    workflows = {f for f in files if f.startswith(".github/workflows/")}
    assert workflows == (GITHUB_WORKFLOWS if combo.ci_provider == "github" else set())
    record = json.loads((project / ".platform-managed.json").read_text("utf-8"))
    managed = {entry["path"] for entry in record["files"]}
    assert workflows <= managed, f"workflows not in managed_files: {sorted(workflows - managed)}"
    if combo.ci_provider == "gitlab":
        assert ".gitlab-ci.yml" in managed


def test_package_lives_under_src_with_the_answered_name(rendered, combo: Combo) -> None:
    project = rendered(combo)
    package = read_answers(project)["package_name"]
    assert (project / "src" / package / "__init__.py").is_file(), f"src/{package}/ is no package"
    others = sorted(p.name for p in (project / "src").iterdir() if p.name != package)
    assert not others, f"src/ must hold only the package {package}: also {others}"


def test_chosen_package_name_is_used_everywhere(render, tmp_path: Path) -> None:
    project = render({"package_name": "fraud_scoring"}, tmp_path / "project")
    assert (project / "src" / "fraud_scoring" / "__init__.py").is_file()
    default = read_answers(project)["project_slug"].replace("-", "_")
    stale = [
        str(p.relative_to(project))
        for p in project_files(project)
        if default in p.relative_to(project).as_posix()
    ]
    assert not stale, f"paths still use the derived package name {default}: {stale}"


def test_python_version_reaches_every_tool_setting(rendered, combo: Combo) -> None:
    project = rendered(combo)
    version = combo.python_version
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == f">={version}"
    # ruff reads its target from requires-python; a target-version would say it twice.
    assert "target-version" not in pyproject["tool"]["ruff"]
    assert str(pyproject["tool"]["mypy"]["python_version"]) == version
    tox = tomllib.loads((project / "tox.toml").read_text(encoding="utf-8"))
    assert tox["env_run_base"]["base_python"] == [f"python{version}"]


def test_default_combination_is_what_copier_answers_with_defaults(render, tmp_path: Path) -> None:
    """DEFAULT_COMBO is read from copier.yml; Copier's own `--defaults` render is the judge:
    the options a project gets when nobody answers them (defaults may be templated)."""
    answers = read_answers(render({}, tmp_path / "project"))
    assert {q: answers[q] for q in OPTION_QUESTIONS} == DEFAULT_COMBO.data
    assert DEFAULT_COMBO.id == "github-rest-kubernetes-py312"
