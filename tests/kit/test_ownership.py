"""Ownership (OWN001-OWN006) on small projects: CODEOWNERS where the CI provider reads it,
the four teams and only they as owners, each area of the recorded ownership table with its
team, and platform-managed files that say so. A CODEOWNERS finding is the platform team's,
which owns CODEOWNERS, whichever area it is about."""

from __future__ import annotations

from datetime import date

import pytest

from ml_platform_kit.ownership import ownership
from ml_platform_kit.project import Project
from ml_platform_kit.waivers import apply, judge
from tests.kit.managed import managed, write

PLATFORM = "@acme/ml-platform"


def edit_codeowners(project: Project, old: str, new: str) -> Project:
    path = project.root / ".github/CODEOWNERS"
    text = path.read_text("utf-8")
    assert old in text, f"cannot plant: {old!r} is not in CODEOWNERS"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return Project(project.root)  # CODEOWNERS is read once per Project


def codes(project: Project) -> list[tuple[str, str, str]]:
    return [(f.code, f.where, f.owner) for f in ownership(project)]


@pytest.mark.check("OWN001", "passes")
@pytest.mark.check("OWN002", "passes")
@pytest.mark.check("OWN003", "passes")
@pytest.mark.check("OWN004", "passes")
@pytest.mark.check("OWN005", "passes")
@pytest.mark.check("OWN006", "passes")
def test_codeowners_as_the_template_renders_it_passes(project: Project) -> None:
    project = managed(project)
    for directory in ("contracts", "data", "src", "deploy"):
        (project.root / directory).mkdir()
    assert ownership(project) == []


@pytest.mark.check("OWN001", "fails")
def test_codeowners_where_the_ci_provider_does_not_read_it(project: Project) -> None:
    (project.root / ".github/CODEOWNERS").rename(project.root / "CODEOWNERS")
    (found,) = ownership(project)
    assert (found.code, found.where, found.owner) == ("OWN001", ".github/CODEOWNERS", PLATFORM)
    assert found.problem == (
        "missing; github reads ownership from here, not from CODEOWNERS: "
        "move it (`git mv CODEOWNERS .github/CODEOWNERS`)"
    )


def test_gitlab_reads_codeowners_at_the_root(project: Project) -> None:
    answers = project.root / ".copier-answers.yml"
    answers.write_text(answers.read_text("utf-8").replace("github", "gitlab"), "utf-8")
    assert [f.where for f in ownership(project)] == ["CODEOWNERS"]
    (project.root / ".github/CODEOWNERS").rename(project.root / "CODEOWNERS")
    assert ownership(Project(project.root)) == []


@pytest.mark.check("OWN002", "fails")
def test_a_team_that_owns_no_path(project: Project) -> None:
    project = edit_codeowners(project, "/deploy/ @acme/mlops\n/Dockerfile @acme/mlops\n", "")
    (found,) = ownership(project)
    assert (found.code, found.where, found.owner) == ("OWN002", ".github/CODEOWNERS", PLATFORM)
    assert found.problem.startswith("team_mlops (@acme/mlops) owns no path")


@pytest.mark.check("OWN003", "fails")
def test_a_handle_that_is_none_of_the_four_teams(project: Project) -> None:
    project = edit_codeowners(
        project, "/src/ @acme/data-science\n", "/src/ @acme/data-science @jo\n"
    )
    (found,) = ownership(project)
    assert (found.code, found.where, found.owner) == ("OWN003", ".github/CODEOWNERS:4", PLATFORM)
    assert found.problem.startswith("`/src/` is owned by @jo, which is not one of the four teams")


@pytest.mark.check("OWN004", "fails")
def test_an_area_given_to_another_team(project: Project) -> None:
    project = edit_codeowners(project, "/Dockerfile @acme/mlops", "/Dockerfile @acme/data-science")
    project = managed(project)
    (found,) = ownership(project)
    assert (found.code, found.where, found.owner) == ("OWN004", "Dockerfile", PLATFORM)
    assert found.problem == (
        ".github/CODEOWNERS gives Dockerfile to @acme/data-science (rule `/Dockerfile`, line 6), "
        "but the ownership table gives it to MLOps (@acme/mlops); make `/Dockerfile @acme/mlops` "
        "the last rule that matches it (or restore .github/CODEOWNERS)"
    )


def test_a_later_rule_that_takes_an_area_away(project: Project) -> None:
    """The last matching rule wins: a broad rule below a team's own takes the area away."""
    codeowners = project.root / ".github/CODEOWNERS"
    codeowners.write_text(codeowners.read_text("utf-8") + "*.yaml @acme/ml-platform\n", "utf-8")
    project = managed(Project(project.root))
    assert ownership(project) == []  # no area of the table is a YAML file
    codeowners.write_text(codeowners.read_text("utf-8") + "/deploy/** @acme/ml-platform\n", "utf-8")
    (found,) = ownership(managed(Project(project.root)))
    assert (found.code, found.where) == ("OWN004", "deploy/")
    assert "(rule `/deploy/**`, line 8)" in found.problem


def test_the_fallback_given_to_another_team(project: Project) -> None:
    project = managed(edit_codeowners(project, "* @acme/ml-platform", "* @acme/mlops"))
    assert [(f.code, f.where) for f in ownership(project)] == [
        ("OWN002", ".github/CODEOWNERS"),  # the platform team owns nothing any more
        ("OWN004", ".github/CODEOWNERS:1"),
    ]


@pytest.mark.check("OWN005", "fails")
def test_a_managed_file_without_its_header(project: Project) -> None:
    project = managed(project)
    (project.root / "docs/ci.md").write_text("# CI\n", "utf-8")
    (found,) = ownership(project)
    assert (found.code, found.where, found.owner) == ("OWN005", "docs/ci.md", PLATFORM)
    assert "lost its 'Managed by the ML platform template' header line" in found.problem


def test_a_deleted_managed_file_is_drift_not_a_lost_header(project: Project) -> None:
    project = managed(project)
    (project.root / "docs/ci.md").unlink()
    assert ownership(project) == []


@pytest.mark.check("OWN006", "fails")
def test_a_directory_only_the_fallback_claims(project: Project) -> None:
    project = managed(
        edit_codeowners(project, "/deploy/ @acme/mlops\n", "/deployment/ @acme/mlops\n")
    )
    (project.root / "deploy").mkdir()
    (found,) = ownership(project)
    assert (found.code, found.where, found.owner) == ("OWN006", "deploy/", PLATFORM)
    assert found.problem == (
        "no rule in .github/CODEOWNERS covers deploy/ (only the `*` fallback), so changes to it "
        "need no approval from MLOps (@acme/mlops); add the line `/deploy/ @acme/mlops` "
        "(or restore .github/CODEOWNERS)"
    )


def test_a_directory_the_project_does_not_have_needs_no_rule(project: Project) -> None:
    project = managed(
        edit_codeowners(project, "/deploy/ @acme/mlops\n", "/deployment/ @acme/mlops\n")
    )
    assert ownership(project) == []


def test_a_waiver_covers_a_directory_without_its_rule(project: Project) -> None:
    project = managed(
        edit_codeowners(project, "/deploy/ @acme/mlops\n", "/deployment/ @acme/mlops\n")
    )
    (project.root / "deploy").mkdir()
    write(
        project,
        "config/waivers.yaml",
        "waivers:\n  - {rule: OWN006, path: deploy/, reason: moving to a new team, "
        "approved_by: '@acme/ml-platform', expires: 2027-01-31}\n",
    )
    failing, waived = apply(ownership(project), judge(project, date(2027, 1, 31)))
    assert failing == []
    assert [f.where for f, _ in waived] == ["deploy/"]
