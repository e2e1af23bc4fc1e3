"""Rendering from the git-less snapshot gives the same project as Copier's `vcs_ref=HEAD`.

The suite renders from a snapshot of the working tree because Copier re-clones a dirty
local repository on every copy. This proves the shortcut changes nothing but the two
answers that record where the template came from.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import (
    DEFAULT_COMBO,
    TEMPLATE_ROOT,
    Combo,
    project_files,
    render_from,
    snapshot_working_tree,
)

SOURCE_ANSWERS = ("_commit", "_src_path")


def _tree(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in project_files(project)}


def _without_source(answers_file: bytes) -> list[bytes]:
    return [
        line
        for line in answers_file.splitlines()
        if not line.startswith(tuple(f"{key}:".encode() for key in SOURCE_ANSWERS))
    ]


@pytest.mark.filterwarnings("ignore::copier.errors.DirtyLocalWarning")
@pytest.mark.parametrize(
    "case", [DEFAULT_COMBO, Combo("3.11", "gitlab", "batch", "kubernetes")], ids=str
)
def test_snapshot_render_equals_render_from_the_repository(tmp_path: Path, case: Combo) -> None:
    # A fresh snapshot, taken right before the repository render, so both see one tree.
    snapshot = snapshot_working_tree(TEMPLATE_ROOT, tmp_path / "snapshot")
    from_snapshot = _tree(render_from(snapshot, case.data, tmp_path / "from-snapshot"))
    from_repository = _tree(
        render_from(TEMPLATE_ROOT, case.data, tmp_path / "from-repository", vcs_ref="HEAD")
    )
    assert sorted(from_snapshot) == sorted(from_repository)
    answers = ".copier-answers.yml"
    assert _without_source(from_snapshot.pop(answers)) == _without_source(
        from_repository.pop(answers)
    )
    differing = [name for name in from_snapshot if from_snapshot[name] != from_repository[name]]
    assert not differing, f"files differ between the two routes: {differing}"
