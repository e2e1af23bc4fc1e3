"""The fleet report on a fleet built for it: every record exactly as built, the policy's
exit codes, and errors that say what is wrong without a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from tests.fleet.conftest import FLEET_COMMAND, Fleet, report_of, run_fleet
from tests.fleet.fleet import BEHIND, LATEST, OWNERS, RELEASES, TODAY, FleetProject

pytestmark = pytest.mark.slow

# Every migration copier.yml declares, oldest first; a project takes those after its version.
MIGRATIONS = [
    {"version": "1.1.0", "stage": "before", "command": "hooks/v1_1_0_rename_serving_answer.py"},
    {"version": "1.1.0", "stage": "after", "command": "hooks/v1_1_0_manifest_api_v2.py"},
    {"version": "1.1.0", "stage": "after", "command": "hooks/v1_1_0_move_checkov_config.py"},
    {"version": "2.0.0", "stage": "after", "command": "hooks/v2_0_0_keep_edited_platform_code.py"},
]
COMMITS = {"v100": "v1.0.0", "v110": "v1.1.0"}  # every other base is on LATEST


def _heading(template: Path, version: str) -> str:
    """The release's CHANGELOG heading, without its `## `."""
    changelog = (template / "CHANGELOG.md").read_text("utf-8").splitlines()
    return next(line[3:] for line in changelog if line.startswith(f"## {version} "))


def _git_says(url: str, tmp_path: Path) -> str:
    """git's own complaint about an unreachable URL: its first `fatal:` line."""
    done = subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", url, str(tmp_path / "clone")],
        capture_output=True,
        text=True,
    )
    return next(line for line in done.stderr.splitlines() if line.startswith("fatal:"))


def expected(project: FleetProject, fleet: Fleet, tmp_path: Path) -> dict[str, Any]:
    record: dict[str, Any] = {
        "name": project.name,
        "location": project.unreachable
        or (
            (fleet.inventory.parent / "projects" / project.name).as_uri()
            if project.remote
            else f"projects/{project.name}"
        ),
        "team": project.team,
        "reachable": project.unreachable is None,
        "problem": None,
    }
    if project.unreachable:
        record["problem"] = f"{project.unreachable}: {_git_says(project.unreachable, tmp_path)}"
        record["policy_violations"] = project.violations
        return record
    commit = COMMITS.get(project.base, f"v{LATEST}")
    version = commit[1:]
    changelog = [_heading(fleet.template, v) for v in RELEASES if Version(v) > Version(version)]
    record["template"] = {
        "source": str(fleet.template),
        "commit": commit,
        "version": version,
        "latest": LATEST,
        "releases_behind": BEHIND[version],
        "migrations_to_apply": [
            m for m in MIGRATIONS if Version(version) < Version(m["version"]) <= Version(LATEST)
        ],
        "changelog_to_apply": changelog,
        "problem": None,
    }
    record["owners"] = OWNERS
    record["update_leftovers"] = project.leftovers
    record["drift"] = {
        "recorded": version == LATEST,
        "failing": project.drift_failing,
        "waived": project.drift_waived,
    }
    record["waivers"] = project.waivers
    record["update_engines"] = dict(
        zip(("renovate_copier", "scheduled_update"), project.engines, strict=True)
    )
    record["policy_violations"] = project.violations
    return record


def test_every_record_is_what_was_built(fleet: Fleet, tmp_path: Path) -> None:
    code, report = report_of(fleet)
    assert len(fleet.projects) >= 20
    for got, project in zip(report["projects"], fleet.projects, strict=True):
        assert got == expected(project, fleet, tmp_path), project.name
    assert report["templates"] == [
        {
            "source": str(fleet.template),
            "releases": RELEASES,
            "latest": LATEST,
            "problem": None,
        }
    ]
    by_version = {"1.0.0": 0, "1.1.0": 0, LATEST: 0}
    for project in fleet.projects:
        if not project.unreachable:
            by_version[COMMITS.get(project.base, f"v{LATEST}")[1:]] += 1
    assert report["summary"] == {
        "projects": len(fleet.projects),
        "unreachable": 1,
        "by_version": by_version,
        "breaking_policy": sum(1 for p in fleet.projects if p.violations),
        "without_update_engine": ["no-update-engine"],
    }
    assert report["today"] == TODAY
    assert report["passed"] is False
    assert code == 1


def test_the_policy_decides_the_exit_code(fleet: Fleet) -> None:
    lenient = (
        "--max-releases-behind",
        str(BEHIND["1.0.0"]),
        "--update-leftovers",
        "report",
        "--expired-waivers",
        "report",
    )
    code, report = report_of(fleet, *lenient)
    assert (code, report["passed"]) == (0, True)
    assert not any(p["policy_violations"] for p in report["projects"])

    code, report = report_of(fleet, *lenient, "--unreachable", "fail", "--drift", "fail")
    broken = {
        p["name"]: p["policy_violations"] for p in report["projects"] if p["policy_violations"]
    }
    drifted = {p.name: len(p.drift_failing) for p in fleet.projects if p.drift_failing}
    assert code == 1
    assert broken == {
        "decommissioned": ["unreachable"],
        **{name: [f"{n} drifted managed files (UPD004/UPD005)"] for name, n in drifted.items()},
    }


def test_the_table_lists_every_repository_and_the_verdict(fleet: Fleet) -> None:
    done = run_fleet(fleet, "--format", "table")
    assert done.returncode == 1, done.stderr
    for project in fleet.projects:
        assert project.name in done.stdout
    assert "No update engine: no-update-engine" in done.stdout
    assert "policy broken by" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("inventory", "said"),
    [
        ("repositories:\n  - team: risk\n", "repositories/0: {'team': 'risk'} is not valid under"),
        (
            "repositories: []\npolicy:\n  max_releases_behind: -1\n",
            "policy/max_releases_behind: -1 is less than the minimum of 0",
        ),
        ("repositories: [\n", "not valid YAML"),
        ("repositories:\n  - {path: a}\n  - {path: b/a}\n", "the name(s) a appear more than once"),
    ],
)
def test_a_bad_inventory_says_where_and_exits_2(tmp_path: Path, inventory: str, said: str) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text(inventory, encoding="utf-8")
    done = subprocess.run(
        [str(FLEET_COMMAND), "--inventory", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert said in done.stderr
    assert "docs/fleet-report.md#the-inventory" in done.stderr
    assert "Traceback" not in done.stderr
