"""A data contract as the pipeline sees it: ODCS v3 YAML read into typed columns.

A project's ``contracts/<table>.odcs.yaml`` (owned by data engineering) is the one
description of a table. :func:`load_contract` checks it against the official ODCS JSON
Schema vendored beside it (``contracts/schema/``, found from the contract's own location, so
a notebook or a test in any directory loads it) and reads it into a :class:`DataContract`.
Checking a table against it is :mod:`.conformance`'s job (pandera); this module stays light,
so ``ml-platform contracts`` and a serving app read contracts without loading pandas.

A contract lives in ``<project>/contracts/``: its findings are made by that project (owners
from its CODEOWNERS and answers) and name files relative to it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal, cast

import jsonschema
import yaml

from .finding import Finding, PipelineError
from .project import Project

LogicalType = Literal["string", "date", "integer", "number"]
Value = str | int | float

ODCS_VERSION: Final = "v3.2.0"


def project_of(contract_path: Path) -> Project:
    """The project a contract belongs to: the folder that holds its ``contracts/`` folder."""
    return Project(contract_path.resolve().parent.parent)


def relative(project: Project, path: Path | str) -> str:
    """``path`` relative to the project (as findings name files), or as given if outside it."""
    try:
        return Path(path).resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def schema_file(contract_path: Path) -> Path:
    """The vendored ODCS schema beside the contract: ``contracts/schema/odcs-v3.2.0.json``."""
    return contract_path.parent / "schema" / f"odcs-{ODCS_VERSION}.json"


@dataclass(frozen=True)
class Column:
    """One property of the contract's table, with the rules the data must meet."""

    name: str
    logical_type: LogicalType
    required: bool
    unique: bool
    primary_key: bool
    minimum: Value | None
    maximum: Value | None
    allowed: tuple[Value, ...] | None
    pattern: str | None
    description: str


@dataclass(frozen=True)
class Freshness:
    """The freshness SLA: the newest value of ``column`` is at most ``max_age_days`` old."""

    column: str
    max_age_days: int


@dataclass(frozen=True)
class DataContract:
    """A parsed ODCS contract for one table."""

    path: Path
    id: str
    name: str
    version: str
    owner: str  # the contract's own `team.members` owner (the serving app's 422 names it)
    columns: tuple[Column, ...]
    min_rows: int | None
    unique_keys: tuple[tuple[str, ...], ...]
    freshness: Freshness | None
    frozen_as_of: Mapping[str, dt.date]  # extract path in the project -> the day it was taken

    @property
    def root(self) -> Path:
        """The project's root: extract paths in ``servers`` are relative to it."""
        return self.project.root

    @property
    def project(self) -> Project:
        return project_of(self.path)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.path} has no column {name!r}")

    def finding(self, code: str, where: Path | str, problem: str) -> Finding:
        """A finding of check ``code`` on a file of the contract's project."""
        project = self.project
        return project.finding(code, relative(project, where), problem)


# --- reading the contract ------------------------------------------------------------------


@cache
def odcs_validator(schema: Path) -> jsonschema.protocols.Validator:
    """A validator for the pinned ODCS version, from the vendored official schema."""
    document = json.loads(schema.read_text(encoding="utf-8"))
    validator: jsonschema.protocols.Validator = jsonschema.validators.validator_for(document)(
        document
    )
    return validator


def schema_path(error: jsonschema.ValidationError) -> str:
    """Where in the contract a schema error is, e.g. ``schema[0].properties[2].logicalType``."""
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.path)
    return path.lstrip(".") or "(top level)"


def read_document(path: Path) -> dict[str, Any]:
    """The contract as data; a missing or unparsable file is a DC020 finding."""
    project = project_of(path)
    where = relative(project, path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError(project.finding("DC020", where, "contract file not found")) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or "not valid YAML"
        line = f"{where}:{mark.line + 1}" if mark else where
        raise PipelineError(project.finding("DC020", line, f"not valid YAML ({problem})")) from None
    if not isinstance(document, dict):
        raise PipelineError(project.finding("DC020", where, "a contract must be a YAML mapping"))
    return document


def schema_findings(document: Mapping[str, Any], path: Path) -> list[Finding]:
    """Everything the official ODCS schema refuses, one finding per error (DC021)."""
    project = project_of(path)
    schema = schema_file(path)
    if not schema.is_file():
        problem = f"the vendored ODCS schema {relative(project, schema)} is missing; restore it"
        return [project.finding("DC021", relative(project, path), problem)]
    validator = odcs_validator(schema.resolve())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    closed = {tuple(e.path) for e in errors if e.validator == "additionalProperties"}
    # A key that `additionalProperties` refuses is refused again by `unevaluatedProperties`.
    errors = [
        e for e in errors if e.validator != "unevaluatedProperties" or tuple(e.path) not in closed
    ]
    where = relative(project, path)
    return [
        project.finding("DC021", where, f"{schema_path(error)}: {_schema_message(error)}")
        for error in errors
    ]


def load_contract(path: Path | str) -> DataContract:
    """Read and schema-check a contract; raise :class:`PipelineError` when it is not valid."""
    path = Path(path)
    document = read_document(path)
    findings = schema_findings(document, path)
    if findings:
        raise PipelineError(*findings)
    return parse_document(document, path)


def _owner_of(document: Mapping[str, Any]) -> str | None:
    team = document.get("team")
    members = team.get("members", []) if isinstance(team, dict) else []
    for member in members if isinstance(members, list) else []:
        if isinstance(member, dict) and member.get("role") == "owner":
            return str(member.get("username"))
    return None


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "unevaluatedProperties" or error.validator == "additionalProperties":
        return f"{error.message}; remove the key or check its spelling against ODCS v3.2.0"
    if error.validator == "enum":
        allowed = ", ".join(repr(value) for value in cast(list[object], error.validator_value))
        return f"{error.instance!r} is not one of {allowed}"
    return error.message


def parse_document(document: Mapping[str, Any], path: Path) -> DataContract:
    table = document["schema"][0]
    quality = table.get("quality", [])
    unique_keys = tuple(
        tuple(rule.get("arguments", {}).get("properties", []))
        for rule in quality
        if rule.get("metric") == "duplicateValues"
    )
    min_rows = next(
        (
            int(rule["mustBeGreaterOrEqualTo"])
            for rule in quality
            if rule.get("metric") == "rowCount" and "mustBeGreaterOrEqualTo" in rule
        ),
        None,
    )
    return DataContract(
        path=path,
        id=str(document["id"]),
        name=str(table["name"]),
        version=str(document["version"]),
        owner=_owner_of(document) or "",
        columns=tuple(_column(item) for item in table.get("properties", [])),
        min_rows=min_rows,
        unique_keys=tuple(key for key in unique_keys if key),
        freshness=_freshness(document.get("slaProperties", [])),
        frozen_as_of=_frozen_extracts(document.get("servers", [])),
    )


def _column(item: Mapping[str, Any]) -> Column:
    options = item.get("logicalTypeOptions", {})
    enum = item.get("enum")
    return Column(
        name=str(item["name"]),
        logical_type=cast(LogicalType, item.get("logicalType", "string")),
        required=bool(item.get("required", False)),
        unique=bool(item.get("unique", False)),
        primary_key=bool(item.get("primaryKey", False)),
        minimum=options.get("minimum"),
        maximum=options.get("maximum"),
        allowed=tuple(entry["value"] for entry in enum) if enum else None,
        pattern=options.get("pattern"),
        description=str(item.get("description", "")),
    )


def _freshness(properties: Iterable[Mapping[str, Any]]) -> Freshness | None:
    for sla in properties:
        if sla.get("property") == "freshness" and sla.get("unit") in {"d", "day", "days"}:
            column = str(sla.get("element", "")).rsplit(".", 1)[-1]
            return Freshness(column=column, max_age_days=int(sla["value"]))
    return None


def _frozen_extracts(servers: Iterable[Mapping[str, Any]]) -> dict[str, dt.date]:
    """Local extracts whose server declares the day they were taken (custom property asOf)."""
    frozen = {}
    for server in servers:
        for custom in server.get("customProperties", []):
            if server.get("type") == "local" and custom.get("property") == "asOf":
                frozen[str(server["path"])] = dt.date.fromisoformat(str(custom["value"]))
    return frozen
