"""Rendering from the git-less snapshot gives the same project as Copier's `vcs_ref=HEAD`.

The suite renders from a snapshot of the working tree because Copier re-clones a dirty
local repository on every copy. This proves the shortcut changes nothing but what records
where the template came from: two answers, and the revision the platform kit is pinned at
(a snapshot has no commit, so its pin names the release tag; the repository route pins the
commit it rendered).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ml_platform_kit.drift import RECORD, digest_of
from tests.support import (
    DEFAULT_COMBO,
    KIT_VERSION,
    TEMPLATE_ROOT,
    Combo,
    project_files,
    render_from,
    snapshot_working_tree,
)

SOURCE_ANSWERS = ("_commit", "_src_path")
# Where the kit installs from is itself derived from `_src_path`: the same for both routes here.
KIT_SOURCE = "https://github.com/acme/ml-platform-template.git"


def _tree(project: Path) -> dict[str, bytes]:
    """Every file but the managed-file record, which `_consistent_record` compares."""
    return {
        p.relative_to(project).as_posix(): p.read_bytes()
        for p in project_files(project)
        if p.name != RECORD
    }


def _consistent_record(project: Path) -> dict[str, object]:
    """`.platform-managed.json` without its digests, once each digest is checked against the
    file it records, as the drift check computes it."""
    record = json.loads((project / RECORD).read_text("utf-8"))
    for entry in record["files"]:
        actual = digest_of(project / entry["path"], entry["from"])
        assert entry.pop("digest") == actual, f"{project.name}: {entry['path']} is not as recorded"
    return record


def _text(tree: dict[str, bytes]) -> str:
    return tree["pyproject.toml"].decode("utf-8")


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
    data = {**case.data, "platform_kit_source": KIT_SOURCE}
    routes = {
        "snapshot": render_from(snapshot, data, tmp_path / "from-snapshot"),
        "repository": render_from(
            TEMPLATE_ROOT, data, tmp_path / "from-repository", vcs_ref="HEAD"
        ),
    }
    # Each route's record of the managed files is the digest of what that route rendered
    # (the pins differ, so the digests of the files holding one do too); the rest is equal.
    records = {name: _consistent_record(project) for name, project in routes.items()}
    assert records["snapshot"] == records["repository"]
    from_snapshot, from_repository = (_tree(project) for project in routes.values())
    # The repository route pins the kit at the commit it rendered; the snapshot at the tag.
    pin = re.search(rf"git\+{re.escape(KIT_SOURCE)}@([0-9a-f]{{40}})\b", _text(from_repository))
    assert pin, "the repository route pins the kit at its commit"
    commit, tag = f"@{pin.group(1)}".encode(), f"@v{KIT_VERSION}".encode()
    assert tag not in _text(from_repository).encode()
    from_repository = {name: text.replace(commit, tag) for name, text in from_repository.items()}
    assert sorted(from_snapshot) == sorted(from_repository)
    answers = ".copier-answers.yml"
    assert _without_source(from_snapshot.pop(answers)) == _without_source(
        from_repository.pop(answers)
    )
    differing = [name for name in from_snapshot if from_snapshot[name] != from_repository[name]]
    assert not differing, f"files differ between the two routes: {differing}"
