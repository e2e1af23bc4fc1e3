"""Unit tests of the platform kit: each check on small inputs, no render, no tox.

A test that judges one check says so with ``@pytest.mark.check("DC002", "fails")`` (an
input the check must refuse) or ``@pytest.mark.check("DC002", "passes")`` (one it must
accept); test_registry.py requires both for every ID of the registry.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ml_platform_kit.project import Project


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "check(id, outcome): the test judges check `id` on an input that `fails` or `passes`",
    )


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty project with answers and a CODEOWNERS, to plant files in."""
    (tmp_path / ".copier-answers.yml").write_text(
        "_commit: v2.0.0\nci_provider: github\npackage_name: churn\n"
        "team_data_engineering: '@acme/data-engineering'\nteam_data_science: '@acme/data-science'\n"
        "team_mlops: '@acme/mlops'\nteam_platform: '@acme/ml-platform'\n",
        encoding="utf-8",
    )
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github/CODEOWNERS").write_text(
        "* @acme/ml-platform\n/contracts/ @acme/data-engineering\n/data/ @acme/data-engineering\n"
        "/src/ @acme/data-science\n/deploy/ @acme/mlops\n/Dockerfile @acme/mlops\n",
        encoding="utf-8",
    )
    return Project(tmp_path)
