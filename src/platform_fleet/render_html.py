"""The HTML view: one self-contained page (inline CSS and SVG, no scripts, no fonts, no
requests), with a chart of projects per template version and a table per team."""

from __future__ import annotations

from itertools import groupby
from typing import Any

import jinja2

from platform_fleet.project import Record, update_engine_names
from platform_fleet.report import Report

NO_TEAM = "(no team in the inventory)"
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, CHART_WIDTH = 28, 10, 90, 640

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("platform_fleet", "."),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def chart_bars(by_version: dict[str, int], latest: str | None) -> list[dict[str, Any]]:
    """One horizontal bar per version, scaled to the largest count."""
    largest = max(by_version.values(), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 60
    return [
        {
            "version": version,
            "count": count,
            "y": index * (BAR_HEIGHT + BAR_GAP),
            "width": max(2, round(span * count / largest)),
            "latest": version == latest,
        }
        for index, (version, count) in enumerate(by_version.items())
    ]


def _status(project: Record) -> str:
    if not project["reachable"]:
        return "unreachable"
    return "breaks policy" if project["policy_violations"] else "ok"


def team_tables(projects: list[Record]) -> list[tuple[str, list[Record]]]:
    def team(project: Record) -> str:
        return project["team"] or NO_TEAM

    ordered = sorted(projects, key=lambda p: (team(p) == NO_TEAM, team(p), p["name"]))
    return [(name, list(rows)) for name, rows in groupby(ordered, key=team)]


def render(report: Report) -> str:
    latest = next((t["latest"] for t in report["templates"] if t["latest"]), None)
    bars = chart_bars(report["summary"]["by_version"], latest)
    return _ENVIRONMENT.get_template("report.html.jinja").render(
        report=report,
        latest=latest,
        bars=bars,
        chart={
            "width": CHART_WIDTH,
            "height": max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP),
            "label_width": LABEL_WIDTH,
            "bar_height": BAR_HEIGHT,
        },
        teams=team_tables(report["projects"]),
        status=_status,
        engines=update_engine_names,
    )
