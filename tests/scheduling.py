"""How the suite's tests are shared between pytest-xdist workers: a module stays on one.

A module's module-scoped project (a render with its tox environments built) is prepared
once only if all of the module's tests run on the same worker. pytest-xdist's `loadgroup`
cannot say so with pytest 9: it renames each test to carry its group, and pytest 9 no
longer lets a test be renamed, so every test was scheduled alone and each worker built
every project again. This scheduler groups by module from the test's own name instead.

The exceptions are long and independent tests whose fixtures are cheap to build twice:
they spread over the workers, one unit each, or one unit per generated project where its
tests share that project. The slow layers are handed out first, so no long test starts
while the other worker has only a few seconds of work left.
"""

from __future__ import annotations

import re
from typing import Any

from xdist.scheduler import LoadScopeScheduling

# Each test of these modules is its own unit: the updates from each release.
SPREAD_MODULES = ("tests/updates/test_updates.py",)
# One unit per generated project in these modules: a project's first tox run and its runs
# with the clock moved share its environments. The project is the combination in the test's
# id (`ci-serving-target-pyX.Y`).
PROJECT_MODULES = ("tests/generated/test_generated_tox.py",)
COMBINATION_ID = re.compile(r"\[(?:.*-)?(?P<combination>[a-z]+-[a-z]+-[a-z]+-py[0-9]+)\b")
# Modules that share one worker: the fleet report's share one built fleet.
SHARED_FOLDERS = ("tests/fleet/",)
# Handed out first, in this order; every other test follows in collection order.
SLOW_FIRST = ("tests/generated/", "tests/updates/", "tests/planted/", "tests/fleet/")


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its module, its folder or itself."""
    module = nodeid.split("::", 1)[0]
    if module in SPREAD_MODULES:
        return nodeid
    if module in PROJECT_MODULES and (project := COMBINATION_ID.search(nodeid)):
        return f"{module}::{project['combination']}"
    return next((folder for folder in SHARED_FOLDERS if module.startswith(folder)), module)


def rank(unit: str) -> int:
    """Where a unit of work comes in the hand-out: the slow layers first, in SLOW_FIRST's order."""
    return next(
        (i for i, prefix in enumerate(SLOW_FIRST) if unit.startswith(prefix)), len(SLOW_FIRST)
    )


class ModuleScheduling(LoadScopeScheduling):
    """LoadScopeScheduling by `unit_of`, slow layers first. pytest-xdist's own order (largest
    unit first) counts tests, not seconds, and would leave the slowest single tests for last."""

    def __init__(self, config: Any, log: Any = None) -> None:
        config.option.loadscopereorder = False  # collection order; `rank` reorders below
        super().__init__(config, log)
        self._ranked = False

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)

    def _assign_work_unit(self, node: Any) -> None:
        # The queue exists once every worker's collection is in, before the first hand-out.
        if not self._ranked:
            ranked = sorted(self.workqueue.items(), key=lambda item: rank(item[0]))
            self.workqueue.clear()
            self.workqueue.update(ranked)
            self._ranked = True
        super()._assign_work_unit(node)
