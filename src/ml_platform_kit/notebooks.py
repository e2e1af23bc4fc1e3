"""NB001: notebooks carry no outputs (data, plots and tracebacks stay out of git).

Each cell with outputs is one finding, naming the notebook and the cell, among the files git
would commit; a notebook that cannot be read as one is a finding too.
"""

from __future__ import annotations

import json
from typing import Any

from .finding import Finding
from .project import Project


def _cells(project: Project, relpath: str) -> list[Any]:
    """The notebook's cells; a ValueError says why it is not a notebook."""
    try:
        cells = json.loads((project.root / relpath).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"cannot be read as a notebook ({error}); fix or remove it") from None
    if not isinstance(cells, list):
        raise ValueError("cannot be read as a notebook (`cells` is not a list); fix or remove it")
    return cells


def _outputs(cell: Any) -> list[Any]:
    outputs = cell.get("outputs") if isinstance(cell, dict) else None
    return outputs if isinstance(outputs, list) else []


def _with_outputs(project: Project, relpath: str, cells: list[Any]) -> list[Finding]:
    findings = []
    for number, cell in enumerate(cells, start=1):
        outputs = _outputs(cell)
        if not outputs:
            continue
        kinds = sorted({str(o.get("output_type", "?")) for o in outputs if isinstance(o, dict)})
        problem = (
            f"cell {number} has {len(outputs)} output(s) ({', '.join(kinds)}); clear "
            f"them before committing: `uvx nbstripout==0.9.1 {relpath}` or Jupyter's "
            "Clear All Outputs"
        )
        findings.append(project.finding("NB001", relpath, problem))
    return findings


def notebook_outputs(project: Project) -> list[Finding]:
    """NB001 for each notebook cell with outputs, among the files git would commit."""
    findings: list[Finding] = []
    for relpath in project.files:
        if not relpath.endswith(".ipynb") or not (project.root / relpath).is_file():
            continue
        try:
            cells = _cells(project, relpath)
        except ValueError as error:
            findings.append(project.finding("NB001", relpath, str(error)))
            continue
        findings.extend(_with_outputs(project, relpath, cells))
    return findings
