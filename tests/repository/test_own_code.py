"""The template repository's own Python (tests, scripts, benchmarks) is ruff-clean.

The generated project's code is checked by its own tox (tests/generated); this checks the
code that builds and tests the template, with the settings in this repository's pyproject.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import TEMPLATE_ROOT, tail


@pytest.mark.parametrize(
    "ruff_args",
    [
        pytest.param(["check", "--output-format", "concise"], id="check"),
        pytest.param(["format", "--check", "--diff"], id="format"),
    ],
)
def test_repository_code_is_ruff_clean(ruff_args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *ruff_args, "--no-cache", "."],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"ruff {ruff_args[0]}:\n{tail(result.stdout + result.stderr)}"
