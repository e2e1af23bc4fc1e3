"""Does a table conform to its data contract? The contract, translated into a pandera schema.

:func:`load_table` reads a CSV file as text (``DC001`` when it cannot) and
:func:`validate_frame` checks its cells against a :class:`~.contract.DataContract`: pandera
converts each column to the contract's type and applies its rules; the table's rules (row
count, freshness) apply to a whole delivery. Every violation is a ``DC`` finding naming the
dataset, the column, the rule, a few offending values with their lines, the owning team and
the docs page. A project's pipeline loads its data through :func:`load_table`, and
``ml-platform contracts`` checks the contract's local extracts with it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine

from .contract import Column, DataContract, LogicalType, Value
from .finding import Finding, PipelineError

DATE_FORMAT: Final = "%Y-%m-%d"
SHOWN_VALUES: Final = 3

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
    contract: DataContract, source: Path, failures: pd.DataFrame, columns: Sequence[str], rows: int
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
            problem = f"{contract.name} has {rows} rows and breaks '{rule}'"
        else:
            failing = cases["index"].nunique()
            problem = (
                f"{contract.name}.{column.name} breaks '{rule}' in {failing}"
                f" row{'s' if failing != 1 else ''}: {_lines(cases)}"
            )
        findings.append(contract.finding(code, source, problem))
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
    :class:`PipelineError` with every violation found. A ``delivery`` (a whole extract of the
    table, not rows to score) also meets the table's rules: row count, and freshness on
    ``as_of``, the day the data is used. Left out, that day is the one a frozen extract
    declares (the ``asOf`` of its ``servers`` entry in the contract) or, for any other file,
    today: a real delivery is measured on the day it is used, a frozen one on any day alike.
    The freshness column of a delivery is checked like the ``columns`` when the file has it.
    """
    checked = list(columns)
    sla = contract.freshness
    if (
        delivery
        and sla is not None
        and sla.column in raw.columns
        and sla.column not in checked
        and sla.column in {column.name for column in contract.columns}
    ):
        checked.append(sla.column)  # freshness is read from it, so it must parse as a date
    schema = pandera_schema(contract, checked, delivery=delivery)
    try:
        valid = schema.validate(raw, lazy=True)
    except pa.errors.SchemaErrors as errors:
        findings = _findings(contract, source, errors.failure_cases, checked, rows=len(raw))
        raise PipelineError(*findings) from None
    stale = delivery and _staleness(contract, valid, source, as_of or _as_of(contract, source))
    if stale:
        raise PipelineError(stale)
    return valid


def _as_of(contract: DataContract, source: Path) -> dt.date:
    """The day ``source`` is measured on: the day a frozen extract was taken, else today (UTC).

    Extract paths are relative to the project root, the folder that holds ``contracts/``: a
    copy of the extract elsewhere is a delivery like any other. Callers that know the day the
    data is used (a test, a re-run of a past day's batch) pass ``as_of`` instead.
    """
    root = contract.root
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
    return contract.finding("DC010", source, problem)


# --- reading a file ---------------------------------------------------------------------------


def read_text_table(path: Path, contract: DataContract) -> pd.DataFrame:
    """Every cell as text, blank cells as missing; an unreadable file is a DC001 finding."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except FileNotFoundError:
        problem = "file not found"
    except pd.errors.EmptyDataError:
        problem = "file is empty (no header row)"
    except pd.errors.ParserError as error:
        problem = f"not a valid CSV file ({str(error).strip().splitlines()[0]})"
    except UnicodeDecodeError:
        problem = "not UTF-8 text"
    except OSError as error:
        problem = f"cannot be read ({error.strerror})"
    else:
        text: pd.DataFrame = raw.apply(lambda column: column.str.strip())
        return text.mask(text == "")
    raise PipelineError(contract.finding("DC001", path, problem))


def load_table(
    path: Path | str,
    contract: DataContract,
    *,
    columns: Sequence[str] | None = None,
    delivery: bool = True,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """A CSV file checked against the contract (see :func:`validate_frame`), typed as it says.

    ``columns`` are the ones a step needs (default: every column of the contract); other
    columns are kept as text. A required integer column becomes ``int64`` (it has no gaps).
    """
    path = Path(path)
    wanted = list(columns) if columns is not None else [c.name for c in contract.columns]
    frame = validate_frame(
        read_text_table(path, contract),
        contract,
        source=path,
        columns=wanted,
        delivery=delivery,
        as_of=as_of,
    )
    for name in wanted:
        column = contract.column(name)
        if column.logical_type == "integer" and column.required:
            frame[name] = frame[name].astype("int64")
    return frame
