"""The suite's scheduler keeps a module on one worker, spreads the long independent tests and
hands out the slow layers first (tests/scheduling.py)."""

from __future__ import annotations

from tests.scheduling import rank, unit_of


def test_a_module_is_one_unit_so_its_project_is_prepared_once() -> None:
    planted = "tests/planted/test_planted_faults.py"
    assert {unit_of(f"{planted}::test_a[x]"), unit_of(f"{planted}::test_b")} == {planted}


def test_the_updates_spread_one_test_a_unit() -> None:
    test = "tests/updates/test_updates.py::test_untouched[defaults-1.0.0]"
    assert unit_of(test) == test


def test_a_generated_projects_tests_are_one_unit_and_the_projects_spread() -> None:
    module = "tests/generated/test_generated_tox.py"
    default, batch = "github-rest-kubernetes-py312", "gitlab-batch-kubernetes-py311"
    tests = [f"test_green[{default}]", f"test_clock[{default}-plus-400-days]"]
    tests += [f"test_clock[plus-800-days-{default}]", f"test_green[{batch}]"]
    units = [unit_of(f"{module}::{test}") for test in tests]
    assert units == [f"{module}::{default}"] * 3 + [f"{module}::{batch}"]
    assert unit_of(f"{module}::test_options") == module  # no project: the module's unit


def test_the_fleet_reports_modules_share_one_unit_and_one_fleet() -> None:
    units = {unit_of(f"tests/fleet/{m}.py::t") for m in ("test_fleet_report", "test_fleet_html")}
    assert units == {"tests/fleet/"}


def test_slow_layers_are_handed_out_first() -> None:
    units = ["tests/kit/test_atomic.py", "tests/updates/test_updates.py::t", "tests/fleet/"]
    units += ["tests/generated/test_readme_commands.py", "tests/planted/test_drift_faults.py"]
    assert sorted(units, key=rank) == [
        "tests/generated/test_readme_commands.py",
        "tests/updates/test_updates.py::t",
        "tests/planted/test_drift_faults.py",
        "tests/fleet/",
        "tests/kit/test_atomic.py",
    ]
