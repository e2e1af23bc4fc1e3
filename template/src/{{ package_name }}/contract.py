"""The data contract as the pipeline sees it: ODCS v3 YAML, typed columns, a pandera schema.

``contracts/customers.odcs.yaml`` (owned by data engineering) is the one description of the
customer table. :func:`load_contract` checks it against the official ODCS JSON Schema that is
vendored in ``contracts/schema/`` and reads it into a :class:`DataContract`;
:func:`validate_frame` translates it into a pandera schema and checks a table against it.
Every violation is reported as a ``DC`` finding naming the dataset, the column, the rule, a
few offending values with their lines, the owning team and the docs page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal, cast

import jsonschema
import pandas as pd
import pandera.pandas as pa
import yaml
from pandera.engines import pandas_engine

from . import paths
from .errors import Agreement, Finding, PipelineError

LogicalType = Literal["string", "date", "integer", "number"]
Value = str | int | float

ODCS_VERSION: Final = "v3.2.0"
ODCS_SCHEMA: Final = paths.CONTRACTS / "schema" / f"odcs-{ODCS_VERSION}.json"
DATE_FORMAT: Final = "%Y-%m-%d"
SHOWN_VALUES: Final = 3


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


class ContractError(PipelineError):
    """One or more findings about a contract or about data that breaks it, one per line."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__(findings[0])
        self.findings = tuple(findings)

    def __str__(self) -> str:
        return "\n".join(str(finding) for finding in self.findings)


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


# --- checking data against it ---------------------------------------------------------------

_DTYPES: Final[dict[LogicalType, Any]] = {
    "string": str,
    "integer": "Int64",
    "number": "float64",
    "date": pandas_engine.DateTime(to_datetime_kwargs={"format": DATE_FORMAT}),  # type: ignore[call-arg]
}


def _bound(column: Column, value: Value) -> Value | pd.Timestamp:
    return pd.Timestamp(str(value)) if column.logical_type == "date" else value


def _checks(column: Column) -> list[pa.Check]:
    """The column's rules as pandera checks; each check's error text starts with its DC ID."""
    checks = []
    if column.minimum is not None:
        bound = _bound(column, column.minimum)
        checks.append(pa.Check.ge(bound, error=f"DC005 minimum {column.minimum}"))
    if column.maximum is not None:
        bound = _bound(column, column.maximum)
        checks.append(pa.Check.le(bound, error=f"DC005 maximum {column.maximum}"))
    if column.allowed is not None:
        shown = ", ".join(str(value) for value in column.allowed)
        checks.append(pa.Check.isin(list(column.allowed), error=f"DC006 one of: {shown}"))
    if column.pattern is not None:
        checks.append(pa.Check.str_matches(column.pattern, error=f"DC008 pattern {column.pattern}"))
    return checks


def pandera_schema(
    contract: DataContract, columns: Sequence[str], *, delivery: bool = True
) -> pa.DataFrameSchema:
    """The pandera schema for ``columns`` of the contract (the ones a step needs).

    A ``delivery`` (a whole extract of the table) also gets the table's row-count rule.
    """
    wanted = [contract.column(name) for name in columns]
    table_checks = []
    if delivery and contract.min_rows is not None:
        minimum = contract.min_rows
        table_checks.append(
            pa.Check(lambda frame: len(frame) >= minimum, error=f"DC009 rowCount >= {minimum}")
        )
    return pa.DataFrameSchema(
        {
            column.name: pa.Column(
                _DTYPES[column.logical_type],
                _checks(column),
                nullable=not column.required,
                unique=column.unique,
                coerce=True,
                description=column.description,
            )
            for column in wanted
        },
        checks=table_checks,
        unique=_table_keys(contract, columns),
        name=contract.name,
    )


def _table_keys(contract: DataContract, columns: Sequence[str]) -> list[str] | None:
    """The first duplicateValues key that a column-level ``unique`` does not already cover."""
    for key in contract.unique_keys:
        single_unique = len(key) == 1 and contract.column(key[0]).unique
        if set(key) <= set(columns) and not single_unique:
            return list(key)
    return None


_PANDERA_CHECKS: Final = {
    "column_in_dataframe": ("DC002", "a column the contract requires"),
    "not_nullable": ("DC004", "required (no empty values)"),
    "field_uniqueness": ("DC007", "unique"),
    "multiple_fields_uniqueness": ("DC007", "unique key"),
}


def _classify(check: str, column: Column | None) -> tuple[str, str]:
    if check in _PANDERA_CHECKS:
        return _PANDERA_CHECKS[check]
    if check.startswith(("coerce_dtype", "dtype")):
        kind = column.logical_type if column else "its type"
        expected = {"date": "date (YYYY-MM-DD)"}.get(kind, kind)
        return "DC003", f"type {expected}"
    code, _, rule = check.partition(" ")
    return (code, rule) if re.fullmatch(r"DC\d{3}", code) else ("DC003", check)


def _shown(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "empty"
    return str(getattr(value, "item", lambda: value)())


def _lines(cases: pd.DataFrame) -> str:
    """A few offending values with their file line numbers (header is line 1)."""
    shown = []
    for case in cases.sort_values("index").head(SHOWN_VALUES).to_dict("records"):
        row = case["index"]
        line = f" (line {int(row) + 2})" if row is not None and pd.notna(row) else ""
        shown.append(f"{_shown(case['failure_case'])}{line}")
    more = len(cases) - SHOWN_VALUES
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _findings(
    contract: DataContract, source: Path, failures: pd.DataFrame, columns: Sequence[str]
) -> list[Finding]:
    failures = failures.assign(check=failures["check"].astype(str))
    mistyped = set(failures.loc[failures["check"].str.startswith("coerce_dtype"), "column"])
    findings = []
    order = {name: position for position, name in enumerate(columns)}
    for (check, column_name), cases in sorted(
        failures.groupby(["check", "column"], dropna=False, sort=False),
        key=lambda item: order.get(str(item[0][1]), -1),
    ):
        check = str(check)
        if check.startswith("dtype(") or (
            column_name in mistyped and not check.startswith("coerce_dtype")
        ):
            continue  # the column's type error already explains these failures
        column = contract.column(str(column_name)) if column_name in order else None
        code, rule = _classify(check, column)
        if check == "column_in_dataframe":
            missing = ", ".join(repr(str(value)) for value in cases["failure_case"])
            problem = f"{contract.name} lacks {missing}, which the contract requires"
        elif column is None:
            problem = f"{contract.name} breaks '{rule}'"
        else:
            rows = cases["index"].nunique()
            problem = (
                f"{contract.name}.{column.name} breaks '{rule}' in {rows}"
                f" row{'s' if rows != 1 else ''}: {_lines(cases)}"
            )
        findings.append(contract.agreement(code).finding(code, source, problem))
    return sorted(findings, key=lambda finding: finding.code)


def validate_frame(
    raw: pd.DataFrame,
    contract: DataContract,
    *,
    source: Path,
    columns: Sequence[str],
    delivery: bool = True,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Check text cells against the contract; return them converted to the contract's types.

    ``raw`` holds the cells as read from the file (empty cells as missing values). Raises
    :class:`ContractError` with every violation found. A ``delivery`` (a whole extract of the
    table, not rows to score) also meets the table's rules: row count, and freshness against
    ``as_of``: the day the data is used (default: the day a frozen extract declared in the
    contract's servers was taken, else today).
    """
    schema = pandera_schema(contract, columns, delivery=delivery)
    try:
        valid = schema.validate(raw, lazy=True)
    except pa.errors.SchemaErrors as errors:
        raise ContractError(_findings(contract, source, errors.failure_cases, columns)) from None
    stale = delivery and _staleness(contract, valid, source, as_of or _as_of(contract, source))
    if stale:
        raise ContractError([stale])
    return valid


def _as_of(contract: DataContract, source: Path) -> dt.date:
    """The day a frozen extract was taken when ``source`` is one, else today.

    Extract paths are relative to the project root, the folder that holds ``contracts/``.
    """
    root = contract.path.parent.parent
    for extract, day in contract.frozen_as_of.items():
        if (root / extract).resolve() == source.resolve():
            return day
    return dt.datetime.now(dt.UTC).date()


def _staleness(
    contract: DataContract, frame: pd.DataFrame, source: Path, as_of: dt.date
) -> Finding | None:
    sla = contract.freshness
    if sla is None or sla.column not in frame.columns or frame[sla.column].isna().all():
        return None
    newest = pd.Timestamp(frame[sla.column].max()).date()
    age = (as_of - newest).days
    if age <= sla.max_age_days:
        return None
    problem = (
        f"{contract.name}.{sla.column} is stale: newest {newest.isoformat()} is {age} days old"
        f" on {as_of.isoformat()}; the freshness SLA is {sla.max_age_days} days"
    )
    return contract.agreement("DC010").finding("DC010", source, problem)
