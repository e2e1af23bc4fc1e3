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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import copier
from template_repository import build_tagged_template as build_tagged_template
from template_repository import recorded_releases as recorded_releases

from tests.support import built_once, git_init_commit, read_answers, run_dir


def _duplicate_of_first(kind: str, key: object, build: Callable[[Path], None], dst: Path) -> Path:
    """What `build` makes for `key`, made once per run (the first test to ask builds it) and
    duplicated into `dst`, git history included."""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    shutil.copytree(built_once(run_dir() / kind / digest, build), dst, symlinks=True)
    return dst


def copy_at(
    template: Path | str, version: str, dst: Path, data: dict[str, str] | None = None
) -> Path:
    """A project as a team starts it: `copier copy` of a release (no --trust), one commit.
    Copied once per run for each template, release and answers: many tests start from the
    oldest release."""
    answers = data or {}

    def copy(project: Path) -> None:
        copier.run_copy(
            str(template), project, data=answers, defaults=True, vcs_ref=f"v{version}", quiet=True
        )
        git_init_commit(project)

    # The template as given (Copier records it) and the repository it names from here.
    key = [str(template), str(Path(template).resolve()), version, answers]
    return _duplicate_of_first("copies", key, copy, dst)


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
    `update` installs it). Rendered once per run for each template and answers: a project
    updated from any release has the same answers."""
    answers = {k: v for k, v in read_answers(project).items() if not k.startswith("_")}

    def render(fresh: Path) -> None:
        copier.run_copy(
            str(template), fresh, data=answers, defaults=True, vcs_ref="HEAD", quiet=True
        )

    return _duplicate_of_first("fresh", [str(template), answers], render, dst)
