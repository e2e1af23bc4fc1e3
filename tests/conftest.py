"""Fixtures for every layer of the template's own tests: render once, reuse everywhere.

Rendering goes through a snapshot of the working tree without `.git`, made once per run and
shared by the workers, as the kit repository and the render of each combination are.
Copier renders a local git template with `vcs_ref="HEAD"` by cloning it and committing the
uncommitted changes into the clone, for every single copy; the snapshot holds exactly the
files that clone would hold (tracked plus untracked, ignored ones left out), and
`tests/render/test_render_source.py` proves both routes render the same project.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scheduling import ModuleScheduling
from tests.support import (
    ALL_COMBOS,
    RUN_DIR_VARIABLE,
    TEMPLATE_ROOT,
    Combo,
    InterpreterNotFound,
    RenderFn,
    built_once,
    kit_source,
    path_with_python,
    render_from,
    run_dir,
    snapshot_working_tree,
    write_bytecode,
)
from tests.updates.history import build_tagged_template

write_bytecode()  # each project's interpreters compile their stack once, not at every start


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`combo` runs a test on every valid combination."""
    if "combo" in metafunc.fixturenames:
        metafunc.parametrize("combo", ALL_COMBOS, ids=str)


def pytest_configure(config: pytest.Config) -> None:
    """The process that starts the workers (or runs the tests itself) names the run's shared
    directory before they start: they inherit it (tests/support.py, `run_dir`)."""
    if hasattr(config, "workerinput"):
        return
    shared = Path(tempfile.mkdtemp(prefix="ml-platform-template-tests-"))
    os.environ[RUN_DIR_VARIABLE] = str(shared)
    config.add_cleanup(lambda: shutil.rmtree(shared, ignore_errors=True))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> ModuleScheduling:
    """Each module's tests on one worker, its project prepared once (tests/scheduling.py)."""
    return ModuleScheduling(config, log)


@pytest.fixture(scope="session")
def template_repo() -> Path:
    """This repository's releases, tagged from CHANGELOG.md, with the working tree as HEAD;
    one per run, read-only (Copier clones it)."""
    return built_once(run_dir() / "template-history", build_tagged_template)


@pytest.fixture(scope="session")
def template_src() -> Path:
    """Absolute path of a git-less snapshot of the template's working tree; one per run."""
    return built_once(
        run_dir() / "template-src", lambda dst: snapshot_working_tree(TEMPLATE_ROOT, dst)
    )


@pytest.fixture(scope="session")
def render(template_src: Path) -> RenderFn:
    """`render(data, dst)`: copy the template into `dst` with these answers, defaults otherwise;
    the platform kit installs from this working tree (`kit_source`) unless `data` says where."""

    def _render(data: dict[str, Any], dst: Path) -> Path:
        return render_from(template_src, {"platform_kit_source": kit_source(), **data}, dst)

    return _render


class RenderCache:
    """One render per combination per run, shared by the workers. Tests read these; they
    must not change them."""

    def __init__(self, render: RenderFn, root: Path) -> None:
        self._render = render
        self._root = root
        self._done: dict[str, Path] = {}

    def __call__(self, combo: Combo) -> Path:
        if combo.id not in self._done:
            self._done[combo.id] = built_once(
                self._root / combo.id, lambda dst: self._render(combo.data, dst)
            )
        return self._done[combo.id]


@pytest.fixture(scope="session")
def rendered(render: RenderFn) -> RenderCache:
    """`rendered(combo)`: path of the shared, read-only render of that combination."""
    return RenderCache(render, run_dir() / "rendered")


@pytest.fixture(scope="session")
def python_path(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """`python_path("3.13")`: a PATH whose first entry has a working `python3.13`."""
    bin_dir = tmp_path_factory.mktemp("interpreters")

    def _path(version: str) -> str:
        try:
            return path_with_python(version, bin_dir)
        except InterpreterNotFound as missing:
            pytest.fail(str(missing), pytrace=False)

    return _path
