"""Projects at a release and updated from it, on this repository's history as a tagged
template repository.

`build_tagged_template` and `recorded_releases` (in `scripts/template_repository.py`, shared
with the benchmarks) rebuild the release tags from CHANGELOG.md and commit the working tree
on top: HEAD is what the tests update to.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import copier
from template_repository import build_tagged_template as build_tagged_template
from template_repository import recorded_releases as recorded_releases

from tests.support import built_once, git_init_commit, read_answers, run_dir


def copy_at(
    template: Path | str, version: str, dst: Path, data: dict[str, str] | None = None
) -> Path:
    """A project as a team starts it: `copier copy` of a release (no --trust), one commit.

    Copied once per run for each template, release and answers (many tests start from the
    oldest release), and then duplicated into `dst`, git history included."""
    answers = data or {}
    # The template as given (Copier records it) and the repository it names from here.
    key = json.dumps([str(template), str(Path(template).resolve()), version, answers])
    first = run_dir() / "copies" / hashlib.sha256(key.encode()).hexdigest()[:16]
    first.parent.mkdir(exist_ok=True)

    def copy(project: Path) -> None:
        copier.run_copy(
            str(template), project, data=answers, defaults=True, vcs_ref=f"v{version}", quiet=True
        )
        git_init_commit(project)

    shutil.copytree(built_once(first, copy), dst, symlinks=True)
    return dst


def update(project: Path, **options: Any) -> None:
    """What the scheduled update job runs, `copier update --trust --defaults --skip-answered`
    to HEAD; `options` change it (`unsafe=False` leaves out `--trust`)."""
    settings = {"vcs_ref": "HEAD", "defaults": True, "skip_answered": True, "overwrite": True}
    # The kit installs from the template repository the project was copied from, at the
    # commit it updates to, as the question's default says (releases before 2.0.0 did not
    # ask it): between releases only that repository has the commit.
    data = options.pop("data", {})
    copier.run_update(project, quiet=True, data=data, **{"unsafe": True, **settings, **options})


def fresh_render(template: Path, project: Path, dst: Path) -> Path:
    """A new project at HEAD with `project`'s recorded answers (the kit from `template`, as
    `update` installs it)."""
    answers = {k: v for k, v in read_answers(project).items() if not k.startswith("_")}
    copier.run_copy(
        str(template),
        dst,
        data=answers,
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
    )
    return dst
