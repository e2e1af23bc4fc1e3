"""UPD006/UPD007: deliberate deviations are waived in ``config/waivers.yaml``, for a time.

Each waiver names the check ID it waives, the path it covers (a project-relative path or
glob), the reason, who approved it (the platform team owns the file in CODEOWNERS, so its
approval is needed to add one) and the last day it holds. A finding a valid waiver covers
passes and is listed as waived. An expired waiver fails (UPD006) until it is renewed or
removed; a malformed one fails (UPD007) naming the waiver, its line and what is wrong.

The file's shape is ``schemas/waivers.schema.json`` (checked with jsonschema); this module
turns the schema's errors into one line per waiver and judges expiry on the day it is given,
so a test never depends on the date.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml
from jsonschema import Draft202012Validator, ValidationError

from .finding import Finding
from .project import Project

WAIVERS_FILE = "config/waivers.yaml"
SHAPE = "must be a mapping with a `waivers:` list (see the commented example in it)"


class _DatesAsText(yaml.SafeLoader):
    """Safe loading that keeps dates as written, so the schema judges the text."""


_DatesAsText.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


@cache
def schema() -> dict[str, Any]:
    """``schemas/waivers.schema.json``, the file's shape."""
    text = resources.files(__package__).joinpath("schemas/waivers.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def validator() -> Draft202012Validator:
    """The schema's validator, with its ``date`` format checked."""
    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _waiver_schema() -> dict[str, Any]:
    waiver: dict[str, Any] = schema()["$defs"]["waiver"]
    return waiver


FIELDS: tuple[str, ...] = tuple(_waiver_schema()["properties"])
WAIVABLE: tuple[str, ...] = tuple(_waiver_schema()["properties"]["rule"]["enum"])


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
class Waivers:
    """The valid, unexpired waivers, and a finding for each expired or malformed one."""

    valid: tuple[Waiver, ...] = ()
    problems: tuple[Finding, ...] = ()


def _field_error(name: str, value: Any, error: ValidationError) -> str:
    """What is wrong with one field, in the words a person fixing the file needs."""
    if value in (None, ""):
        return f"missing field '{name}'"
    if name == "rule" and error.validator == "enum":
        return f"rule '{value}' is not a check ID a waiver can cover ({', '.join(WAIVABLE)})"
    if name == "approved_by" and error.validator == "pattern":
        return f"approved_by '{value}' is not a handle like @org/team or @user"
    if name == "expires" and error.validator == "format":
        return f"expires '{value}' is not a date (YYYY-MM-DD)"
    return f"{name} {value!r}: {error.message}"


def what_is_wrong(item: Any, errors: Iterable[ValidationError]) -> list[str]:
    """The schema's errors on one waiver as a person fixing it reads them: missing fields
    first, then unknown ones, then each field's first error in the schema's order."""
    missing: list[str] = []
    unknown: list[str] = []
    by_field: dict[str, ValidationError] = {}
    for error in errors:
        field = list(error.absolute_path)[2:]  # the path is waivers, <index>, <field>...
        if not field and error.validator == "type":
            return [f"is not a mapping of {', '.join(FIELDS)}"]
        if not field and error.validator == "required":
            missing = [name for name in _waiver_schema()["required"] if name not in item]
        elif not field and error.validator == "additionalProperties":
            unknown = [name for name in item if name not in FIELDS]
        elif field:
            by_field.setdefault(str(field[0]), error)
    wrong = [f"missing field '{name}'" for name in missing]
    wrong += [f"unknown field '{name}'" for name in unknown]
    wrong += [_field_error(n, item[n], by_field[n]) for n in FIELDS if n in by_field]
    return wrong


def _load(text: str) -> tuple[Any, list[int]]:
    """The document, and the line each ``waivers`` entry starts on."""
    loader = _DatesAsText(text)
    try:
        loaded = loader.get_single_data()
    finally:
        loader.dispose()
    lines: list[int] = []
    node = yaml.compose(text)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "waivers" and isinstance(value, yaml.SequenceNode):
                lines = [entry.start_mark.line + 1 for entry in value.value]
    return loaded, lines


def _by_entry(errors: Iterable[ValidationError]) -> tuple[dict[int, list[ValidationError]], bool]:
    """The schema's errors by waiver index, and whether the file's own shape is wrong."""
    by_entry: dict[int, list[ValidationError]] = {}
    shape_wrong = False
    for error in errors:
        path = list(error.absolute_path)
        if len(path) >= 2 and path[0] == "waivers" and isinstance(path[1], int):
            by_entry.setdefault(path[1], []).append(error)
        else:
            shape_wrong = True
    return by_entry, shape_wrong


def _expired(project: Project, waiver: Waiver, number: int) -> Finding:
    return project.finding(
        "UPD006",
        f"{WAIVERS_FILE}:{waiver.line}",
        f"waiver {number} for {waiver.rule} {waiver.path} expired on "
        f"{waiver.expires.isoformat()} (approved by {waiver.approved_by}); renew it with a "
        "new `expires` date in a change the platform team approves, or remove it and "
        "fix the deviation",
    )


def _judge_entries(
    project: Project,
    loaded: dict[str, Any],
    lines: list[int],
    by_entry: dict[int, list[ValidationError]],
    today: date,
) -> Waivers:
    """Each entry of a file whose own shape is right: valid, expired or malformed."""
    valid: list[Waiver] = []
    problems: list[Finding] = []
    for index, item in enumerate(loaded.get("waivers") or []):
        number, line = index + 1, lines[index] if index < len(lines) else 1
        wrong = what_is_wrong(item, by_entry.get(index, []))
        if wrong:
            what = f"waiver {number}: " + "; ".join(wrong)
            problems.append(project.finding("UPD007", f"{WAIVERS_FILE}:{line}", what))
            continue
        waiver = Waiver(
            item["rule"],
            item["path"],
            item["reason"],
            item["approved_by"],
            date.fromisoformat(item["expires"]),
            line,
        )
        if waiver.expires < today:
            problems.append(_expired(project, waiver, number))
        else:
            valid.append(waiver)
    return Waivers(tuple(valid), tuple(problems))


def judge(project: Project, today: date) -> Waivers:
    """Read ``config/waivers.yaml``: valid waivers, and UPD006/UPD007 for the others."""
    try:
        text = (project.root / WAIVERS_FILE).read_text(encoding="utf-8")
    except OSError:
        return Waivers()  # no file: nothing waived
    try:
        loaded, lines = _load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{WAIVERS_FILE}:{mark.line + 1}" if mark else WAIVERS_FILE
        return Waivers(problems=(project.finding("UPD007", where, f"not valid YAML: {error}"),))
    if loaded is None:
        return Waivers()
    by_entry, shape_wrong = _by_entry(validator().iter_errors(loaded))
    if shape_wrong:
        return Waivers(problems=(project.finding("UPD007", WAIVERS_FILE, SHAPE),))
    return _judge_entries(project, loaded, lines, by_entry, today)


def apply(
    findings: Sequence[Finding], waivers: Waivers
) -> tuple[list[Finding], list[tuple[Finding, Waiver]]]:
    """Split findings into those that fail and those a valid waiver covers."""
    failing: list[Finding] = []
    waived: list[tuple[Finding, Waiver]] = []
    for finding in findings:
        waiver = next((w for w in waivers.valid if w.covers(finding)), None)
        if waiver is None:
            failing.append(finding)
        else:
            waived.append((finding, waiver))
    return failing, waived
