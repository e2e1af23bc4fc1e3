"""``ml-platform contracts``: lint every data contract and refuse unannounced breaking changes.

For each ``contracts/*.odcs.yaml`` of the project:

- ``DC020`` it is there and is YAML; ``DC021`` the official ODCS JSON Schema (vendored beside
  it, in ``contracts/schema/``) accepts it;
- ``DC022`` the rules the schema cannot express: every quality rule and SLA names an existing
  column, the owner is one of the project's four teams, the version is semver, the ODCS
  version is the pinned one;
- ``DC030`` compared with the same file on the target branch (``--base``, default ``main``;
  tox passes ``CONTRACTS_BASE``; ``DC031`` when that branch is not there to compare with), a
  breaking change (a removed or renamed column, a narrowed type, an optional column made
  required, a tightened range, allowed-values list or pattern) comes with a major version bump;
- ``DC001``-``DC010`` the local extracts the contract lists under ``servers`` meet it, each
  measured on the day it declares it was taken (``asOf``) unless ``--as-of`` names another.

Usage: ``ml-platform contracts [--base BRANCH] [--no-compare] [--no-data] [--as-of DAY]
[CONTRACT ...]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import subprocess  # nosec B404
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import yaml

from .contract import (
    ODCS_VERSION,
    Column,
    DataContract,
    parse_document,
    project_of,
    read_document,
    relative,
    schema_findings,
)
from .finding import Finding, Outcome, PipelineError
from .project import Project
from .registry import ROLES

SEMVER: Final = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:[-+][0-9A-Za-z.+-]+)?")
# Widening a type never breaks a reader; any other change of logical type does.
WIDENINGS: Final = {("integer", "number")}


def semantic_findings(contract: DataContract, document: Mapping[str, Any]) -> list[Finding]:
    """What the ODCS schema cannot say: references, owner, versions (DC022)."""
    known_teams = {contract.project.handle(role) for role in ROLES}
    problems = []
    if document.get("apiVersion") != ODCS_VERSION:
        problems.append(
            f"apiVersion {document.get('apiVersion')!r} is not the pinned {ODCS_VERSION!r};"
            " the platform upgrades ODCS for every project at once"
        )
    if not SEMVER.fullmatch(contract.version):
        problems.append(f"version {contract.version!r} is not semver, e.g. '1.2.0'")
    if contract.owner not in known_teams:
        teams = ", ".join(sorted(known_teams))
        problems.append(
            f"owner {contract.owner or '(none)'!r} is not a known team; set team.members"
            f" with role 'owner' to one of {teams}"
        )
    names = {column.name for column in contract.columns}
    for reference, used_by in _column_references(document):
        if reference not in names:
            problems.append(f"{used_by} names column {reference!r}, which the contract lacks")
    return [contract.finding("DC022", contract.path, problem) for problem in problems]


def _column_references(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(column, where it is named) for every quality rule and SLA that names columns."""
    references = []
    for table_index, table in enumerate(document.get("schema", [])):
        for rule_index, rule in enumerate(table.get("quality", [])):
            for name in rule.get("arguments", {}).get("properties", []):
                references.append((str(name), f"schema[{table_index}].quality[{rule_index}]"))
    for sla_index, sla in enumerate(document.get("slaProperties", [])):
        if "element" in sla:
            column = str(sla["element"]).rsplit(".", 1)[-1]
            references.append((column, f"slaProperties[{sla_index}].element"))
    return references


# --- breaking changes -------------------------------------------------------------------------


def breaking_changes(old: DataContract, new: DataContract) -> list[str]:
    """Every change from ``old`` to ``new`` that can break a reader of the data."""
    changes = []
    new_columns = {column.name: column for column in new.columns}
    for before in old.columns:
        after = new_columns.get(before.name)
        if after is None:
            changes.append(f"column {before.name!r} was removed or renamed")
        else:
            changes.extend(_column_changes(before, after))
    return changes


def _column_changes(before: Column, after: Column) -> list[str]:
    name = repr(before.name)
    changes = []
    types = (before.logical_type, after.logical_type)
    if types[0] != types[1] and types not in WIDENINGS:
        changes.append(f"column {name} type narrowed from {types[0]} to {types[1]}")
    if after.required and not before.required:
        changes.append(f"column {name} became required")
    if after.unique and not before.unique:
        changes.append(f"column {name} became unique")
    if _tighter(before.minimum, after.minimum, lambda old, new: new > old):
        changes.append(f"column {name} minimum tightened from {before.minimum} to {after.minimum}")
    if _tighter(before.maximum, after.maximum, lambda old, new: new < old):
        changes.append(f"column {name} maximum tightened from {before.maximum} to {after.maximum}")
    if after.allowed is not None:
        dropped = sorted(map(str, set(before.allowed or ()) - set(after.allowed)))
        if before.allowed is None:
            changes.append(f"column {name} now restricts its values to a list")
        elif dropped:
            changes.append(f"column {name} no longer allows {', '.join(dropped)}")
    if after.pattern is not None and after.pattern != before.pattern:
        changes.append(f"column {name} pattern changed to {after.pattern}")
    return changes


def _tighter(before: object, after: object, stricter: Any) -> bool:
    if after is None:
        return False
    if before is None:
        return True
    return bool(
        stricter(str(before), str(after)) if isinstance(after, str) else stricter(before, after)
    )


def _major(version: str) -> int:
    match = SEMVER.fullmatch(version)
    return int(match.group(1)) if match else 0


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # An argument list, no shell: a ref or path from the command line cannot inject a command.
    return subprocess.run(  # noqa: S603  # nosec B603 B607
        ["git", *args],  # noqa: S607 - git from PATH, as every developer and CI job has it
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def _base_ref(root: Path, base: str) -> str | None:
    """``base`` or ``origin/<base>``, whichever exists (a CI checkout often has only the latter)."""
    for ref in (base, f"origin/{base}"):
        if _git(root, "rev-parse", "--verify", "--quiet", ref + "^{commit}").returncode == 0:
            return ref
    return None


def _base_contract(contract: DataContract, ref: str) -> DataContract | str:
    """The contract as it is on ``ref``, or why there is nothing to compare with."""
    where = relative(contract.project, contract.path)
    # `<ref>:./<path>` is relative to git's working directory, the project (which need not
    # be the repository's top level).
    shown = _git(contract.root, "show", f"{ref}:./{where}")
    if shown.returncode != 0:
        return f"not on {ref!r}: a new contract, nothing to compare"
    try:
        document = yaml.safe_load(shown.stdout)
    except yaml.YAMLError:
        document = None
    if not isinstance(document, dict) or schema_findings(document, contract.path):
        return f"not a valid contract on {ref!r}: nothing to compare"
    return parse_document(document, contract.path)


def compatibility_findings(contract: DataContract, base: str) -> tuple[list[Finding], str]:
    """Breaking changes against ``base`` without a major version bump (DC030, DC031), and a
    note when there is nothing to compare with."""
    ref = _base_ref(contract.root, base)
    if ref is None:
        problem = (
            f"cannot look for breaking changes: neither {base!r} nor 'origin/{base}' exists here;"
            f" fetch it (git fetch origin {base}) or name the target branch in CONTRACTS_BASE"
        )
        return [contract.finding("DC031", contract.path, problem)], ""
    old = _base_contract(contract, ref)
    if isinstance(old, str):
        return [], old
    changes = breaking_changes(old, contract)
    if not changes or _major(contract.version) > _major(old.version):
        return [], f"no unannounced breaking change against {base}"
    fix = (
        f"; bump the major version ({old.version} -> {_major(old.version) + 1}.0.0) and tell"
        " the teams that read this data, or make the change additive"
    )
    return [
        contract.finding("DC030", contract.path, f"breaking change against {base}: {change}{fix}")
        for change in changes
    ], ""


# --- the local extracts -----------------------------------------------------------------------


def extract_findings(contract: DataContract, as_of: dt.date | None = None) -> list[Finding]:
    """Every local extract the contract lists, checked against it (DC001-DC010)."""
    from .conformance import load_table  # pandas and pandera load only when data is checked

    findings: list[Finding] = []
    for extract in contract.frozen_as_of:
        try:
            load_table(contract.root / extract, contract, as_of=as_of)
        except PipelineError as error:
            findings.extend(error.findings)
    return findings


# --- the command ------------------------------------------------------------------------------


def check_contract(
    path: Path, *, base: str | None, data: bool, as_of: dt.date | None = None
) -> tuple[list[Finding], list[str]]:
    """Every finding for one contract file, most basic first (an invalid file stops early),
    and notes on what was checked."""
    try:
        document = read_document(path)
    except PipelineError as error:
        return list(error.findings), []
    findings = schema_findings(document, path)
    if findings:
        return findings, []
    contract = parse_document(document, path)
    findings = semantic_findings(contract, document)
    notes = []
    if base is not None:
        breaking, note = compatibility_findings(contract, base)
        findings += breaking
        notes += [note] if note else []
    if data and not findings:
        findings += extract_findings(contract, as_of)
        notes.append(f"{len(contract.frozen_as_of)} local extract(s) meet it")
    return findings, notes


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD, got {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "contracts", nargs="*", type=Path, help="contract files (default: contracts/*.odcs.yaml)"
    )
    parser.add_argument(
        "--base",
        default="main",
        help="branch to compare against for breaking changes (default: %(default)s)",
    )
    parser.add_argument(
        "--no-compare", action="store_true", help="skip the breaking-change comparison"
    )
    parser.add_argument("--no-data", action="store_true", help="skip checking the local extracts")
    parser.add_argument(
        "--as-of",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the day the local extracts are measured on for freshness (default: the day each"
        " declares it was taken, its asOf)",
    )


def run(project: Project, options: argparse.Namespace) -> Outcome:
    """Check each contract; one passed line per contract that meets every check."""
    paths = [Path(p) for p in options.contracts] or sorted(
        (project.root / "contracts").glob("*.odcs.yaml")
    )
    if not paths:
        return Outcome(findings=(project.finding("DC020", "contracts/", "no *.odcs.yaml here"),))
    outcome = Outcome()
    for path in paths:
        findings, notes = check_contract(
            path,
            base=None if options.no_compare else options.base,
            data=not options.no_data,
            as_of=options.as_of,
        )
        where = relative(project_of(path), path)
        passed = (f"{where}: ok ({'; '.join(notes)})" if notes else f"{where}: ok",)
        outcome += Outcome(tuple(findings), () if findings else passed)
    return outcome
