"""`uv lock` resolves every valid combination's dependency groups together.

uv resolves all of a project's groups into one lock, while tox installs each group on its
own: a conflict between two groups (checkov's `packaging<24` against tox's
`packaging>=24.2`) breaks `uv sync` and every `uv run` while `tox` stays green. Only this
test, and the README commands test, would notice.

Combinations whose requirements are the same resolve the same, so each distinct set of
requirements (Python version, dependencies, groups, uv settings) is locked once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import copier
import pytest

from tests.support import (
    ALL_COMBOS,
    DEFAULT_COMBO,
    TEMPLATE_ROOT,
    Combo,
    git,
    snapshot_working_tree,
    tail,
    tool_env,
)

pytestmark = pytest.mark.slow

LOCK_TIMEOUT_SECONDS = 600


def requirements(pyproject: Path) -> str:
    """What uv resolves from a pyproject.toml, as one comparable string."""
    data: dict[str, Any] = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    return json.dumps(
        [
            project["requires-python"],
            project["dependencies"],
            data.get("dependency-groups"),
            data.get("tool", {}).get("uv"),
        ],
        sort_keys=True,
    )


def uv_lock(project: Path, path: str) -> subprocess.CompletedProcess[str]:
    """`uv lock` in `project`, with `path` (which holds the project's Python) as PATH."""
    return subprocess.run(
        ["uv", "lock"],
        cwd=project,
        env=tool_env(PATH=path),
        capture_output=True,
        text=True,
        timeout=LOCK_TIMEOUT_SECONDS,
        check=False,
    )


def test_uv_lock_resolves_every_combination(rendered, python_path, tmp_path: Path) -> None:
    distinct: dict[str, Combo] = {}
    for combo in ALL_COMBOS:
        distinct.setdefault(requirements(rendered(combo) / "pyproject.toml"), combo)

    # Found before the locks start: the interpreters' links are made once, in this thread.
    paths = {combo.id: python_path(combo.python_version) for combo in distinct.values()}

    def lock(number: int, combo: Combo) -> str | None:
        """What is wrong with this combination's lock, if anything."""
        project = rendered(combo)
        workdir = tmp_path / str(number)  # the shared renders stay untouched
        workdir.mkdir()
        for name in ("pyproject.toml", ".python-version", "README.md"):
            shutil.copy2(project / name, workdir / name)
        result = uv_lock(workdir, paths[combo.id])
        if result.returncode != 0:
            return f"{project.name}: uv lock failed\n{tail(result.stderr, 30)}"
        locked = {p["name"] for p in tomllib.loads((workdir / "uv.lock").read_text())["package"]}
        direct = ["pandas", "scikit-learn", "pandera", "tox", "pre-commit", "checkov"]
        missing = [name for name in direct if name not in locked]
        return f"{project.name}: the lock lacks {missing}" if missing else None

    # Side by side: a lock partly waits for the package index (18 s instead of 23 s).
    with ThreadPoolExecutor(max_workers=len(distinct)) as pool:
        found = pool.map(lock, range(len(distinct)), distinct.values())
        failures = [failure for failure in found if failure]
    assert len(distinct) >= 6, "expected one requirement set per Python version and serving mode"
    assert not failures, "\n\n".join(failures)


def test_default_answers_resolve_the_kit_from_where_the_template_was_copied(
    python_path, tmp_path: Path
) -> None:
    """As a person copies it: `--defaults`, from a clone of this working tree that is not at a
    release tag. The kit's source is that clone, at the commit rendered (no tag names it
    yet), and `uv lock` resolves it: the generated README's `uv sync` works."""
    clone = snapshot_working_tree(TEMPLATE_ROOT, tmp_path / "template")
    git(clone, "init", "-q", "-b", "main")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "--no-verify", "-m", "The template between releases")
    project = tmp_path / "project"
    copier.run_copy(str(clone), project, defaults=True, unsafe=True, vcs_ref="HEAD", quiet=True)
    dependencies = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))["project"]
    [kit] = [d for d in dependencies["dependencies"] if d.startswith("ml-platform-kit")]
    head = git(clone, "rev-parse", "HEAD").strip()
    assert kit == f"ml-platform-kit[pipeline] @ git+{clone.as_uri()}@{head}"
    result = uv_lock(project, python_path(DEFAULT_COMBO.python_version))
    assert result.returncode == 0, tail(result.stderr, 30)
    locked = tomllib.loads((project / "uv.lock").read_text("utf-8"))["package"]
    assert "ml-platform-kit" in {p["name"] for p in locked}
