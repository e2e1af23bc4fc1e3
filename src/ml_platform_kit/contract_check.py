"""`tox -e contracts`: lint every data contract and refuse unannounced breaking changes.

For each ``contracts/*.odcs.yaml``:

- ``DC021`` the official ODCS JSON Schema (vendored) accepts it;
- ``DC022`` the rules the schema cannot express: every quality rule and SLA names an existing
  column, the owner is a known team, the version is semver, the ODCS version is the pinned one;
- ``DC030`` compared with the same file on the target branch (``--base``, default ``main``;
  ``DC031`` when that branch is not there to compare with), a breaking change (a removed or
  renamed column, a narrowed type, an optional column made required, a tightened range,
  allowed-values list or pattern) comes with a major version bump;
- ``DC001``-``DC010`` the local extracts the contract lists under ``servers`` meet it.

Usage: ``python -m <package>.contract_check [--base BRANCH] [--no-data] [CONTRACT ...]``
"""

from __future__ import annotations

import argparse
import re
import subprocess  # nosec B404
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import yaml

from . import owners, paths
from .cli import prog_name
from .contract import (
    ODCS_VERSION,
    Column,
    ContractError,
    DataContract,
    docs,
    parse_document,
    read_document,
    schema_findings,
)
from .errors import Agreement, Finding, PipelineError

SEMVER: Final = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:[-+][0-9A-Za-z.+-]+)?")
KNOWN_TEAMS: Final = {
    owners.DATA_ENGINEERING,
    owners.DATA_SCIENCE,
    owners.MLOPS,
    owners.PLATFORM,
}
# Widening a type never breaks a reader; any other change of logical type does.
WIDENINGS: Final = {("integer", "number")}


def semantic_findings(contract: DataContract, document: Mapping[str, Any]) -> list[Finding]:
    """What the ODCS schema cannot say: references, owner, versions (DC022)."""
    where = str(contract.path)
    agreement = Agreement("data contract (conventions)", contract.owner or "?", docs("DC022"))
    problems = []
    if document.get("apiVersion") != ODCS_VERSION:
        problems.append(
            f"apiVersion {document.get('apiVersion')!r} is not the pinned {ODCS_VERSION!r};"
            " the platform upgrades ODCS for every project at once"
        )
    if not SEMVER.fullmatch(contract.version):
        problems.append(f"version {contract.version!r} is not semver, e.g. '1.2.0'")
    if contract.owner not in KNOWN_TEAMS:
        teams = ", ".join(sorted(KNOWN_TEAMS))
        problems.append(
            f"owner {contract.owner or '(none)'!r} is not a known team; set team.members"
            f" with role 'owner' to one of {teams}"
        )
    names = {column.name for column in contract.columns}
    for reference, used_by in _column_references(document):
        if reference not in names:
            problems.append(f"{used_by} names column {reference!r}, which the contract lacks")
    return [agreement.finding("DC022", where, problem) for problem in problems]


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


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    # An argument list, no shell: a ref or path from the command line cannot inject a command.
    return subprocess.run(  # noqa: S603  # nosec B603 B607
        ["git", *args],  # noqa: S607 - git from PATH, as every developer and CI job has it
        capture_output=True,
        text=True,
        check=False,
    )


def _base_ref(base: str) -> str | None:
    """``base`` or ``origin/<base>``, whichever exists (a CI checkout often has only the latter)."""
    for ref in (base, f"origin/{base}"):
        if _git("rev-parse", "--verify", "--quiet", ref + "^{commit}").returncode == 0:
            return ref
    return None


def compatibility_findings(contract: DataContract, base: str) -> list[Finding]:
    """Breaking changes against ``base`` without a major version bump (DC030, DC031)."""
    ref = _base_ref(base)
    if ref is None:
        problem = (
            f"cannot look for breaking changes: neither {base!r} nor 'origin/{base}' exists here;"
            f" fetch it (git fetch origin {base}) or name the target branch in CONTRACTS_BASE"
        )
        return [contract.agreement("DC031").finding("DC031", contract.path, problem)]
    shown = _git("show", f"{ref}:{contract.path.as_posix()}")
    if shown.returncode != 0:
        print(f"note: {contract.path} is not on {ref!r}: a new contract, nothing to compare")
        return []
    try:
        old_document = yaml.safe_load(shown.stdout)
    except yaml.YAMLError:
        old_document = None
    if not isinstance(old_document, dict) or schema_findings(old_document, contract.path):
        print(f"note: {contract.path} on {base!r} is not a valid contract: nothing to compare")
        return []
    old = parse_document(old_document, contract.path)
    changes = breaking_changes(old, contract)
    if not changes or _major(contract.version) > _major(old.version):
        return []
    agreement = contract.agreement("DC030")
    fix = (
        f"; bump the major version ({old.version} -> {_major(old.version) + 1}.0.0) and tell"
        " the teams that read this data, or make the change additive"
    )
    return [
        agreement.finding("DC030", contract.path, f"breaking change against {base}: {change}{fix}")
        for change in changes
    ]


# --- the command ------------------------------------------------------------------------------


def check_contract(path: Path, *, base: str | None, data: bool) -> list[Finding]:
    """Every finding for one contract file, most basic first (an invalid file stops early)."""
    try:
        document = read_document(path)
    except PipelineError as error:
        return [error.finding]
    findings = schema_findings(document, path)
    if findings:
        return findings
    contract = parse_document(document, path)
    findings = semantic_findings(contract, document)
    if base is not None:
        findings += compatibility_findings(contract, base)
    if data and not findings:
        findings += _extract_findings(contract)
    return findings


def _extract_findings(contract: DataContract) -> list[Finding]:
    from .data import load_customers  # pandas and pandera load only when data is checked

    findings: list[Finding] = []
    for extract in contract.frozen_as_of:
        try:
            load_customers(extract, contract=contract)
        except ContractError as error:
            findings.extend(error.findings)
        except PipelineError as error:
            findings.append(error.finding)
    return findings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog_name("contract_check"),
        description="Lint data contracts, refuse unannounced breaking changes, check extracts.",
    )
    parser.add_argument(
        "contracts",
        nargs="*",
        type=Path,
        help="contract files (default: contracts/*.odcs.yaml)",
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    contracts = args.contracts or sorted(paths.CONTRACTS.glob("*.odcs.yaml"))
    if not contracts:
        print(f"no contracts found in {paths.CONTRACTS}/", file=sys.stderr)
        return 1
    failed = False
    for path in contracts:
        findings = check_contract(
            path, base=None if args.no_compare else args.base, data=not args.no_data
        )
        for finding in findings:
            print(finding, file=sys.stderr)
        failed = failed or bool(findings)
        if not findings:
            print(f"{path}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
