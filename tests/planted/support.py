"""What every planted-fault module shares: a prepared default render, planting, restoring.

Each module prepares one committed default render with the tox environments it needs,
plants one fault at a time in the working tree, runs the check, and restores the tree, so the
next fault starts from the clean project (the built `.tox/` environments are kept).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import DEFAULT_COMBO, RenderFn, ToxRun, git, git_init_commit, run_tox, tail

Plant = Callable[[Path], None]


def prepared_project(
    render: RenderFn,
    python_path: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    environments: str,
) -> tuple[Path, str]:
    """A committed default render with `environments` built; returns it and its PATH."""
    project = render(DEFAULT_COMBO.data, tmp_path_factory.mktemp(name) / "project")
    git_init_commit(project)
    path = python_path(DEFAULT_COMBO.python_version)
    setup = run_tox(project, path, "run", "-e", environments, "--notest")
    assert setup.returncode == 0, f"tox -e {environments} could not be built\n{tail(setup.output)}"
    return project, path


def edit(relpath: str, old: str, new: str) -> Plant:
    """Replace the first `old` in a project file with `new`; `old` must be there."""

    def plant(project: Path) -> None:
        path = project / relpath
        text = path.read_text(encoding="utf-8")
        assert old in text, f"cannot plant the fault: {old!r} is not in {relpath}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return plant


def restore(project: Path) -> None:
    """Undo every planted change: tracked files back, untracked and ignored ones gone (a plant
    may write into a git-ignored folder such as deploy/rendered/), only `.tox/` kept."""
    git(project, "checkout", "--", ".")
    subprocess.run(["git", "clean", "-fdxq", "-e", ".tox"], cwd=project, check=True)


def tox_with_fault(
    project: Path, path: str, plant: Plant, *tox_args: str, **environment: str
) -> ToxRun:
    """Plant one fault, run the project's tox (with `environment` added to its variables),
    and restore the project whatever happened."""
    plant(project)
    try:
        return run_tox(project, path, *tox_args, **environment)
    finally:
        restore(project)


def leftovers(project: Path) -> list[str]:
    """Anything that differs from the commit, ignored files included, apart from `.tox/`."""
    status = git(project, "status", "--porcelain", "--ignored")
    return [line for line in status.splitlines() if line.strip() and line != "!! .tox/"]
