# Managed by the ML platform template (updates and drift convention): edit through the template.
"""`tox -e conventions`: the platform conventions a project keeps between template updates.

- UPD001, UPD002: no leftovers of `copier update` (tools/check_conflicts.py, the conflict
  gate; it also runs alone, without tox, as CI's first job and right after an update)
- UPD004, UPD005: platform-managed files neither deleted nor edited by hand (tools/drift.py)
- UPD006, UPD007: waivers in config/waivers.yaml neither expired nor malformed (tools/waivers.py)
- OWN006: every owned directory has its CODEOWNERS rule; NB001: notebooks without outputs
  (tools/structure.py)

A deviation a valid waiver covers passes and is listed as waived. One line per finding:
ID, path, what broke and how to fix it, the agreement, the owning team, the docs page.

Usage: python tools/conventions.py [project root, default: the current directory]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import check_conflicts
from drift import drift
from ownership import Finding
from structure import structure
from waivers import Waiver, apply, waivers


@dataclass(frozen=True)
class Report:
    """What `tox -e conventions` found: failing findings and waived deviations."""

    leftovers: tuple[str, ...]  # UPD001/UPD002 lines, as tools/check_conflicts.py prints them
    failing: tuple[Finding, ...]
    waived: tuple[tuple[Finding, Waiver], ...]

    @property
    def ok(self) -> bool:
        return not self.leftovers and not self.failing


def check(project_root: Path, today: date) -> Report:
    """Run every convention check on one project; waivers judged as of `today`."""
    root = Path(project_root)
    leftovers = tuple(check_conflicts.report(root))
    deviations = drift(root) + structure(root)
    judged = waivers(root, today)
    failing, waived = apply(deviations, judged)
    return Report(leftovers, (*failing, *judged.problems), tuple(waived))


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else ".").resolve()
    report = check(root, date.today())
    for line in report.leftovers:
        print(line)
    if not report.leftovers:
        print("UPD001, UPD002: no conflict markers and no .rej files")
    for finding in report.failing:
        print(finding)
    for finding, waiver in report.waived:
        print(f"waived: {finding.code} {finding.path} by {waiver}")
    if report.ok:
        print(
            "UPD004-UPD007, OWN006, NB001: managed files as the template renders them, "
            f"waivers valid ({len(report.waived)} deviation(s) waived), CODEOWNERS covers every "
            "owned directory, notebooks without outputs"
        )
        return 0
    count = len(report.leftovers) + len(report.failing)
    print(f"{count} finding(s): fix each as its line says. How: docs/ci.md#drift")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
