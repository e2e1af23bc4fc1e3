"""The terminal view: one row per repository, then the summary and the policy verdict."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from platform_fleet.project import Record, update_engine_names
from platform_fleet.report import Report

COLUMNS = (
    "team",
    "version",
    "behind",
    "leftovers",
    "drift",
    "expired",
    "expiring",
    "update engine",
    "policy / problem",
)


def _cells(project: Record) -> list[str]:
    if not project["reachable"] or project["problem"]:
        state = "unreachable" if not project["reachable"] else "unreadable"
        return [state, "", "", "", "", "", "", project["problem"] or ""]
    template = project["template"]
    behind = template["releases_behind"]
    waiver_state = project["waivers"]
    drift_state = project["drift"]
    return [
        template["version"] or (template["commit"] or "?"),
        "?" if behind is None else str(behind),
        str(len(project["update_leftovers"])) if project["update_leftovers"] else "",
        (str(len(drift_state["failing"])) if drift_state["failing"] else "")
        if drift_state["recorded"]
        else "not recorded",
        f"{len(waiver_state['expired'])} expired" if waiver_state["expired"] else "",
        f"{len(waiver_state['expiring'])} expiring" if waiver_state["expiring"] else "",
        update_engine_names(project),
        "; ".join(project["policy_violations"]) or template["problem"] or "",
    ]


def render(report: Report, console: Console) -> None:
    table = Table(title=f"Template fleet on {report['today']}", expand=False)
    table.add_column("project", no_wrap=True)
    for heading in COLUMNS:
        table.add_column(heading, overflow="fold")
    for project in report["projects"]:
        table.add_row(project["name"], project["team"] or "", *_cells(project))
    console.print(table)
    for template in report["templates"]:
        latest = template["latest"] or template["problem"]
        console.print(f"Template {template['source']}: latest release {latest}")
    summary = report["summary"]
    spread = ", ".join(f"{v}: {n}" for v, n in summary["by_version"].items())
    console.print(
        f"{summary['projects']} repositories ({summary['unreachable']} unreachable); "
        f"by version: {spread or 'none'}"
    )
    if summary["without_update_engine"]:
        console.print("No update engine: " + ", ".join(summary["without_update_engine"]))
    verdict = (
        "policy kept"
        if report["passed"]
        else (f"policy broken by {summary['breaking_policy']} repositories")
    )
    console.print(verdict, style="green" if report["passed"] else "bold red")
