"""Model quality gates: the thresholds in ``config/quality-gates.yaml`` that metrics must meet.

The gates file is the one source of thresholds: ``evaluate`` and ``tests/model`` both read
it. Each gate names a metric from ``reports/metrics.json`` and a ``min`` and/or ``max``::

    owner: "@acme/data-science"
    docs: docs/ways-of-working.md#definition-of-done
    gates:
      roc_auc:
        min: 0.72
        why: ranks churners above loyal customers well enough to target offers

A metric that misses its gate is a finding: ``MOD001`` below a minimum, ``MOD002`` above a
maximum, ``MOD003`` a gated metric the evaluation does not produce. A gates file that
cannot be read is a ``MOD004`` :class:`PipelineError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml

from . import paths
from .errors import QUALITY_GATES, Agreement, Finding, PipelineError

_GATE_KEYS: Final = frozenset({"min", "max", "why"})
_FILE_KEYS: Final = frozenset({"owner", "docs", "gates"})


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
    """The gates of one file, with the team that owns them and the page that explains them."""

    gates: tuple[Gate, ...]
    agreement: Agreement  # owner and docs as the gates file names them
    source: str

    def finding(self, code: str, problem: str) -> Finding:
        return self.agreement.finding(code, self.source, problem)


def _invalid(source: str, problem: str) -> PipelineError:
    return QUALITY_GATES.error("MOD004", source, problem)


def _bound(source: str, metric: str, key: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _invalid(source, f"gate {metric!r}: {key} must be a number, got {value!r}")
    return float(value)


def parse_gates(document: object, source: str) -> QualityGates:
    """Validate a parsed gates document; a typo must fail loudly, never disable a gate."""
    if not isinstance(document, dict):
        raise _invalid(source, "expected a mapping with a 'gates' key")
    unknown = sorted(str(key) for key in document if key not in _FILE_KEYS)
    if unknown:
        raise _invalid(source, f"unknown key(s) {unknown}; allowed: {sorted(_FILE_KEYS)}")
    entries = document.get("gates")
    if not isinstance(entries, dict) or not entries:
        raise _invalid(source, "'gates' must map at least one metric to its min and/or max")
    gates = []
    for metric, spec in entries.items():
        if not isinstance(spec, dict):
            raise _invalid(source, f"gate {metric!r} must be a mapping with min and/or max")
        unknown = sorted(str(key) for key in spec if key not in _GATE_KEYS)
        if unknown:
            raise _invalid(
                source, f"gate {metric!r} has unknown key(s) {unknown}; allowed: min, max, why"
            )
        minimum = _bound(source, str(metric), "min", spec.get("min"))
        maximum = _bound(source, str(metric), "max", spec.get("max"))
        if minimum is None and maximum is None:
            raise _invalid(source, f"gate {metric!r} needs a min or a max")
        if minimum is not None and maximum is not None and minimum > maximum:
            raise _invalid(source, f"gate {metric!r} has min {minimum:g} above max {maximum:g}")
        gates.append(Gate(str(metric), minimum, maximum, str(spec.get("why") or "")))
    agreement = Agreement(
        QUALITY_GATES.name,
        owner=str(document.get("owner") or QUALITY_GATES.owner),
        docs=str(document.get("docs") or QUALITY_GATES.docs),
    )
    return QualityGates(tuple(gates), agreement=agreement, source=source)


def load_gates(path: Path | str = paths.QUALITY_GATES) -> QualityGates:
    """Read and validate a gates file (``MOD004`` if it is missing or malformed)."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _invalid(source, "gates file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise _invalid(source, f"cannot be read ({error})") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        detail = " ".join(str(error).split())
        raise _invalid(source, f"not valid YAML ({detail})") from None
    return parse_gates(document, source)


def check_gates(metrics: Mapping[str, float], gates: QualityGates) -> list[Finding]:
    """Compare metrics with every gate; return one finding per miss (empty: all gates pass)."""
    findings = []
    for gate in gates.gates:
        value = metrics.get(gate.metric)
        if value is None:
            available = ", ".join(sorted(metrics))
            findings.append(
                gates.finding(
                    "MOD003",
                    f"gate {gate.metric!r} names a metric the evaluation does not produce"
                    f" (available: {available})",
                )
            )
        elif gate.minimum is not None and not value >= gate.minimum:
            findings.append(
                gates.finding(
                    "MOD001", f"{gate.metric} {value:.4g} is below the gate {gate.minimum:g}"
                )
            )
        elif gate.maximum is not None and not value <= gate.maximum:
            findings.append(
                gates.finding(
                    "MOD002", f"{gate.metric} {value:.4g} is above the gate {gate.maximum:g}"
                )
            )
    return findings
