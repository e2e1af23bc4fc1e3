"""Planted fault: the project's Python is not on the machine; tox says so once, plainly.

Without the project's `toxfile.py`, tox tries every environment and prints the interpreter
lookup error once per environment, never naming the version the project needs. The machine
here is emptied of interpreters for the run: no PATH entry and no uv-managed installation,
so the result does not depend on what this machine happens to have.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import DEFAULT_COMBO, RenderFn, git_init_commit, run_tox

pytestmark = pytest.mark.slow


def test_missing_interpreter_gives_one_line_naming_version_source_and_fix(
    render: RenderFn, tmp_path: Path
) -> None:
    project = render(DEFAULT_COMBO.data, tmp_path / "project")
    git_init_commit(project)
    empty = tmp_path / "empty"
    empty.mkdir()

    tox = run_tox(project, str(empty), UV_PYTHON_INSTALL_DIR=str(empty))

    version = DEFAULT_COMBO.python_version
    lines = [line for line in tox.output.splitlines() if line.strip()]
    assert tox.returncode != 0, tox.output
    assert len(lines) == 1, f"expected one line, got:\n{tox.output}"
    message = lines[0]
    assert f"needs Python {version}" in message
    assert "python_version in .copier-answers.yml" in message
    assert f"uv python install {version}" in message
    assert "copier update --trust --data python_version=" in message
    assert not (project / ".tox" / "lint").exists(), "an environment was tried anyway"


def test_listing_environments_needs_no_interpreter(render: RenderFn, tmp_path: Path) -> None:
    project = render(DEFAULT_COMBO.data, tmp_path / "project")
    empty = tmp_path / "empty"
    empty.mkdir()
    tox = run_tox(project, str(empty), "-l", UV_PYTHON_INSTALL_DIR=str(empty))
    assert tox.returncode == 0, tox.output
    assert "conventions" in tox.output.split()
