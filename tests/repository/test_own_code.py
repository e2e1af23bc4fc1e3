"""The template repository's own Python (the kit, tests, scripts, benchmarks) is ruff-clean,
and the platform kit, which every project imports, passes mypy --strict.

The generated project's code is checked by its own tox (tests/generated); this checks the
code that builds and tests the template, with the settings in this repository's pyproject.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import RUFF_CHECKS, TEMPLATE_ROOT, ruff_findings


@pytest.mark.parametrize("check", RUFF_CHECKS)
def test_repository_code_is_ruff_clean(check: str) -> None:
    findings = ruff_findings(TEMPLATE_ROOT, check)
    assert not findings, f"ruff {check}:\n{findings}"


def test_the_platform_kit_passes_mypy_strict() -> None:
    """mypy with this repository's settings ([tool.mypy]: src/ml_platform_kit, strict, its
    cache per user)."""
    typed = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert typed.returncode == 0, typed.stdout + typed.stderr
