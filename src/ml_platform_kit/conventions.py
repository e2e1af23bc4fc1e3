"""``ml-platform conventions``: the platform conventions a project keeps between updates.

- UPD001, UPD002: no leftovers of ``copier update`` (the conflict gate, :mod:`.conflicts`;
  it also runs alone as ``ml-platform conflicts``, CI's first job)
- UPD004, UPD005: platform-managed files neither deleted nor edited by hand (:mod:`.drift`)
- UPD006, UPD007: waivers in config/waivers.yaml neither expired nor malformed (:mod:`.waivers`),
  judged on ``--as-of`` (default: today), so a test never depends on the date
- OWN001-OWN006: CODEOWNERS where the CI provider reads it and as the ownership table says,
  managed files marked (:mod:`.ownership`)
- NB001: notebooks without outputs (:mod:`.notebooks`)

A deviation a valid waiver covers passes and is listed as waived. Each group of checks that
passes says so on its own line.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date

from .conflicts import CLEAN, leftovers
from .drift import drift
from .finding import Finding, Outcome
from .notebooks import notebook_outputs
from .ownership import ownership
from .project import Project
from .waivers import apply, judge

# Each group's line when none of its checks fails; {waived} counts the waived deviations.
PASSED = {
    ("UPD001", "UPD002"): CLEAN,
    ("UPD004", "UPD005"): "UPD004, UPD005: platform-managed files as the template renders them",
    ("UPD006", "UPD007"): "UPD006, UPD007: waivers valid ({waived} deviation(s) waived)",
    ("OWN001", "OWN002", "OWN003", "OWN004", "OWN005", "OWN006"): (
        "OWN001-OWN006: CODEOWNERS where the CI provider reads it and as the ownership table "
        "says, platform-managed files marked"
    ),
    ("NB001",): "NB001: notebooks without outputs",
}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="judge waiver expiry on this day (default: today)",
    )


def passed_lines(findings: Sequence[Finding], waived: int) -> tuple[str, ...]:
    """The line of every group of checks without a failing finding."""
    failed = {finding.code for finding in findings}
    return tuple(
        line.format(waived=waived) for codes, line in PASSED.items() if failed.isdisjoint(codes)
    )


def check(project: Project, today: date) -> Outcome:
    """Every convention check on one project; waivers judged as of ``today``."""
    gate = leftovers(project)
    deviations = drift(project) + ownership(project) + notebook_outputs(project)
    waivers = judge(project, today)
    failing, waived = apply(deviations, waivers)
    findings = (*gate, *failing, *waivers.problems)
    return Outcome(
        findings=findings,
        passed=passed_lines(findings, len(waived)),
        waived=tuple((finding, str(waiver)) for finding, waiver in waived),
    )


def run(project: Project, options: argparse.Namespace) -> Outcome:
    return check(project, getattr(options, "as_of", None) or date.today())
