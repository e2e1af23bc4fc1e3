"""The whole report: every repository's record, the template releases, a summary, the policy."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from packaging.version import Version

from platform_fleet.inventory import Inventory, Repository
from platform_fleet.policy import violations
from platform_fleet.pool import bounded_map
from platform_fleet.project import Record, inspect
from platform_fleet.template_source import Templates, version_text

Report = dict[str, Any]
UNKNOWN = "unknown"
FORMAT = "ml-platform-fleet-report/v1"


def _version_key(version: str) -> tuple[bool, Version]:
    """Releases in order, `unknown` last."""
    return (True, Version("0")) if version == UNKNOWN else (False, Version(version))


def _summary(projects: list[Record]) -> dict[str, Any]:
    versions = Counter(
        (p.get("template") or {}).get("version") or UNKNOWN for p in projects if p["reachable"]
    )
    return {
        "projects": len(projects),
        "unreachable": sum(1 for p in projects if not p["reachable"]),
        "by_version": {v: versions[v] for v in sorted(versions, key=_version_key)},
        "breaking_policy": sum(1 for p in projects if p["policy_violations"]),
        "without_update_engine": sorted(
            p["name"]
            for p in projects
            if "update_engines" in p and not any(p["update_engines"].values())
        ),
    }


def build(
    inventory: Inventory,
    cache: Path,
    today: date,
    workers: int,
    template_source: str | None = None,
    progress: Callable[[Record], None] = lambda record: None,
) -> Report:
    templates = Templates(cache)
    source = template_source or inventory.template
    policy = inventory.policy

    def one(repository: Repository) -> Record:
        try:
            record = inspect(repository, templates, cache, today, policy.expiry_window_days, source)
        except Exception as error:  # one odd repository must not end the report
            record = {
                "name": repository.name,
                "location": repository.location,
                "team": repository.team,
                "reachable": True,
                "problem": f"could not be read: {type(error).__name__}: {error}",
            }
        record["policy_violations"] = violations(record, policy)
        progress(record)
        return record

    projects = list(bounded_map(one, inventory.repositories, workers))
    return {
        "format": FORMAT,
        "today": today.isoformat(),
        "policy": asdict(policy),
        "templates": [
            {
                "source": t.source,
                "releases": [version_text(v) for v in t.releases],
                "latest": version_text(t.latest) if t.latest else None,
                "problem": t.problem,
            }
            for t in templates.all()
        ],
        "summary": _summary(projects),
        "projects": projects,
        "passed": not any(p["policy_violations"] for p in projects),
    }
