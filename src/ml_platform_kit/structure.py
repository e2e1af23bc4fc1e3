# Managed by the ML platform template (ownership, notebooks conventions): edit through the template.
"""OWN006 and NB001: the project's shape still carries the agreements.

OWN006: every directory the ownership table (copier.yml, recorded in
`.platform-managed.json`) gives to a team has its own CODEOWNERS rule for that team, so a
change to it needs that team's approval; the `*` fallback alone is not ownership.
NB001: notebooks carry no outputs (data, plots and tracebacks stay out of git); each cell
with outputs is named.

Each function takes the project root and returns findings; nothing is kept between calls.
"""

from __future__ import annotations

import json
from pathlib import Path

from check_conflicts import candidate_files
from drift import RecordError, read_record
from ownership import Finding, read_owners


def codeowners_coverage(project_root: Path) -> list[Finding]:
    """OWN006 for each owned directory of the project that CODEOWNERS does not give its team."""
    root = Path(project_root)
    owners = read_owners(root)
    try:
        table = read_record(root).get("ownership", [])
    except RecordError:
        return []  # UPD004 reports the missing record
    findings = []
    for row in table:
        pattern, handle, team = str(row["path"]), str(row["handle"]), str(row["team"])
        directory = pattern.strip("/")
        if pattern == "*" or not pattern.endswith("/") or not (root / directory).is_dir():
            continue
        rule = owners.rule_for(directory + "/")
        add = f"add the line `{pattern} {handle}` (or restore {owners.codeowners})"
        if rule is None or rule[0] == "*":
            problem = (
                f"no rule in {owners.codeowners} covers {directory}/ (only the `*` fallback), so "
                f"changes to it need no approval from {team} ({handle}); {add}"
            )
        elif handle not in rule[1]:
            problem = (
                f"{owners.codeowners} gives {directory}/ to {' '.join(rule[1])} "
                f"(rule `{rule[0]}`), "
                f"but the ownership table gives it to {team} ({handle}); {add}"
            )
        else:
            continue
        findings.append(
            Finding(
                "OWN006",
                directory + "/",
                problem,
                "ownership",
                owners.of(owners.codeowners),
                "docs/ways-of-working.md#own006",
            )
        )
    return findings


def notebook_outputs(project_root: Path) -> list[Finding]:
    """NB001 for each notebook cell with outputs, among the files git would commit."""
    root = Path(project_root)
    owners = read_owners(root)
    findings = []
    for relpath in candidate_files(root):
        if not relpath.endswith(".ipynb") or not (root / relpath).is_file():
            continue

        def finding(problem: str, relpath: str = relpath) -> Finding:
            return Finding(
                "NB001",
                relpath,
                problem,
                "notebooks policy",
                owners.of(relpath),
                "docs/notebooks.md#nb001",
            )

        try:
            notebook = json.loads((root / relpath).read_text(encoding="utf-8"))
            cells = notebook["cells"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            findings.append(finding(f"cannot be read as a notebook ({error}); fix or remove it"))
            continue
        for number, cell in enumerate(cells, start=1):
            outputs = (cell.get("outputs") or []) if isinstance(cell, dict) else []
            if outputs:
                kinds = sorted(
                    {str(o.get("output_type", "?")) for o in outputs if isinstance(o, dict)}
                )
                findings.append(
                    finding(
                        f"cell {number} has {len(outputs)} output(s) ({', '.join(kinds)}); clear "
                        f"them before committing: `uvx nbstripout==0.9.1 {relpath}` or Jupyter's "
                        "Clear All Outputs"
                    )
                )
    return findings


def structure(project_root: Path) -> list[Finding]:
    """Every structural finding: CODEOWNERS coverage (OWN006), notebook outputs (NB001)."""
    return codeowners_coverage(project_root) + notebook_outputs(project_root)
