"""The data contract as the pipeline sees it: ODCS v3 YAML read into typed columns.

``contracts/customers.odcs.yaml`` (owned by data engineering) is the one description of the
customer table. :func:`load_contract` checks it against the official ODCS JSON Schema that is
vendored in ``contracts/schema/`` and reads it into a :class:`DataContract`. Checking a table
against it is :mod:`.conformance`'s job (pandera); this module stays light, so the contract
lint and the serving app read contracts without loading pandas.
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

from . import paths
from .errors import Agreement, Finding, FindingsError

LogicalType = Literal["string", "date", "integer", "number"]
Value = str | int | float

ODCS_VERSION: Final = "v3.2.0"
ODCS_SCHEMA: Final = paths.CONTRACTS / "schema" / f"odcs-{ODCS_VERSION}.json"


def docs(code: str) -> str:
    """The docs anchor of one data-contract check."""
    return f"{paths.DOCS_DATA_CONTRACTS}#{code.lower()}"


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
    owner: str
    columns: tuple[Column, ...]
    min_rows: int | None
    unique_keys: tuple[tuple[str, ...], ...]
    freshness: Freshness | None
    frozen_as_of: Mapping[str, dt.date]  # local data path -> the day that extract was taken

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.path} has no column {name!r}")

    def agreement(self, code: str) -> Agreement:
        return Agreement(
            f"data contract {self.name} {self.version} ({self.path.as_posix()})",
            self.owner,
            docs(code),
        )


class ContractError(FindingsError):
    """Findings about a contract, or about data that breaks it."""


# --- reading the contract ------------------------------------------------------------------


@cache
def odcs_validator() -> jsonschema.protocols.Validator:
    """A validator for the pinned ODCS version, from the vendored official schema."""
    schema = json.loads(ODCS_SCHEMA.read_text(encoding="utf-8"))
    validator: jsonschema.protocols.Validator = jsonschema.validators.validator_for(schema)(schema)
    return validator


def schema_path(error: jsonschema.ValidationError) -> str:
    """Where in the contract a schema error is, e.g. ``schema[0].properties[2].logicalType``."""
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.path)
    return path.lstrip(".") or "(top level)"


def read_document(path: Path) -> dict[str, Any]:
    """The contract as data; a missing or unparsable file is a DC020 finding."""
    fallback = Agreement("data contract", "the contract's owner", docs("DC020"))
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fallback.error("DC020", path, "contract file not found") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise fallback.error("DC020", where, f"not valid YAML ({problem})") from None
    if not isinstance(document, dict):
        raise fallback.error("DC020", path, "a contract must be a YAML mapping")
    return document


def schema_findings(document: Mapping[str, Any], path: Path) -> list[Finding]:
    """Everything the official ODCS schema refuses, one finding per error (DC021)."""
    owner = _owner_of(document) or "the contract's owner"
    agreement = Agreement("data contract (ODCS v3.2.0 schema)", owner, docs("DC021"))
    errors = sorted(odcs_validator().iter_errors(document), key=lambda e: list(e.path))
    closed = {tuple(e.path) for e in errors if e.validator == "additionalProperties"}
    # A key that `additionalProperties` refuses is refused again by `unevaluatedProperties`.
    errors = [
        e for e in errors if e.validator != "unevaluatedProperties" or tuple(e.path) not in closed
    ]
    return [
        agreement.finding("DC021", f"{path}: {schema_path(error)}", _schema_message(error))
        for error in errors
    ]


def load_contract(path: Path | str = paths.CONTRACT) -> DataContract:
    """Read and schema-check a contract; raise :class:`ContractError` when it is not valid."""
    path = Path(path)
    document = read_document(path)
    findings = schema_findings(document, path)
    if findings:
        raise ContractError(findings)
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
