"""One repository's place in the fleet, as a plain record (what `--format json` prints).

The version part comes from `.copier-answers.yml` and the template's releases; the answers,
update leftovers, drift and waivers are read by the platform kit (`ml_platform_kit`), the
same code a project runs as `ml-platform conventions`, so the two never disagree.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ml_platform_kit import conflicts, drift, waivers
from ml_platform_kit.project import ANSWERS, Project
from ml_platform_kit.update_report import release_of
from platform_fleet.engines import update_engines
from platform_fleet.fetch import Unreachable, checkout
from platform_fleet.inventory import Repository
from platform_fleet.template_source import Templates, version_text

Record = dict[str, Any]


def _source(root: Path, answers: dict[str, Any]) -> str:
    """`_src_path` as git can reach it from anywhere: a relative local path is the project's."""
    source = str(answers.get("_src_path") or "")
    is_local = source and not any(mark in source for mark in ("://", "@", "gh:", "gl:"))
    if is_local and not Path(source).is_absolute():
        return str((root / source).resolve())
    return source


def _versions(answers: dict[str, Any], templates: Templates, source: str) -> Record:
    commit = str(answers.get("_commit") or "")
    tagged = release_of(commit)
    template = templates.get(source) if source else None
    record: Record = {
        "source": source or None,
        "commit": commit or None,
        "version": version_text(tagged[0]) if tagged else None,
        "latest": None,
        "releases_behind": None,
        "migrations_to_apply": [],
        "changelog_to_apply": [],
        "problem": None,
    }
    if template is None:
        record["problem"] = f"{ANSWERS} has no _src_path: the template source is unknown"
    elif template.problem or template.latest is None:
        record["problem"] = template.problem
    elif tagged is None:
        record["problem"] = f"_commit {commit!r} in {ANSWERS} names no release (vX.Y.Z)"
    else:
        record["latest"] = version_text(template.latest)
        record["releases_behind"] = template.behind(tagged[0])
        record["migrations_to_apply"] = [
            {"version": m.version, "stage": m.stage, "command": m.command}
            for m in template.migrations_after(tagged[0])
        ]
        record["changelog_to_apply"] = template.changelog_after(commit)
    return record


def _waiver_entry(waiver: waivers.Waiver) -> Record:
    return {
        "rule": waiver.rule,
        "path": waiver.path,
        "approved_by": waiver.approved_by,
        "expires": waiver.expires.isoformat(),
    }


def _drift_and_waivers(project: Project, today: date, window_days: int) -> tuple[Record, Record]:
    """Drift as `ml-platform conventions` judges it, and the state of the project's waivers."""
    check = waivers.judge(project, today)
    soon = today + timedelta(days=window_days)
    waiver_state: Record = {
        "valid": len(check.valid),
        "expiring": [_waiver_entry(w) for w in check.valid if w.expires <= soon],
        "expired": [{"id": f.code, "where": f.where} for f in check.problems if f.code == "UPD006"],
        "malformed": [
            {"id": f.code, "where": f.where, "problem": f.problem}
            for f in check.problems
            if f.code == "UPD007"
        ],
    }
    if not (project.root / drift.RECORD).is_file():
        # Projects from releases before the drift convention carry no record to compare.
        return {"recorded": False, "failing": [], "waived": []}, waiver_state
    failing, waived = waivers.apply(drift.drift(project), check)
    drift_state: Record = {
        "recorded": True,
        "failing": [{"id": f.code, "path": f.path, "owner": f.owner} for f in failing],
        "waived": [
            {"id": f.code, "path": f.path, "expires": w.expires.isoformat()} for f, w in waived
        ],
    }
    return drift_state, waiver_state


def update_engine_names(record: Record) -> str:
    """The engines that keep the project current, for people: `none` when there are none."""
    return ", ".join(name for name, on in record["update_engines"].items() if on) or "none"


def inspect(
    repository: Repository,
    templates: Templates,
    cache: Path,
    today: date,
    window_days: int,
    template_source: str | None = None,
) -> Record:
    """Everything the report says about one repository; never raises for a bad project."""
    record: Record = {
        "name": repository.name,
        "location": repository.location,
        "team": repository.team,
        "reachable": True,
        "problem": None,
    }
    try:
        project = Project(checkout(repository, cache))
        answers = project.load_answers()
    except (Unreachable, ValueError) as error:
        record["reachable"] = not isinstance(error, Unreachable)
        record["problem"] = str(error)
        return record
    source = template_source or _source(project.root, answers)
    record["template"] = _versions(answers, templates, source)
    record["owners"] = {
        key.removeprefix("team_"): value
        for key, value in sorted(answers.items())
        if key.startswith("team_") and isinstance(value, str) and value.startswith("@")
    }
    record["update_leftovers"] = [
        {"id": f.code, "where": f.where} for f in conflicts.leftovers(project)
    ]
    record["drift"], record["waivers"] = _drift_and_waivers(project, today, window_days)
    record["update_engines"] = update_engines(project.root)
    return record
