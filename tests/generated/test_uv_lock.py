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
from pathlib import Path
from typing import Any

import pytest

from tests.support import ALL_COMBOS, Combo, tail, tool_env

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


def test_uv_lock_resolves_every_combination(rendered, python_path, tmp_path: Path) -> None:
    distinct: dict[str, Combo] = {}
    for combo in ALL_COMBOS:
        distinct.setdefault(requirements(rendered(combo) / "pyproject.toml"), combo)

    failures = []
    for number, combo in enumerate(distinct.values()):
        project = rendered(combo)
        workdir = tmp_path / str(number)  # the shared renders stay untouched
        workdir.mkdir()
        for name in ("pyproject.toml", ".python-version", "README.md"):
            shutil.copy2(project / name, workdir / name)
        result = subprocess.run(
            ["uv", "lock"],
            cwd=workdir,
            env=tool_env(PATH=python_path(combo.python_version)),
            capture_output=True,
            text=True,
            timeout=LOCK_TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode != 0:
            failures.append(f"{project.name}: uv lock failed\n{tail(result.stderr, 30)}")
            continue
        locked = {p["name"] for p in tomllib.loads((workdir / "uv.lock").read_text())["package"]}
        direct = ["pandas", "scikit-learn", "pandera", "tox", "pre-commit", "checkov"]
        missing = [name for name in direct if name not in locked]
        if missing:
            failures.append(f"{project.name}: the lock lacks {missing}")
    assert len(distinct) >= 6, "expected one requirement set per Python version and serving mode"
    assert not failures, "\n\n".join(failures)
