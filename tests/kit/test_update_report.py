"""`ml-platform update-report`: `_commit` before the update (UPD003 when there is none), the
template's CHANGELOG between two releases, and the pull request's body with the conflicts an
update left; template versions compared with packaging.version."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from packaging.version import Version

from ml_platform_kit.cli import main
from ml_platform_kit.project import Project
from ml_platform_kit.update_report import body, changelog_excerpt, release_of
from tests.kit.managed import write

CHANGELOG = """\
# Changelog

One entry per release.

## Unreleased

- unreleased: a convention still in review

## v0.10.0 — 2026-04-01

- ten: a release whose minor has two digits

## v0.3.0 — 2026-03-01

### Conventions changed
- three: CI gains a conflict gate

## [0.2.0] - 2026-02-01

- two: notebooks carry no outputs

## v0.1.0 — 2026-01-01

- one: first version
"""


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout


@pytest.mark.parametrize(
    ("commit", "release"),
    [
        ("v1.2.0", (Version("1.2.0"), False)),
        ("1.2.0", (Version("1.2.0"), False)),
        ("v1.2.0-3-gabc1234", (Version("1.2.0"), True)),
        ("v1.2.0-0-gabc1234", (Version("1.2.0"), False)),
        ("v1.10.0", (Version("1.10.0"), False)),
        ("v2.0.0rc1", None),
        ("v1.2", None),
        ("main", None),
        ("", None),
    ],
)
def test_a_commit_names_a_release_or_none(
    commit: str, release: tuple[Version, bool] | None
) -> None:
    assert release_of(commit) == release


@pytest.mark.parametrize(
    ("old", "new", "included", "left_out"),
    [
        ("v0.1.0", "v0.3.0", ["## v0.3.0", "three", "## [0.2.0]", "two"], ["one", "unreleased"]),
        ("v0.2.0", "v0.3.0", ["three"], ["two", "one", "unreleased", "ten"]),
        ("v0.2.0", "v0.3.0-2-g1234abc", ["## Unreleased", "unreleased", "three"], ["two"]),
        ("0.1.0", "0.2.0", ["two"], ["three", "one"]),
        ("v0.3.0", "v0.10.0", ["ten"], ["three"]),  # 10 > 3 as versions, not as text
    ],
    ids=["two-releases", "one-release", "past-the-tag", "tags-without-v", "two-digits"],
)
def test_the_excerpt_lists_the_releases_between_old_and_new(
    old: str, new: str, included: list[str], left_out: list[str]
) -> None:
    excerpt = changelog_excerpt(CHANGELOG, old, new)
    for text in included:
        assert text in excerpt
    for text in left_out:
        assert text not in excerpt
    assert "# Changelog" not in excerpt


def test_the_excerpt_from_a_local_changelog_on_the_command_line(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    changelog = write(project, "CHANGELOG.md", CHANGELOG)
    args = ["--old-commit", "v0.2.0", "--new-commit", "v0.3.0", "--changelog", str(changelog)]
    assert main(["--root", str(project.root), "update-report", *args]) == 0
    assert capsys.readouterr().out == changelog_excerpt(CHANGELOG, "v0.2.0", "v0.3.0") + "\n"


@pytest.mark.check("UPD003", "passes")
def test_the_current_commit_is_printed_alone(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(project.root), "update-report", "--current-commit"]) == 0
    assert capsys.readouterr().out == "v2.0.0\n"


@pytest.mark.check("UPD003", "fails")
@pytest.mark.parametrize("commit", ["", "'-oProxyCommand=x'", "'v1.0.0; rm -rf /'"])
def test_no_usable_commit_is_named(
    project: Project, capsys: pytest.CaptureFixture[str], commit: str
) -> None:
    answers = project.root / ".copier-answers.yml"
    answers.write_text(answers.read_text("utf-8").replace("v2.0.0", commit), "utf-8")
    assert main(["--root", str(project.root), "update-report", "--current-commit"]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("UPD003 .copier-answers.yml: no usable _commit"), line
    assert line.endswith("· owner: @acme/ml-platform · docs/ci.md#upd003"), line


def test_a_mode_is_required(project: Project) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--root", str(project.root), "update-report"])
    assert exited.value.code == 2


@pytest.fixture
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repository with two releases, outside the project."""
    repo = tmp_path_factory.mktemp("template")
    git(repo, "init", "-q", "-b", "main")
    for version, line in (("0.1.0", "one"), ("0.2.0", "two")):
        text = (repo / "CHANGELOG.md").read_text("utf-8") if version != "0.1.0" else "# Log\n"
        (repo / "CHANGELOG.md").write_text(
            text.replace("# Log\n", f"# Log\n\n## {version}\n\n- {line}\n"), "utf-8"
        )
        git(repo, "add", "-A")
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", version)
        git(repo, "tag", f"v{version}")
    return repo


def test_the_body_reads_the_templates_changelog_and_lists_the_conflicts(
    project: Project, template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    answers = project.root / ".copier-answers.yml"
    relative = os.path.relpath(template, project.root)  # as Copier records a local path
    answers.write_text(
        answers.read_text("utf-8").replace("v2.0.0", "v0.2.0") + f"_src_path: {relative}\n",
        "utf-8",
    )
    write(project, "tox.toml.rej", "@@ -1 +1 @@\n")
    output = tmp_path_factory.mktemp("out") / "body.md"
    args = ["update-report", "--old-commit", "v0.1.0", "--output", str(output)]
    assert main(["--root", str(project.root), *args]) == 0
    text = output.read_text("utf-8")
    assert text.startswith("Template update from `v0.1.0` to `v0.2.0`")
    assert "## 0.2.0\n\n- two" in text
    assert "- one" not in text
    assert "the conflict gate (CI's first job, `ml-platform conflicts`)" in text
    assert "- `UPD002` `tox.toml.rej`: hunks copier update could not apply" in text


def test_the_body_says_when_the_changelog_cannot_be_read(project: Project) -> None:
    text = body(Project(project.root), "v1.0.0", "v2.0.0")
    assert "_Could not read the template's CHANGELOG.md from ``:" in text
    assert "None: the update applied cleanly." in text
