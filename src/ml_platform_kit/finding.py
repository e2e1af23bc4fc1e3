"""The one finding type: a broken agreement on one line, in text or JSON.

Every check of the kit reports a :class:`Finding`: the check ID, where it happened (a
project-relative path, ``path:line`` or a key path), the problem and how to fix it, the
agreement it breaks, the owning team's handle and the docs page, e.g.::

    DC002 data/sample/customers.csv: column `tenure_months` is missing · agreement: data
    contract · owner: @acme/data-engineering · docs/data-contracts.md#dc002

(one line in the output; wrapped here).

Commands catch :class:`PipelineError` and print its findings instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass


def path_of(where: str) -> str:
    """The file a finding's ``where`` names: ``tox.toml:69`` names ``tox.toml``."""
    head, colon, tail = where.rpartition(":")
    return head if colon and tail.isdigit() else where


@dataclass(frozen=True)
class Finding:
    """One broken agreement."""

    code: str
    where: str
    problem: str
    agreement: str
    owner: str
    docs: str

    @property
    def path(self) -> str:
        """The file the finding is about, without a line number (waivers match on it)."""
        return path_of(self.where)

    def __str__(self) -> str:
        return (
            f"{self.code} {self.where}: {self.problem}"
            f" · agreement: {self.agreement} · owner: {self.owner} · {self.docs}"
        )

    def as_json(self) -> dict[str, str]:
        return {**asdict(self), "path": self.path}


class PipelineError(Exception):
    """One or more findings that stop a command; it prints them and exits 1."""

    def __init__(self, *findings: Finding) -> None:
        super().__init__("\n".join(str(finding) for finding in findings))
        self.findings: tuple[Finding, ...] = findings

    @property
    def finding(self) -> Finding:
        return self.findings[0]

    @property
    def code(self) -> str:
        return self.findings[0].code


def findings_error(findings: Sequence[Finding]) -> PipelineError:
    """Every broken rule of one input at once, one line each."""
    return PipelineError(*findings)


@dataclass(frozen=True)
class Outcome:
    """What one command found: failing findings, waived ones (with the waiver that covers
    each) and what passed, one line per group of checks."""

    findings: tuple[Finding, ...] = ()
    passed: tuple[str, ...] = ()
    waived: tuple[tuple[Finding, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings

    def __add__(self, other: Outcome) -> Outcome:
        return Outcome(
            self.findings + other.findings, self.passed + other.passed, self.waived + other.waived
        )

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "findings": [finding.as_json() for finding in self.findings],
            "waived": [{**finding.as_json(), "waiver": waiver} for finding, waiver in self.waived],
            "passed": list(self.passed),
        }
