"""The template repository's own Python (tests, scripts, benchmarks) is ruff-clean.

The generated project's code is checked by its own tox (tests/generated); this checks the
code that builds and tests the template, with the settings in this repository's pyproject.
"""

from __future__ import annotations

import pytest

from tests.support import RUFF_CHECKS, TEMPLATE_ROOT, ruff_findings


@pytest.mark.parametrize("check", RUFF_CHECKS)
def test_repository_code_is_ruff_clean(check: str) -> None:
    findings = ruff_findings(TEMPLATE_ROOT, check)
    assert not findings, f"ruff {check}:\n{findings}"
