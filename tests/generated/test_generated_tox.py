"""A freshly generated project is green under its own `tox`, for every option value, and
stays green with the clock years ahead.

This is the promise of the template: copy, commit, run `tox`, and every check passes on
the first run. Three combinations together use every value of every option.

Nothing in a new project depends on today's date: the sample data is a frozen extract, the
waivers file of a new project is empty, and every test that needs a day names it; only real
deliveries are measured against the day they are used. So the default project and the batch
one must stay green when the clock moves 400 and 800 days ahead (Debian's faketime, see
`tests/generated/clock.py`): the `test` environment's pytest, the `contracts` check (its
DC010 freshness on the sample) and `conventions` (which judges waiver expiry). They run in
the environments the green run built with the real clock; a probe first proves that the
moved clock reaches the environments' commands, so a green run means something.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.generated.clock import today_in, tox_with_clock
from tests.generated.rendered_deploy import rendered_deploy_problems
from tests.support import (
    DEFAULT_COMBO,
    OPTION_VALUES,
    TOX_COMBOS,
    Combo,
    RenderFn,
    ToxRun,
    git_init_commit,
    readme_tox_args,
    run_tox,
    tail,
    tracked_changes,
)

BATCH_COMBO = next(combo for combo in TOX_COMBOS if combo.serving_mode == "batch")
CLOCK_COMBOS = [DEFAULT_COMBO, BATCH_COMBO]
CLOCK_ENVIRONMENTS = ("test", "contracts", "conventions")
DAYS_AHEAD = (400, 800)


def test_tox_combinations_use_every_option_value() -> None:
    for question, values in OPTION_VALUES.items():
        used = {getattr(combo, question) for combo in TOX_COMBOS}
        assert used == set(values), f"{question}: no generated tox run uses {set(values) - used}"


@dataclass(frozen=True)
class GreenRun:
    combo: Combo
    project: Path
    path: str  # PATH with the project's Python first
    tox: ToxRun


@pytest.fixture(scope="module")
def green_run(
    request: pytest.FixtureRequest,
    render: RenderFn,
    python_path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[GreenRun]:
    """A committed render of `request.param` and its first `tox` run, as its README runs
    every check: `tox p`, the environments side by side. The environments stay for the
    module's clock tests, and go with it."""
    combo: Combo = request.param
    project = render(combo.data, tmp_path_factory.mktemp("generated") / combo.id)
    git_init_commit(project)  # pre-commit (the lint env) needs a git repository
    path = python_path(combo.python_version)
    yield GreenRun(combo, project, path, run_tox(project, path, *readme_tox_args(project)))
    shutil.rmtree(project / ".tox", ignore_errors=True)


def assert_green(run: GreenRun) -> None:
    assert run.tox.returncode == 0, (
        f"{run.combo}: the generated project's tox failed (exit {run.tox.returncode}, "
        f"{run.tox.seconds:.0f}s) in {run.project}\n{tail(run.tox.output, 80)}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("green_run", TOX_COMBOS, ids=str, indirect=True)
def test_generated_project_is_green_under_its_own_tox(green_run: GreenRun) -> None:
    assert_green(green_run)
    combo, output = green_run.combo, green_run.tox.output
    assert "congratulations" in output, f"{combo}: no success report\n{tail(output)}"
    # Checks report, they never rewrite: no tracked file changed (the secrets baseline, say).
    changed = tracked_changes(green_run.project)
    assert not changed, f"{combo}: tox changed tracked files:\n{changed}"
    problems = rendered_deploy_problems(green_run.project, combo)  # tox -e deploy's output
    assert not problems, f"{combo}: deploy/rendered/:\n" + "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("days", DAYS_AHEAD, ids=lambda days: f"plus-{days}-days")
@pytest.mark.parametrize("green_run", CLOCK_COMBOS, ids=str, indirect=True)
def test_generated_suite_is_green_with_the_clock_moved_ahead(
    green_run: GreenRun, days: int
) -> None:
    assert_green(green_run)  # built with the real clock
    project, path = green_run.project, green_run.path
    clock = f"+{days}d"
    before = dt.datetime.now(dt.UTC).date()
    seen = today_in(project, path, clock, "test")
    after = dt.datetime.now(dt.UTC).date()
    shifted = {day + dt.timedelta(days=days) for day in (before, after)}
    assert seen in shifted, f"faketime {clock}: the test environment sees {seen}, not {shifted}"

    run = tox_with_clock(project, path, clock, "run", CLOCK_ENVIRONMENTS)

    assert run.returncode == 0, (
        f"{project.name}: red with the clock {days} days ahead ({seen}), exit {run.returncode}"
        f" after {run.seconds:.0f}s\n{tail(run.output, 80)}"
    )
    assert "congratulations" in run.output, tail(run.output)
    changed = tracked_changes(project)
    assert not changed, f"tox changed tracked files with the clock moved:\n{changed}"
