"""Failures a person can fix, reported on one line: what broke, where, and whose agreement it is.

Every check in this package reports a :class:`Finding`: a short ID in a family (``DC`` for
the data contract, ``MOD`` for the model and its quality gates), where it happened, the problem,
the agreement it breaks, the owning team and the page that describes it. The commands catch
:class:`PipelineError` and print its finding instead of a traceback (see :mod:`.cli`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import owners, paths


@dataclass(frozen=True)
class Finding:
    """One broken agreement, e.g. ``MOD001 reports/metrics.json: roc_auc 0.61 is below 0.72``."""

    code: str
    where: str
    problem: str
    agreement: str
    owner: str
    docs: str

    def __str__(self) -> str:
        return (
            f"{self.code} {self.where}: {self.problem}"
            f" · agreement: {self.agreement} · owner: {self.owner} · {self.docs}"
        )


class PipelineError(Exception):
    """An error with a :class:`Finding`; the commands print it and exit 1."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(str(finding))
        self.finding = finding

    @property
    def code(self) -> str:
        return self.finding.code


class FindingsError(PipelineError):
    """Several findings at once (every broken rule of a file), printed one per line."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__(findings[0])
        self.findings = tuple(findings)

    def __str__(self) -> str:
        return "\n".join(str(finding) for finding in self.findings)


@dataclass(frozen=True)
class Agreement:
    """An agreement the pipeline checks: its name, the team that owns it, the page about it."""

    name: str
    owner: str
    docs: str

    def finding(self, code: str, where: Path | str, problem: str) -> Finding:
        return Finding(code, str(where), problem, self.name, self.owner, self.docs)

    def error(self, code: str, where: Path | str, problem: str) -> PipelineError:
        return PipelineError(self.finding(code, where, problem))


MODEL_PIPELINE = Agreement("model pipeline", owners.DATA_SCIENCE, paths.DOCS_QUICK_START)
QUALITY_GATES = Agreement("model quality gates", owners.DATA_SCIENCE, paths.DOCS_DEFINITION_OF_DONE)
