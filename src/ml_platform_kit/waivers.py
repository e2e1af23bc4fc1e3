# Managed by the ML platform template (updates and drift convention): edit through the template.
"""UPD006/UPD007: deliberate deviations are waived in `config/waivers.yaml`, for a time.

Each waiver names the check ID it waives, the path it covers (a project-relative path or
glob), the reason, who approved it (the platform team owns the file in CODEOWNERS, so its
approval is needed to add one) and the date it expires. A finding a valid waiver covers
passes and is listed as waived. An expired waiver fails (UPD006) until it is renewed or
removed; a malformed one fails (UPD007) naming the waiver, its line and what is wrong.

`waivers(project_root, today)` returns both the valid waivers and those findings;
`apply(findings, check)` splits findings into failing and waived ones.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from ownership import Finding, read_owners

WAIVERS_FILE = "config/waivers.yaml"
AGREEMENT = "waivers"
FIELDS = ("rule", "path", "reason", "approved_by", "expires")
# The checks a waiver may cover: deviations a team can have a reason for. Conflict
# leftovers (UPD001, UPD002) and broken waivers (UPD006, UPD007) are never waivable.
WAIVABLE = {
    "UPD004": "a platform-managed file deleted",
    "UPD005": "a platform-managed file edited by hand",
    "OWN006": "an owned directory without its CODEOWNERS rule",
    "NB001": "a notebook with outputs",
}


class _DatesAsText(yaml.SafeLoader):
    """Safe loading that keeps dates as written, so a bad one is reported, not raised."""


_DatesAsText.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


def _load_safely(text: str) -> Any:
    """One YAML document through the safe loader above."""
    loader = _DatesAsText(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


HANDLE = re.compile(r"^@[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*$")


@dataclass(frozen=True)
class Waiver:
    """One approved deviation: which check, which path, why, who approved, until when."""

    rule: str
    path: str
    reason: str
    approved_by: str
    expires: date
    line: int

    def covers(self, finding: Finding) -> bool:
        return finding.code == self.rule and (
            finding.path == self.path or fnmatch.fnmatch(finding.path, self.path)
        )

    def __str__(self) -> str:
        return (
            f"{self.rule} {self.path}: {self.reason} (approved by {self.approved_by}, "
            f"until {self.expires.isoformat()}; {WAIVERS_FILE}:{self.line})"
        )


@dataclass(frozen=True)
class WaiverCheck:
    """The valid, unexpired waivers, and a finding for each expired or malformed one."""

    valid: tuple[Waiver, ...]
    problems: tuple[Finding, ...]


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _what_is_wrong(item: Any) -> list[str]:
    """Every problem of one waiver entry; empty when it is well formed."""
    if not isinstance(item, dict):
        return [f"is not a mapping of {', '.join(FIELDS)}"]
    wrong = [f"missing field '{name}'" for name in FIELDS if item.get(name) in (None, "")]
    wrong += [f"unknown field '{name}'" for name in item if name not in FIELDS]
    rule = item.get("rule")
    if rule not in (None, "") and str(rule) not in WAIVABLE:
        wrong.append(f"rule '{rule}' is not a check ID a waiver can cover ({', '.join(WAIVABLE)})")
    approver = item.get("approved_by")
    if approver not in (None, "") and not HANDLE.match(str(approver)):
        wrong.append(f"approved_by '{approver}' is not a handle like @org/team or @user")
    expires = item.get("expires")
    if expires not in (None, "") and _as_date(expires) is None:
        wrong.append(f"expires '{expires}' is not a date (YYYY-MM-DD)")
    return wrong


def waivers(project_root: Path, today: date) -> WaiverCheck:
    """Read `config/waivers.yaml`: valid waivers, and UPD006/UPD007 for the others."""
    root = Path(project_root)
    owner = read_owners(root).of(WAIVERS_FILE)

    def problem(code: str, where: str, what: str) -> Finding:
        return Finding(code, where, what, AGREEMENT, owner, f"docs/ci.md#{code.lower()}")

    try:
        text = (root / WAIVERS_FILE).read_text(encoding="utf-8")
    except OSError:
        return WaiverCheck((), ())  # no file: nothing waived
    try:
        node = yaml.compose(text)
        loaded = _load_safely(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{WAIVERS_FILE}:{mark.line + 1}" if mark else WAIVERS_FILE
        return WaiverCheck((), (problem("UPD007", where, f"not valid YAML: {error}"),))
    if loaded is None:
        return WaiverCheck((), ())
    entries = loaded.get("waivers") if isinstance(loaded, dict) else None
    if not isinstance(loaded, dict) or not isinstance(entries, list | type(None)):
        what = "must be a mapping with a `waivers:` list (see the commented example in it)"
        return WaiverCheck((), (problem("UPD007", WAIVERS_FILE, what),))
    lines = [1] * len(entries or [])
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "waivers" and isinstance(value, yaml.SequenceNode):
                lines = [item.start_mark.line + 1 for item in value.value]
    valid: list[Waiver] = []
    problems: list[Finding] = []
    for number, (item, line) in enumerate(zip(entries or [], lines, strict=True), start=1):
        where = f"{WAIVERS_FILE}:{line}"
        wrong = _what_is_wrong(item)
        if wrong:
            problems.append(problem("UPD007", where, f"waiver {number}: " + "; ".join(wrong)))
            continue
        expires = _as_date(item["expires"])
        if expires is None:  # reported above; keeps the type checker informed
            continue
        waiver = Waiver(
            str(item["rule"]),
            str(item["path"]),
            str(item["reason"]),
            str(item["approved_by"]),
            expires,
            line,
        )
        if expires < today:
            problems.append(
                problem(
                    "UPD006",
                    where,
                    f"waiver {number} for {waiver.rule} {waiver.path} expired on "
                    f"{expires.isoformat()} (approved by {waiver.approved_by}); renew it with a "
                    "new `expires` date in a change the platform team approves, or remove it and "
                    "fix the deviation",
                )
            )
            continue
        valid.append(waiver)
    return WaiverCheck(tuple(valid), tuple(problems))


def apply(
    findings: Sequence[Finding], check: WaiverCheck
) -> tuple[list[Finding], list[tuple[Finding, Waiver]]]:
    """Split findings into those that fail and those a valid waiver covers."""
    failing: list[Finding] = []
    waived: list[tuple[Finding, Waiver]] = []
    for finding in findings:
        waiver = next((w for w in check.valid if w.covers(finding)), None)
        if waiver is None:
            failing.append(finding)
        else:
            waived.append((finding, waiver))
    return failing, waived
