"""The platform kit's update commands on a generated project, as the scheduled update runs them.

`ml-platform update-report` writes the body of the scheduled update's pull/merge request:
the template's CHANGELOG entries between the old and the new `_commit`, and the conflicts
left behind. `ml-platform conflicts` is the conflict gate (its CI run is in tests/planted).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.support import DEFAULT_COMBO, git, git_init_commit, run_kit

CHANGELOG = """\
# Changelog

One entry per release.

## Unreleased

- unreleased: a convention still in review

## v0.3.0 — 2026-03-01

### Conventions changed
- three: CI gains a conflict gate

## v0.2.0 — 2026-02-01

- two: notebooks carry no outputs

## v0.1.0 — 2026-01-01

- one: first version
"""
MARKERS = ("<" * 7 + " before updating", "=" * 7, ">" * 7 + " after updating")


@pytest.fixture
def project(rendered, tmp_path: Path) -> Path:
    """A committed copy of the default render that a test may change."""
    copy = shutil.copytree(rendered(DEFAULT_COMBO), tmp_path / "project")
    git_init_commit(copy)
    return copy


@pytest.mark.parametrize(
    ("old", "new", "included", "left_out"),
    [
        ("v0.1.0", "v0.3.0", ["## v0.3.0", "three", "## v0.2.0", "two"], ["one", "unreleased"]),
        ("v0.2.0", "v0.3.0", ["three"], ["two", "one", "unreleased"]),
        ("v0.2.0", "v0.3.0-2-g1234abc", ["## Unreleased", "unreleased", "three"], ["two"]),
        ("0.1.0", "0.2.0", ["two"], ["three", "one"]),
    ],
    ids=["two-releases", "one-release", "past-the-tag", "tags-without-v"],
)
def test_changelog_excerpt_lists_the_releases_between_old_and_new(
    project: Path, tmp_path: Path, old: str, new: str, included: list[str], left_out: list[str]
) -> None:
    sample = tmp_path / "CHANGELOG.md"
    sample.write_text(CHANGELOG, "utf-8")
    args = ("--changelog", str(sample), "--old-commit", old, "--new-commit", new)
    result = run_kit(project, "update-report", *args)
    assert result.returncode == 0, result.stderr
    missing = [text for text in included if text not in result.stdout]
    extra = [text for text in left_out if text in result.stdout]
    assert not missing, f"{old}..{new}: excerpt lacks {missing}:\n{result.stdout}"
    assert not extra, f"{old}..{new}: excerpt holds {extra}:\n{result.stdout}"
    assert "One entry per release" not in result.stdout, "the preamble is no release"


def test_no_new_release_gives_an_empty_excerpt(project: Path, tmp_path: Path) -> None:
    sample = tmp_path / "CHANGELOG.md"
    sample.write_text(CHANGELOG, "utf-8")
    args = ("--changelog", str(sample), "--old-commit", "v0.3.0", "--new-commit", "v0.3.0")
    result = run_kit(project, "update-report", *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def _template_repository(root: Path) -> Path:
    """A small template repository: CHANGELOG.md at two tagged releases."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    first = "# Changelog\n\n## v0.1.0 — 2026-01-01\n\n- one: first version\n"
    (root / "CHANGELOG.md").write_text(first, "utf-8")
    git(root, "add", "CHANGELOG.md")
    git(root, "commit", "-q", "-m", "v0.1.0")
    git(root, "tag", "v0.1.0")
    (root / "CHANGELOG.md").write_text(CHANGELOG, "utf-8")
    git(root, "commit", "-q", "-am", "v0.3.0")
    git(root, "tag", "v0.3.0")
    return root


def _set_answers(project: Path, **values: str) -> None:
    path = project / ".copier-answers.yml"
    answers = yaml.safe_load(path.read_text("utf-8"))
    answers.update(values)
    path.write_text(yaml.safe_dump(answers, sort_keys=False), "utf-8")


def test_update_body_lists_template_changes_and_conflicts(project: Path, tmp_path: Path) -> None:
    template = _template_repository(tmp_path / "template-repo")
    _set_answers(project, _commit="v0.3.0", _src_path=str(template))
    current = run_kit(project, "update-report", "--current-commit")
    assert current.stdout.strip() == "v0.3.0", current.stderr
    with (project / "README.md").open("a", encoding="utf-8") as readme:
        readme.write("\n".join(MARKERS) + "\n")
    (project / "tox.toml.rej").write_text("@@ -1 +1 @@\n", "utf-8")
    body = tmp_path / "body.md"
    result = run_kit(project, "update-report", "--old-commit", "v0.1.0", "--output", str(body))
    assert result.returncode == 0, result.stderr
    text = body.read_text("utf-8")
    for expected in ("`v0.1.0` to `v0.3.0`", "three: CI gains", "two: notebooks", "UPD001"):
        assert expected in text, f"the body does not say {expected!r}:\n{text}"
    assert "README.md:" in text, text
    assert "`UPD002` `tox.toml.rej`" in text, text
    assert "one: first version" not in text, "the old release's entries are not news"


def test_update_body_says_when_the_changelog_cannot_be_read(project: Path) -> None:
    _set_answers(project, _commit="v0.3.0", _src_path=str(project / "no-such-template"))
    result = run_kit(project, "update-report", "--old-commit", "v0.1.0")
    assert result.returncode == 0, result.stderr
    assert "Could not read the template's CHANGELOG.md" in result.stdout
    assert "None: the update applied cleanly." in result.stdout


def test_current_commit_refuses_an_unusable_commit(project: Path) -> None:
    _set_answers(project, _commit="--upload-pack=evil")
    result = run_kit(project, "update-report", "--current-commit")
    assert result.returncode == 1
    assert "UPD003 .copier-answers.yml" in result.stderr


def test_conflict_gate_ignores_a_markdown_heading_underline(project: Path) -> None:
    """`=======` alone underlines a heading; only start and end markers are conflicts."""
    (project / "docs" / "notes.md").write_text("Notes\n" + "=" * 7 + "\n\ntext\n", "utf-8")
    result = run_kit(project, "conflicts")
    assert result.returncode == 0, result.stdout
