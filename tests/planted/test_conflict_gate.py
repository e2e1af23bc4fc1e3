"""Planted update leftovers: the conflict gate (`tox -e conventions`) fails naming each file.

`copier update` exits 0 with conflict markers in files and `.rej` files beside them; the
gate is what stops them from being merged. The project is a fresh default render; each
test restores it, and the clean project passes before and after.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.planted.support import prepared_project, restore
from tests.support import RenderFn, read_answers, run_tox, tail

pytestmark = pytest.mark.slow

CONFLICT = "\n".join(
    [
        "<" * 7 + " before updating",
        'ruff = "0.1"',
        "=" * 7,
        'ruff = "0.2"',
        ">" * 7 + " after updating",
    ]
)


@pytest.fixture(scope="module")
def project(
    render: RenderFn, python_path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """A committed default render with its `conventions` environment built."""
    return prepared_project(render, python_path, tmp_path_factory, "conflict-gate", "conventions")


def test_clean_project_passes_the_conflict_gate(project: tuple[Path, str]) -> None:
    root, path = project
    tox = run_tox(root, path, "-e", "conventions")
    assert tox.returncode == 0, f"the gate fails a clean render\n{tail(tox.output)}"
    assert "no conflict markers and no .rej files" in tox.output


@pytest.mark.parametrize(
    ("conflicted", "tox_args"),
    [
        # Locally: plain tox; a conflict in a file tox does not read.
        ("README.md", ("-e", "conventions")),
        # As CI runs it: the likeliest conflict, in pyproject.toml, which tox then skips.
        ("pyproject.toml", ("-c", "tox.toml", "-e", "conventions")),
    ],
    ids=["readme-local-tox", "pyproject-as-ci-runs-it"],
)
def test_conflict_marker_and_rej_file_fail_the_gate_naming_both(
    project: tuple[Path, str], conflicted: str, tox_args: tuple[str, ...]
) -> None:
    root, path = project
    owner = read_answers(root)["team_platform"]
    with (root / conflicted).open("a", encoding="utf-8") as handle:
        handle.write("\n" + CONFLICT + "\n")
    (root / "tox.toml.rej").write_text("@@ -3 +3 @@\n-env_list = []\n", encoding="utf-8")
    try:
        tox = run_tox(root, path, *tox_args)
    finally:
        restore(root)
    assert tox.returncode != 0, f"the gate passed planted leftovers\n{tail(tox.output)}"
    lines = tox.output.splitlines()
    marker_lines = [line for line in lines if line.startswith(f"UPD001 {conflicted}:")]
    rej_lines = [line for line in lines if line.startswith("UPD002 tox.toml.rej:")]
    assert len(marker_lines) == 2, f"start and end marker, one line each\n{tail(tox.output)}"
    assert len(rej_lines) == 1, f"the .rej file is not named\n{tail(tox.output)}"
    for line in marker_lines + rej_lines:
        assert f"owner: {owner}" in line, f"no owner in: {line}"
        assert "agreement: template updates" in line, f"no agreement in: {line}"
    assert "docs/ci.md#upd001" in marker_lines[0]
    assert "docs/ci.md#upd002" in rej_lines[0]


def test_project_passes_the_gate_again_after_the_fault(project: tuple[Path, str]) -> None:
    root, path = project
    tox = run_tox(root, path, "-e", "conventions")
    assert tox.returncode == 0, f"a planted leftover survived the restore\n{tail(tox.output)}"
