"""Fixtures for every layer of the template's own tests: render once, reuse everywhere.

Rendering goes through a snapshot of the working tree without `.git`, made once per
session. Copier renders a local git template with `vcs_ref="HEAD"` by cloning it and
committing the uncommitted changes into the clone, for every single copy; the snapshot
holds exactly the files that clone would hold (tracked plus untracked, ignored ones left
out), and `tests/render/test_render_source.py` proves both routes render the same project.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support import (
    ALL_COMBOS,
    TEMPLATE_ROOT,
    TOX_COMBOS,
    Combo,
    InterpreterNotFound,
    RenderFn,
    kit_source,
    path_with_python,
    render_from,
    snapshot_working_tree,
)
from tests.updates.history import build_tagged_template


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`combo` runs a test on every valid combination; `tox_combo` on the covering three."""
    if "combo" in metafunc.fixturenames:
        metafunc.parametrize("combo", ALL_COMBOS, ids=str)
    if "tox_combo" in metafunc.fixturenames:
        metafunc.parametrize("tox_combo", TOX_COMBOS, ids=str)


# Tests that spread over the workers instead of staying with their module: long and
# independent, with fixtures that are cheap to build again on another worker.
SPREAD_BY_FIXTURE = ("tox_combo", "template_repo")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep each module on one worker (its module-scoped project is prepared once), except
    the generated projects' `tox` runs and the updates from each release: independent and
    the longest, they spread out."""
    for item in items:
        spread = any(name in item.fixturenames for name in SPREAD_BY_FIXTURE)
        if item.get_closest_marker("xdist_group") is None and not spread:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__ if item.module else ""))


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's releases, tagged from CHANGELOG.md, with the working tree as HEAD."""
    return build_tagged_template(tmp_path_factory.mktemp("history") / "template")


@pytest.fixture(scope="session")
def template_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Absolute path of a git-less snapshot of the template's working tree."""
    return snapshot_working_tree(TEMPLATE_ROOT, tmp_path_factory.mktemp("template") / "src")


@pytest.fixture(scope="session")
def render(template_src: Path) -> RenderFn:
    """`render(data, dst)`: copy the template into `dst` with these answers, defaults otherwise;
    the platform kit installs from this working tree (`kit_source`) unless `data` says where."""

    def _render(data: dict[str, Any], dst: Path) -> Path:
        return render_from(template_src, {"platform_kit_source": kit_source(), **data}, dst)

    return _render


class RenderCache:
    """One render per combination per session. Tests read these; they must not change them."""

    def __init__(self, render: RenderFn, root: Path) -> None:
        self._render = render
        self._root = root
        self._done: dict[str, Path] = {}

    def __call__(self, combo: Combo) -> Path:
        if combo.id not in self._done:
            self._done[combo.id] = self._render(combo.data, self._root / combo.id)
        return self._done[combo.id]


@pytest.fixture(scope="session")
def rendered(render: RenderFn, tmp_path_factory: pytest.TempPathFactory) -> RenderCache:
    """`rendered(combo)`: path of the shared, read-only render of that combination."""
    return RenderCache(render, tmp_path_factory.mktemp("rendered"))


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
