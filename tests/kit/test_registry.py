"""The registry of checks: every ID is well formed, resolves to its owner, and has unit tests
with an input it refuses and one it accepts (the way repo-review tests its checks)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from ml_platform_kit.project import Project
from ml_platform_kit.registry import ROLES, checks


def test_every_entry_is_well_formed() -> None:
    for entry in checks().values():
        assert re.fullmatch(r"[A-Z]{2,3}\d{3}", entry.id), entry
        assert entry.owner in ROLES, entry
        assert re.fullmatch(r"docs/[a-z-]+\.md", entry.page), entry
        assert all((entry.title, entry.fix, entry.files, entry.agreement)), entry


def test_an_owner_role_resolves_to_the_projects_handle(project: Project) -> None:
    mlops = project.finding("SEC004", "Dockerfile", "runs as root")
    assert mlops.owner == "@acme/mlops"  # CODEOWNERS gives /Dockerfile to MLOps
    unclaimed = project.finding("MOD001", "reports/metrics.json", "roc_auc 0.61 < 0.72")
    assert unclaimed.owner == "@acme/data-science"  # only `*` claims reports/: the role's team
    assert unclaimed.docs == "docs/testing-and-quality-gates.md#mod001"


def _judged() -> set[tuple[str, str]]:
    """(ID, "fails" or "passes") of every `check` mark on a test function of tests/kit,
    read from the modules themselves, so the answer does not depend on which tests run."""
    seen: set[tuple[str, str]] = set()
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        module = importlib.import_module(f"tests.kit.{path.stem}")
        for name, function in vars(module).items():
            if name.startswith("test_") and callable(function):
                marks = list(getattr(function, "pytestmark", []))
                for mark in [m for m in marks if m.name == "parametrize"]:  # pytest.param(marks=)
                    marks.extend(m for case in mark.args[1] for m in getattr(case, "marks", ()))
                seen.update((m.args[0], m.args[1]) for m in marks if m.name == "check")
    return seen


def test_every_check_has_a_failing_and_a_passing_unit_test() -> None:
    seen = _judged()
    unknown = sorted({check_id for check_id, _ in seen} - set(checks()))
    assert not unknown, f"tests mark IDs the registry does not have: {unknown}"
    missing = [
        f"{check_id} ({outcome})"
        for check_id in checks()
        for outcome in ("fails", "passes")
        if (check_id, outcome) not in seen
    ]
    assert not missing, f"no unit test judges: {', '.join(missing)}"
