"""What docs/updating.md tells a team about `copier update` holds for this template.

One tagged template repository in two releases and one project from the first: an update
of a dirty tree is refused; an update whose change meets a team edit exits normally with
conflict markers in place (so the markers must be searched for); `git reset --hard` and
`git clean -fd` bring the project back to where it was.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import copier
import pytest

from tests.support import TEMPLATE_ROOT, git, git_init_commit, snapshot_working_tree

PAGE = TEMPLATE_ROOT / "docs" / "updating.md"
CHANGED = "docs/code-quality.md"  # a platform-managed page both releases carry
LINE = "## Why the teams agreed on it"


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repository tagged v1.0.0 and v1.1.0; the release changes one line."""
    repo = snapshot_working_tree(TEMPLATE_ROOT, tmp_path_factory.mktemp("releases") / "tpl")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "Release 1.0.0")
    git(repo, "tag", "v1.0.0")
    source = repo / "template" / f"{CHANGED}.jinja"
    text = source.read_text(encoding="utf-8")
    assert LINE in text, f"{CHANGED} no longer has the line this test changes"
    source.write_text(text.replace(LINE, f"{LINE} (release 1.1)"), encoding="utf-8")
    git(repo, "commit", "-q", "--no-verify", "-am", "Release 1.1.0")
    git(repo, "tag", "v1.1.0")
    return repo


@pytest.fixture(scope="module")
def project(releases: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = tmp_path_factory.mktemp("project") / "p"
    copier.run_copy(str(releases), dst, defaults=True, vcs_ref="v1.0.0", quiet=True)
    git_init_commit(dst)
    return dst


def _update(project: Path) -> None:
    copier.run_update(project, defaults=True, overwrite=True, quiet=True, vcs_ref="v1.1.0")


def _status(project: Path) -> str:
    return git(project, "status", "--porcelain")


def test_the_page_says_what_this_test_checks() -> None:
    text = PAGE.read_text(encoding="utf-8")
    claims = ("Copier refuses to update a dirty tree", "**and still exits 0**", "git reset --hard")
    for claim in claims:
        assert claim in text, f"docs/updating.md no longer says: {claim}"


def test_update_is_refused_on_a_dirty_tree_and_conflicts_exit_normally(project: Path) -> None:
    page = project / CHANGED
    page.write_text(page.read_text("utf-8").replace(LINE, f"{LINE} (team)"), encoding="utf-8")
    with pytest.raises(Exception, match=r"(?i)dirty") as refused:
        _update(project)
    assert "v1.0.0" in (project / ".copier-answers.yml").read_text("utf-8"), refused.value

    git(project, "commit", "-q", "--no-verify", "-am", "Team edit")
    before = git(project, "rev-parse", "HEAD")
    _update(project)  # returns normally: no exception, although the merge conflicted
    merged = page.read_text(encoding="utf-8")
    assert "<<<<<<< before updating" in merged, merged[:2000]
    assert ">>>>>>> after updating" in merged
    assert "_commit: v1.1.0" in (project / ".copier-answers.yml").read_text("utf-8")

    git(project, "reset", "-q", "--hard")
    git(project, "clean", "-q", "-fd")
    assert _status(project) == "", _status(project)
    assert git(project, "rev-parse", "HEAD") == before
    assert "<<<<<<<" not in page.read_text(encoding="utf-8")
    grep = subprocess.run(
        ["git", "grep", "-n", "-e", "^<<<<<<<"], cwd=project, capture_output=True, check=False
    )
    assert grep.returncode == 1, "no conflict markers remain after the reset"
