"""The suite's scheduler keeps a module on one worker, spreads the long independent tests and
hands out the slow layers first (tests/scheduling.py)."""

from __future__ import annotations

from tests.scheduling import rank, unit_of


def test_a_module_is_one_unit_so_its_project_is_prepared_once() -> None:
    planted = "tests/planted/test_planted_faults.py"
    assert {unit_of(f"{planted}::test_a[x]"), unit_of(f"{planted}::test_b")} == {planted}


def test_the_generated_tox_runs_and_the_updates_spread_one_test_a_unit() -> None:
    for test in (
        "tests/generated/test_generated_tox.py::test_green[github-rest-kubernetes-py312]",
        "tests/updates/test_updates.py::test_untouched[defaults-1.0.0]",
    ):
        assert unit_of(test) == test


def test_the_fleet_reports_modules_share_one_unit_and_one_fleet() -> None:
    units = {unit_of(f"tests/fleet/{m}.py::t") for m in ("test_fleet_report", "test_fleet_html")}
    assert units == {"tests/fleet/"}


def test_slow_layers_are_handed_out_first() -> None:
    units = ["tests/kit/test_atomic.py", "tests/updates/test_updates.py::t", "tests/fleet/"]
    units += ["tests/generated/test_clock.py", "tests/planted/test_drift_faults.py"]
    assert sorted(units, key=rank) == [
        "tests/generated/test_clock.py",
        "tests/updates/test_updates.py::t",
        "tests/planted/test_drift_faults.py",
        "tests/fleet/",
        "tests/kit/test_atomic.py",
    ]
