"""What docs/updating.md tells a team about `copier update` holds for this template.

Each row of the page's "Known Copier pitfalls" table, and the recovery it promises, is
shown here on this repository's own releases (tagged from CHANGELOG.md, as the update
tests do): a dirty tree is refused; conflicts exit normally with markers in place; a
release without its tag skips its migrations silently, so a renamed question falls back to
its default; migrations need `--trust`, which `--skip-tasks` does not lift; a deleted file
stays deleted; a relative template path breaks updates from the project directory; and
`git reset --hard` plus `git clean -fd` bring the project back.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from copier.errors import UnsafeTemplateError, UserMessageError
from template_repository import release_in_preparation

from tests.support import TEMPLATE_ROOT, git, read_answers, run_kit
from tests.updates.history import copy_at, fresh_render, recorded_releases, update

PAGE = TEMPLATE_ROOT / "docs" / "updating.md"
OLDEST = recorded_releases()[0][0]
BATCH = {"serving": "batch", "serving_mode": "batch"}  # in every release's spelling
# A platform-managed line the release after the oldest changes (the manifest field it names).
CHANGED_PAGE, CHANGED_LINE = "docs/security.md", "at release and drop the skip |"


def pitfall_rows() -> dict[str, str]:
    """The page's pitfalls table: first cell -> the whole row."""
    text = PAGE.read_text(encoding="utf-8")
    table = text.split("## Known Copier pitfalls", 1)[1]
    return {
        cells[1].strip(): row
        for row in table.splitlines()
        if row.startswith("|") and len(cells := row.split("|")) > 3
    }


def test_the_page_has_a_row_for_each_pitfall_shown_here() -> None:
    rows = pitfall_rows()
    for name in (
        "dirty tree",
        "conflicts exit 0",
        "missing tags",
        "`--trust`",
        "deleted files",
        "renamed question",
        "relative template path",
    ):
        assert name in rows, f"docs/updating.md has no pitfall row {name!r}; rows: {list(rows)}"
    text = PAGE.read_text(encoding="utf-8")
    for claim in ("**and still exits 0**", "git reset --hard", "git clean -fd"):
        assert claim in text, f"docs/updating.md no longer says: {claim}"


def test_dirty_tree_is_refused_and_conflicts_exit_normally(
    template_repo: Path, tmp_path: Path
) -> None:
    project = copy_at(template_repo, OLDEST, tmp_path / "p")
    page = project / CHANGED_PAGE
    text = page.read_text("utf-8")
    assert CHANGED_LINE in text, f"{CHANGED_PAGE} no longer has the line this test changes"
    page.write_text(text.replace(CHANGED_LINE, "and drop it (OPS-7) |"), encoding="utf-8")
    with pytest.raises(UserMessageError, match=r"(?i)dirty"):
        update(project)
    assert f"_commit: v{OLDEST}" in (project / ".copier-answers.yml").read_text("utf-8")

    git(project, "commit", "-q", "--no-verify", "-am", "Team edit")
    before = git(project, "rev-parse", "HEAD")
    update(project)  # returns normally: no exception, although the merge conflicted
    merged = page.read_text(encoding="utf-8")
    assert "<<<<<<< before updating" in merged
    assert ">>>>>>> after updating" in merged

    git(project, "reset", "-q", "--hard")
    git(project, "clean", "-q", "-fd")
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == before
    grep = subprocess.run(["git", "grep", "-n", "-e", "^<<<<<<<"], cwd=project, capture_output=True)
    assert grep.returncode == 1, "no conflict markers remain after the reset"


def test_missing_tag_skips_migrations_silently_and_a_renamed_answer_falls_back(
    template_repo: Path, tmp_path: Path
) -> None:
    untagged = tmp_path / "template-without-newer-tags"
    subprocess.run(["git", "clone", "-q", str(template_repo), str(untagged)], check=True)
    # Every release after the oldest, and the one in preparation (HEAD) if CHANGELOG has it.
    newer = [f"v{version}" for version, _ in recorded_releases()[1:]]
    preparing = release_in_preparation()
    assert newer or preparing, "needs a release after the oldest"
    git(untagged, "tag", "-d", *newer, *([f"v{preparing}"] if preparing else []))
    project = copy_at(untagged, OLDEST, tmp_path / "p", BATCH)

    update(project)  # returns normally, with no migration run
    manifest = (project / "deploy/manifest.yaml").read_text("utf-8")
    assert "apiVersion: ml-platform/v1" in manifest, "the manifest migration did not run"
    answers = read_answers(project)
    assert answers["serving_mode"] == "rest", "the renamed question fell back to its default"
    assert "serving" not in answers

    git(project, "reset", "-q", "--hard")
    git(project, "clean", "-q", "-fd")
    for version, commit in recorded_releases()[1:]:  # the fix: the release tags
        git(untagged, "tag", f"v{version}", commit)
    if preparing:
        git(untagged, "tag", f"v{preparing}", "HEAD")
    update(project)
    assert "apiVersion: ml-platform/v2" in (project / "deploy/manifest.yaml").read_text("utf-8")
    assert read_answers(project)["serving_mode"] == "batch"


@pytest.mark.parametrize("skip_tasks", [False, True], ids=["plain", "skip-tasks"])
def test_migrations_need_trust_and_skip_tasks_does_not_lift_it(
    template_repo: Path, tmp_path: Path, skip_tasks: bool
) -> None:
    project = copy_at(template_repo, OLDEST, tmp_path / "p")  # copy itself needs no --trust
    with pytest.raises(UnsafeTemplateError, match="--trust"):
        update(project, unsafe=False, skip_tasks=skip_tasks)
    assert git(project, "status", "--porcelain") == "", "a refused update changes nothing"


def test_a_deleted_file_is_not_brought_back(template_repo: Path, tmp_path: Path) -> None:
    project = copy_at(template_repo, OLDEST, tmp_path / "p")
    deleted = "docs/notebooks.md"
    (project / deleted).unlink()
    git(project, "commit", "-q", "--no-verify", "-am", "The team deletes a managed page")
    update(project)
    assert not (project / deleted).exists()
    fresh = fresh_render(template_repo, project, tmp_path / "fresh")
    assert (fresh / deleted).is_file(), "the template still renders it"
    drift = run_kit(project, "conventions")
    assert f"UPD004 {deleted}: platform-managed file deleted" in drift.stdout, drift.stdout


def test_a_relative_template_path_breaks_updates_from_the_project(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(template_repo.parent)
    project = copy_at(template_repo.name, OLDEST, tmp_path / "p")
    assert read_answers(project)["_src_path"] == template_repo.name, "stored as given"
    monkeypatch.chdir(project)
    with pytest.raises(
        UserMessageError, match=re.escape("only supported in git-tracked templates")
    ):
        update(Path(os.curdir))
    assert git(project, "status", "--porcelain") == ""
