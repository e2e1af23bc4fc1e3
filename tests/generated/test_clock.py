"""A generated project's suite does not depend on today's date: green with the clock years ahead.

The sample data is a frozen extract, the waivers file of a new project is empty, and every
test that needs a day names it; only real deliveries are measured against the day they are
used. So the default project and the batch one must stay green when the clock moves 400 and
800 days ahead (Debian's faketime, see `tests/generated/clock.py`): the `test` environment's
pytest, the `contracts` check (its DC010 freshness on the sample) and `conventions` (which
judges waiver expiry). The environments are built first with the real clock; then a probe
proves that the moved clock reaches the environments' commands, so a green run means
something.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.generated.clock import today_in, tox_with_clock
from tests.support import (
    DEFAULT_COMBO,
    TOX_COMBOS,
    RenderFn,
    git,
    git_init_commit,
    run_tox,
    tail,
)

pytestmark = pytest.mark.slow

BATCH_COMBO = next(combo for combo in TOX_COMBOS if combo.serving_mode == "batch")
CLOCK_COMBOS = [DEFAULT_COMBO, BATCH_COMBO]
ENVIRONMENTS = ("test", "contracts", "conventions")
DAYS_AHEAD = (400, 800)


@pytest.fixture(scope="module", params=CLOCK_COMBOS, ids=str)
def built_project(
    request: pytest.FixtureRequest,
    render: RenderFn,
    python_path,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, str]:
    """A committed render with its environments built with the real clock; it and its PATH."""
    combo = request.param
    project = render(combo.data, tmp_path_factory.mktemp("clock") / combo.id)
    git_init_commit(project)  # `contracts` compares the contract with main
    path = python_path(combo.python_version)
    setup = run_tox(project, path, "run", "-e", ",".join(ENVIRONMENTS), "--notest")
    assert setup.returncode == 0, f"{combo}: environments not built\n{tail(setup.output)}"
    return project, path


@pytest.mark.parametrize("days", DAYS_AHEAD, ids=lambda days: f"plus-{days}-days")
def test_generated_suite_is_green_with_the_clock_moved_ahead(
    built_project: tuple[Path, str], days: int
) -> None:
    project, path = built_project
    clock = f"+{days}d"
    before = dt.datetime.now(dt.UTC).date()
    seen = today_in(project, path, clock, "test")
    after = dt.datetime.now(dt.UTC).date()
    shifted = {day + dt.timedelta(days=days) for day in (before, after)}
    assert seen in shifted, f"faketime {clock}: the test environment sees {seen}, not {shifted}"

    run = tox_with_clock(project, path, clock, "run", ENVIRONMENTS)

    assert run.returncode == 0, (
        f"{project.name}: red with the clock {days} days ahead ({seen}), exit {run.returncode}"
        f" after {run.seconds:.0f}s\n{tail(run.output, 80)}"
    )
    assert "congratulations" in run.output, tail(run.output)
    changed = git(project, "status", "--porcelain", "--untracked-files=no")
    assert not changed, f"tox changed tracked files with the clock moved:\n{changed}"
