"""Model quality gates: the thresholds in ``config/quality-gates.yaml`` that metrics must meet.

The gates file is the team's one source of thresholds: the project's ``evaluate`` and its
``tests/model`` read it through this module, and ``ml-platform deploy`` checks it (DEP003).
It declares the metrics ``evaluate`` reports and gates some of them with a ``min`` and/or a
``max``::

    metrics: [roc_auc, accuracy, precision, recall, f1, positive_rate, evaluated_rows]
    gates:
      roc_auc:
        min: 0.72
        why: ranks churners above loyal customers well enough to target offers

The ``metrics`` list is how the platform learns what the pipeline reports without importing
the team's code; the team's own model test proves ``evaluate`` reports exactly that list.
The file's shape is a JSON Schema shipped with the kit (``schemas/quality-gates.schema.json``).

A metric that misses its gate is a finding on the gates file, owned by the team CODEOWNERS
gives it: ``MOD001`` below a minimum, ``MOD002`` above a maximum, ``MOD003`` a gate on a
metric that is not declared (or that the evaluation did not report). A gates file that cannot
be read or does not match the schema is a ``MOD004`` :class:`PipelineError`, one finding per
problem, each naming the key path, what is wrong and how to fix it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final, cast

import jsonschema
import yaml

from .finding import Finding, PipelineError
from .project import ANSWERS, Project

QUALITY_GATES: Final = Path("config/quality-gates.yaml")
SCHEMA: Final = "schemas/quality-gates.schema.json"


def key_path(parts: Iterable[Any]) -> str:
    """``gates.f1.min``, ``metrics[2]``; the document itself is ``(root)``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


@dataclass(frozen=True)
class Gate:
    """Bounds for one metric; ``None`` means unbounded on that side."""

    metric: str
    minimum: float | None = None
    maximum: float | None = None
    why: str = ""

    def __str__(self) -> str:
        bounds = []
        if self.minimum is not None:
            bounds.append(f">= {self.minimum:g}")
        if self.maximum is not None:
            bounds.append(f"<= {self.maximum:g}")
        return f"{self.metric} {' and '.join(bounds)}"


@dataclass(frozen=True)
class QualityGates:
    """The gates of one file, the metrics it declares, and the project it belongs to (whose
    CODEOWNERS names the owner of every finding)."""

    gates: tuple[Gate, ...]
    metrics: tuple[str, ...]  # what the project's evaluate reports, as the team declares
    source: str  # the file, relative to the project when it is inside it
    project: Project = field(compare=False, repr=False)

    def finding(self, code: str, problem: str) -> Finding:
        return self.project.finding(code, self.source, problem)

    @property
    def undeclared(self) -> tuple[Gate, ...]:
        """Gates on a metric that ``metrics`` does not declare (``MOD003``)."""
        return tuple(gate for gate in self.gates if gate.metric not in self.metrics)


# --- MOD004: the file's shape, as the schema says it --------------------------------------


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of a gates file, shipped with the kit."""
    text = resources.files(__package__).joinpath(SCHEMA).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


TYPE_NAMES: Final = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "number": "a number",
}


def _what(error: jsonschema.ValidationError, node: Mapping[str, Any]) -> str:
    """What is wrong, in words, for the schema's validators this file meets."""
    kind, instance = error.validator, cast(Any, error.instance)
    if kind == "type":
        expected = str(error.validator_value)
        return f"must be {TYPE_NAMES.get(expected, expected)}, got {instance!r}"
    if kind == "required":
        return "is required but missing"
    if kind == "additionalProperties":
        allowed = sorted(node.get("properties", {}))
        unknown = sorted(str(key) for key in instance if key not in allowed)
        return f"unknown key(s) {unknown}; allowed: {', '.join(allowed)}"
    if kind == "anyOf":
        return "needs a min or a max"
    if kind in {"minProperties", "minItems"}:
        return "is empty"
    if kind == "uniqueItems":
        twice = sorted({str(item) for item in instance if instance.count(item) > 1})
        return f"lists {', '.join(twice)} more than once"
    return str(error.message)


def _schema_problem(error: jsonschema.ValidationError) -> str:
    """``key path: what is wrong; how to fix it`` for one schema error; the fix is the
    schema's description of the key."""
    parts = list(error.absolute_path)
    node: Mapping[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "required":
        missing = str(error.message).split("'")[1]  # "'metrics' is a required property"
        parts.append(missing)
        node = node.get("properties", {}).get(missing, {})
    fix = node.get("description")
    if "propertyNames" in error.relative_schema_path:  # the error is about a key, not a value
        what = f"the key {error.instance!r} is not a metric name"
    elif not parts and error.validator == "type":
        what = f"expected a mapping, got {error.instance!r}"
    else:
        what = _what(error, node)
    return f"{key_path(parts)}: {what}" + (f"; {fix}" if fix else "")


def _bound_problems(entries: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """What the schema cannot say: bounds are finite, and a min is not above its max."""
    problems = []
    for metric, spec in entries.items():
        for key in ("min", "max"):
            value = spec.get(key)
            if value is not None and not math.isfinite(value):
                problems.append(f"gates.{metric}.{key}: must be a finite number, got {value!r}")
        low, high = spec.get("min"), spec.get("max")
        if low is not None and high is not None and low > high:
            problems.append(f"gates.{metric}: min {low:g} is above max {high:g}; correct one")
    return problems


def _problems(document: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.path])
    if errors:
        return [_schema_problem(error) for error in errors]
    return _bound_problems(cast(dict[str, Any], document)["gates"])


# --- reading the file ---------------------------------------------------------------------


def _project_of(path: Path) -> Project:
    """The project holding ``path``: the nearest folder with ``.copier-answers.yml`` above
    it, else the working directory (the project's commands run from its root)."""
    for folder in path.resolve().parents:
        if (folder / ANSWERS).is_file():
            return Project(folder)
    return Project(Path.cwd().resolve())


def _source(path: Path, project: Project) -> str:
    """``path`` as findings name it: relative to the project when it is inside it."""
    try:
        return path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _gate(metric: str, spec: Mapping[str, Any]) -> Gate:
    low, high = spec.get("min"), spec.get("max")
    return Gate(
        metric,
        None if low is None else float(low),
        None if high is None else float(high),
        str(spec.get("why", "")),
    )


def _undeclared_problem(gate: Gate, metrics: Iterable[str]) -> str:
    return (
        f"gates.{gate.metric}: names a metric the pipeline does not produce;"
        f" evaluate reports, as `metrics` declares: {', '.join(metrics)}"
        f"; spell the metric as listed there, or compute it and declare it"
    )


def parse_gates(document: object, source: str, project: Project | None = None) -> QualityGates:
    """A parsed gates document, checked: ``MOD004`` for every schema problem, else ``MOD003``
    for every gate on an undeclared metric. A typo fails loudly, never disables a gate."""
    owner = project or Project(Path.cwd().resolve())
    problems = _problems(document)
    if problems:
        raise PipelineError(*(owner.finding("MOD004", source, problem) for problem in problems))
    checked = cast(dict[str, Any], document)  # the schema's shape, so the keys are there
    gates = QualityGates(
        gates=tuple(_gate(metric, spec) for metric, spec in checked["gates"].items()),
        metrics=tuple(checked["metrics"]),
        source=source,
        project=owner,
    )
    undeclared = [
        gates.finding("MOD003", _undeclared_problem(g, gates.metrics)) for g in gates.undeclared
    ]
    if undeclared:
        raise PipelineError(*undeclared)
    return gates


def load_gates(path: Path | str = QUALITY_GATES, project: Project | None = None) -> QualityGates:
    """Read and check a gates file (``MOD004`` if it is missing or malformed, ``MOD003`` if a
    gate names an undeclared metric). A relative ``path`` is taken from ``project``'s root,
    or from the working directory when no project is given."""
    path = Path(path)
    if project is not None and not path.is_absolute():
        path = project.root / path
    owner = project or _project_of(path)
    source = _source(path, owner)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PipelineError(owner.finding("MOD004", source, "gates file not found")) from None
    except (OSError, UnicodeDecodeError) as error:
        raise PipelineError(owner.finding("MOD004", source, f"cannot be read ({error})")) from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        detail = " ".join(str(error).split())
        raise PipelineError(owner.finding("MOD004", source, f"not valid YAML ({detail})")) from None
    return parse_gates(document, source, owner)


# --- MOD001-MOD003: the metrics against the gates -------------------------------------------


def _miss(gate: Gate, value: float) -> tuple[str, str] | None:
    """(check ID, problem) when ``value`` misses ``gate``; NaN never passes a gate."""
    if gate.minimum is not None and not value >= gate.minimum:
        return "MOD001", f"{gate.metric} {value:.4g} is below the gate {gate.minimum:g}"
    if gate.maximum is not None and not value <= gate.maximum:
        return "MOD002", f"{gate.metric} {value:.4g} is above the gate {gate.maximum:g}"
    return None


def check_gates(metrics: Mapping[str, float], gates: QualityGates) -> list[Finding]:
    """Compare metrics with every gate; one finding per miss (empty: every gate passes)."""
    findings = []
    for gate in gates.gates:
        value = metrics.get(gate.metric)
        if value is None:
            available = ", ".join(sorted(metrics))
            problem = (
                f"gate {gate.metric!r} names a metric the evaluation does not produce"
                f" (available: {available})"
            )
            findings.append(gates.finding("MOD003", problem))
        elif miss := _miss(gate, value):
            findings.append(gates.finding(*miss))
    return findings
