"""One fleet per worker; the fleet modules share an xdist group, so it is built once."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fleet.fleet import TODAY, FleetProject, build_fleet, release_template

FLEET_COMMAND = Path(sys.executable).parent / "ml-platform-fleet"


@dataclass(frozen=True)
class Fleet:
    template: Path
    inventory: Path
    projects: list[FleetProject]
    cache: Path


def run_fleet(fleet: Fleet, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, as the platform team runs it."""
    return subprocess.run(
        [
            str(FLEET_COMMAND),
            "--inventory",
            str(fleet.inventory),
            "--today",
            TODAY,
            "--cache-dir",
            str(fleet.cache),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


def report_of(fleet: Fleet, *args: str) -> tuple[int, dict[str, Any]]:
    done = run_fleet(fleet, "--format", "json", *args)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="session")
def fleet(template_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Fleet:
    root = tmp_path_factory.mktemp("fleet")
    template = release_template(template_repo, root / "template")
    inventory, projects = build_fleet(template, root)
    return Fleet(template, inventory, projects, root / "cache")
