"""This repository's release history as a tagged template repository, for update tests.

A clone of main may carry no tags (CI clones often do not), so the tags are rebuilt from
CHANGELOG.md, where every release records its commit. The working tree, with whatever is not
committed yet, becomes one more commit on top: HEAD is what the tests update to.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import copier

from tests.support import (
    TEMPLATE_ROOT,
    git,
    git_init_commit,
    kit_source,
    read_answers,
    snapshot_working_tree,
)

sys.path.insert(0, str(TEMPLATE_ROOT / "scripts"))
from release_notes import releases

CHANGELOG = TEMPLATE_ROOT / "CHANGELOG.md"


def release_in_preparation() -> str | None:
    """The newest release of CHANGELOG.md when it records no commit yet, else None."""
    listed = releases(CHANGELOG.read_text(encoding="utf-8"))
    return listed[-1][0] if listed and listed[-1][1] is None else None


def recorded_releases() -> list[tuple[str, str]]:
    """(version, commit) of every tagged release in CHANGELOG.md, oldest first."""
    return [
        (version, commit)
        for version, commit in releases(CHANGELOG.read_text(encoding="utf-8"))
        if commit is not None
    ]


def build_tagged_template(dst: Path) -> Path:
    """Clone this repository into `dst` without its tags, tag each recorded release, and
    commit the working tree on top."""
    subprocess.run(
        ["git", "clone", "-q", "--no-tags", "--no-hardlinks", str(TEMPLATE_ROOT), str(dst)],
        check=True,
        capture_output=True,
    )
    for version, commit in recorded_releases():
        exists = subprocess.run(
            ["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=dst, capture_output=True
        )
        assert exists.returncode == 0, (
            f"CHANGELOG.md says release {version} is commit {commit}, which this clone does not "
            "have; a shallow clone cannot rebuild the release history (`git fetch --unshallow`)"
        )
        git(dst, "tag", f"v{version}", commit)
    for child in dst.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    snapshot_working_tree(TEMPLATE_ROOT, dst)
    git(dst, "add", "-A")
    if git(dst, "status", "--porcelain"):
        git(dst, "commit", "-q", "--no-verify", "-m", "The working tree under test")
    if preparing := release_in_preparation():
        # The newest CHANGELOG entry records no commit yet: the working tree is that release,
        # so its migrations run when a project updates to HEAD.
        git(dst, "tag", f"v{preparing}")
    return dst


def copy_at(
    template: Path | str, version: str, dst: Path, data: dict[str, str] | None = None
) -> Path:
    """A project as a team starts it: `copier copy` of a release (no --trust), one commit."""
    copier.run_copy(
        str(template), dst, data=data or {}, defaults=True, vcs_ref=f"v{version}", quiet=True
    )
    git_init_commit(dst)
    return dst


def update(project: Path, **options: Any) -> None:
    """What the scheduled update job runs, `copier update --trust --defaults --skip-answered`
    to HEAD; `options` change it (`unsafe=False` leaves out `--trust`)."""
    settings = {"vcs_ref": "HEAD", "defaults": True, "skip_answered": True, "overwrite": True}
    # The kit installs from this working tree (a release before 2.0.0 had no such question).
    data = {"platform_kit_source": kit_source(), **options.pop("data", {})}
    copier.run_update(project, quiet=True, data=data, **{"unsafe": True, **settings, **options})


def fresh_render(template: Path, project: Path, dst: Path) -> Path:
    """A new project at HEAD with `project`'s recorded answers."""
    answers = {k: v for k, v in read_answers(project).items() if not k.startswith("_")}
    copier.run_copy(
        str(template),
        dst,
        data={"platform_kit_source": kit_source(), **answers},
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
    )
    return dst
