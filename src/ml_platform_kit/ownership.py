"""OWN001-OWN006: every path has its owner, every team owns something, managed files say so.

The agreement lives in docs/ways-of-working.md#ownership; the platform team owns it. The
ownership table (copier.yml's ``ownership``) is recorded in ``.platform-managed.json`` with
each team's handle, and CODEOWNERS is rendered from it; these checks find where the two
have come apart since:

- OWN001: CODEOWNERS sits where the answers' CI provider reads it.
- OWN002: each of the four teams of the answers owns at least one path.
- OWN003: only those four teams appear as owners.
- OWN004: the rule CODEOWNERS applies to an area of the table gives it to the table's team.
- OWN005: platform-managed files keep their "Managed by the ML platform template" header.
- OWN006: a directory of the table has a rule of its own, not only the ``*`` fallback.

A CODEOWNERS finding is the platform team's to fix (it owns CODEOWNERS), whichever area it
is about. Without CODEOWNERS only OWN001 is reported; without the record, only what
CODEOWNERS and the answers can say (UPD004 reports the missing record).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .drift import RecordError, read_record
from .finding import Finding
from .project import CODEOWNERS, Project, Rule
from .registry import ROLES

MANAGED_HEADER = "Managed by the ML platform template"
HEADER_LINES = 3  # the header is on the first line, after a shebang or a format's own first line


@dataclass(frozen=True)
class Area:
    """One row of the ownership table: a CODEOWNERS pattern, its team and the team's handle."""

    rule: Rule
    team: str
    handle: str

    @property
    def where(self) -> str:
        """The area as a project path: ``deploy/``, ``Dockerfile``."""
        return self.rule.pattern.lstrip("/")

    @property
    def directory(self) -> bool:
        return self.rule.pattern.endswith("/")


def _areas(project: Project) -> list[Area]:
    """The recorded ownership table; empty when the record is missing or has none."""
    try:
        rows = read_record(project).get("ownership") or []
    except RecordError:
        return []
    return [
        Area(
            Rule.parse(str(row["path"]), (str(row["handle"]),)),
            str(row["team"]),
            str(row["handle"]),
        )
        for row in rows
        if isinstance(row, dict) and {"path", "team", "handle"} <= row.keys()
    ]


def _codeowners_finding(project: Project, check_id: str, where: str, problem: str) -> Finding:
    return project.finding(check_id, where, problem, owned=project.codeowners_path)


def codeowners_missing(project: Project) -> list[Finding]:
    """OWN001 when CODEOWNERS is not where the CI provider reads it."""
    path = project.codeowners_path
    if (project.root / path).is_file():
        return []
    elsewhere = [p for p in CODEOWNERS.values() if p != path and (project.root / p).is_file()]
    provider = project.answers.get("ci_provider") or "the CI provider"
    problem = f"missing; {provider} reads ownership from here"
    if elsewhere:
        problem += f", not from {elsewhere[0]}: move it (`git mv {elsewhere[0]} {path}`)"
    return [_codeowners_finding(project, "OWN001", path, problem)]


def teams_without_paths(project: Project) -> list[Finding]:
    """OWN002 for each team of the answers that no CODEOWNERS rule names."""
    in_use = {handle for rule in project.codeowners for handle in rule.handles}
    findings = []
    for role in ROLES:
        handle = project.answers.get(f"team_{role}")
        if handle and handle not in in_use:
            problem = (
                f"team_{role} ({handle}) owns no path, so nothing needs its approval; "
                "give the team its paths (restore the rules the template renders)"
            )
            findings.append(
                _codeowners_finding(project, "OWN002", project.codeowners_path, problem)
            )
    return findings


def unknown_owners(project: Project) -> list[Finding]:
    """OWN003 for each handle of a rule that is not one of the four teams."""
    known = {project.answers.get(f"team_{role}") for role in ROLES}
    findings = []
    for rule in project.codeowners:
        for handle in rule.handles:
            if handle not in known:
                problem = (
                    f"`{rule.pattern}` is owned by {handle}, which is not one of the four teams "
                    "in .copier-answers.yml; change a team through its answer "
                    "(`copier update --data team_<role>=@org/team`)"
                )
                where = f"{project.codeowners_path}:{rule.line}"
                findings.append(_codeowners_finding(project, "OWN003", where, problem))
    return findings


def _area_rule(project: Project, area: Area) -> Rule | None:
    """The rule CODEOWNERS applies to an area; for the ``*`` row, its last catch-all rule."""
    if area.rule.catch_all:
        return next((rule for rule in reversed(project.codeowners) if rule.catch_all), None)
    return project.rule_for(area.where)


def _misowned(project: Project, area: Area) -> Iterator[Finding]:
    """OWN004 when the area's rule names another team, OWN006 when only ``*`` claims a
    directory of the project."""
    rule = _area_rule(project, area)
    codeowners = project.codeowners_path
    line = f"`{area.rule.pattern} {area.handle}`"
    if area.directory and (rule is None or rule.catch_all):
        if (project.root / area.where).is_dir():
            problem = (
                f"no rule in {codeowners} covers {area.where} (only the `*` fallback), so "
                f"changes to it need no approval from {area.team} ({area.handle}); "
                f"add the line {line} (or restore {codeowners})"
            )
            yield _codeowners_finding(project, "OWN006", area.where, problem)
        return
    if rule is not None and area.handle not in rule.handles:
        problem = (
            f"{codeowners} gives {area.where} to {' '.join(rule.handles) or 'nobody'} "
            f"(rule `{rule.pattern}`, line {rule.line}), but the ownership table gives it to "
            f"{area.team} ({area.handle}); make {line} the last rule that matches it "
            f"(or restore {codeowners})"
        )
        # The `*` row is no path of the project: the finding points at the catch-all line.
        where = f"{codeowners}:{rule.line}" if area.rule.catch_all else area.where
        yield _codeowners_finding(project, "OWN004", where, problem)


def areas_misowned(project: Project) -> list[Finding]:
    """OWN004 and OWN006 over the recorded ownership table."""
    return [finding for area in _areas(project) for finding in _misowned(project, area)]


def headers_lost(project: Project) -> list[Finding]:
    """OWN005 for each platform-managed file that lost its header line."""
    try:
        entries = read_record(project)["files"]
    except RecordError:
        return []
    findings = []
    for entry in entries:
        relpath = str(entry["path"])
        if not entry.get("header") or not (project.root / relpath).is_file():
            continue  # a deleted one is UPD004
        head = (project.read(relpath) or "").splitlines()[:HEADER_LINES]
        if not any(MANAGED_HEADER in line for line in head):
            problem = (
                f"platform-managed file lost its '{MANAGED_HEADER}' header line, so a reader "
                "no longer sees that changes go through the template; restore the line"
            )
            findings.append(project.finding("OWN005", relpath, problem))
    return findings


def ownership(project: Project) -> list[Finding]:
    """Every ownership finding of the project."""
    missing = codeowners_missing(project)
    if missing:
        return missing + headers_lost(project)
    return (
        teams_without_paths(project)
        + unknown_owners(project)
        + areas_misowned(project)
        + headers_lost(project)
    )
