"""A freshly generated project is green under its own `tox`, for every option value.

This is the promise of the template: copy, commit, run `tox`, and every check passes on
the first run. Three combinations together use every value of every option.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import (
    OPTION_VALUES,
    TOX_COMBOS,
    Combo,
    RenderFn,
    git_init_commit,
    tail,
    tool_env,
)

TOX_TIMEOUT_SECONDS = 1500


def test_tox_combinations_use_every_option_value() -> None:
    for question, values in OPTION_VALUES.items():
        used = {getattr(combo, question) for combo in TOX_COMBOS}
        assert used == set(values), f"{question}: no generated tox run uses {set(values) - used}"


@pytest.mark.slow
def test_generated_project_is_green_under_its_own_tox(
    render: RenderFn, python_path, tmp_path: Path, tox_combo: Combo
) -> None:
    project = render(tox_combo.data, tmp_path / tox_combo.id)
    git_init_commit(project)  # pre-commit (the lint env) needs a git repository
    env = tool_env(PATH=python_path(tox_combo.python_version))
    started = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tox"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=TOX_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        output = expired.stdout or ""
        if isinstance(output, bytes):
            output = output.decode(errors="replace")
        pytest.fail(f"{tox_combo}: tox ran over {TOX_TIMEOUT_SECONDS}s\n{tail(output)}")
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode == 0, (
        f"{tox_combo}: the generated project's tox failed (exit {result.returncode}, "
        f"{elapsed:.0f}s) in {project}\n{tail(output, 80)}"
    )
    assert "congratulations" in output, f"{tox_combo}: tox did not report success\n{tail(output)}"
    shutil.rmtree(project / ".tox", ignore_errors=True)  # green: its environments are not needed
