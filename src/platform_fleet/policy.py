"""The policy a scheduled report gates on: what in a project's record breaks it."""

from __future__ import annotations

from platform_fleet.inventory import Policy
from platform_fleet.project import Record

DOCS = "docs/fleet-report.md#policy"


def violations(record: Record, policy: Policy) -> list[str]:
    """One line per broken rule, in a fixed order; empty when the project complies."""
    broken: list[str] = []
    if not record["reachable"]:
        if policy.unreachable == "fail":
            broken.append("unreachable")
        return broken
    if record["problem"]:
        return broken  # no answers file: nothing else was read
    behind = record["template"]["releases_behind"]
    limit = policy.max_releases_behind
    if limit is not None and (behind is None or behind > limit):
        shown = "an unknown number of" if behind is None else str(behind)
        broken.append(f"{shown} releases behind (at most {limit})")
    if policy.update_leftovers == "fail" and record["update_leftovers"]:
        broken.append(f"{len(record['update_leftovers'])} update leftovers (UPD001/UPD002)")
    if policy.expired_waivers == "fail" and record["waivers"]["expired"]:
        broken.append(f"{len(record['waivers']['expired'])} expired waivers (UPD006)")
    if policy.drift == "fail" and record["drift"]["failing"]:
        broken.append(f"{len(record['drift']['failing'])} drifted managed files (UPD004/UPD005)")
    engines = record["update_engines"]
    if policy.no_update_engine == "fail" and not any(engines.values()):
        broken.append("no update engine (Renovate's copier manager or a scheduled update)")
    return broken
