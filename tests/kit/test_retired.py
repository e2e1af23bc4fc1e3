"""UPD008: a copy of platform code the kit replaced, kept because the team edited it."""

from __future__ import annotations

import pytest

from ml_platform_kit.project import Project
from ml_platform_kit.retired import leftovers, retired_patterns


@pytest.mark.check("UPD008", "fails")
def test_a_kept_copy_of_platform_code_is_reported_with_its_owner(project: Project) -> None:
    kept = project.root / "src/churn/contract_check.py"
    kept.parent.mkdir(parents=True)
    kept.write_text("# our own tweak\n", encoding="utf-8")
    (finding,) = leftovers(project)
    assert finding.code == "UPD008"
    assert finding.where == "src/churn/contract_check.py"
    assert finding.owner == "@acme/data-science"  # CODEOWNERS gives /src/ to data science
    assert "git rm src/churn/contract_check.py" in finding.problem
    assert finding.docs == "docs/ci.md#upd008"


@pytest.mark.check("UPD008", "passes")
def test_the_team_code_that_stays_is_not_reported(project: Project) -> None:
    for name in ("train.py", "data.py", "paths.py"):
        path = project.root / "src/churn" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    assert leftovers(project) == []


def test_the_list_names_the_checks_that_moved_into_the_kit() -> None:
    moved = retired_patterns()["2.0.0"]
    assert "tools/check_conflicts.py" in moved
    assert "src/{package_name}/deploy.py" in moved
