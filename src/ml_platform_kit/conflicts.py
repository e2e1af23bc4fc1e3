"""``ml-platform conflicts``: UPD001/UPD002, no leftovers of ``copier update``.

``copier update`` exits 0 even when it leaves conflicts behind: inline merge-conflict
markers in a file, or a ``<file>.rej`` holding the hunks it could not apply. This gate stops
them. It reads the files git would commit (tracked and untracked, not ignored) and reports
one finding per marker line and per ``.rej`` file, owned by the team that owns the file.

It runs before, and independently of, every file it may have to report: a conflict in
``tox.toml``, ``pyproject.toml``, ``.pre-commit-config.yaml`` or a CI file stops the tools
that read them, so the gate needs only the kit's base dependencies (no pandas, no tox), as
CI's first job and a person right after ``copier update`` run it. CODEOWNERS and the answers
are read as they were before the update when they hold a conflict themselves
(:class:`ml_platform_kit.project.Project`): those are the owners in force until it is resolved.
"""

from __future__ import annotations

import argparse

from .finding import Finding, Outcome
from .project import MARKER, Project

CLEAN = "UPD001, UPD002: no conflict markers and no .rej files"
MAX_BYTES = 5_000_000  # larger files are data, not something copier update merges


def markers_in(text: str) -> list[tuple[int, str]]:
    """(line number, marker) for each conflict-marker line of ``text``."""
    return [
        (number, match.group(1))
        for number, line in enumerate(text.splitlines(), start=1)
        if (match := MARKER.match(line))
    ]


def _text_of(project: Project, relpath: str) -> str | None:
    """The file's text, or None for what copier update does not merge: binary or huge files."""
    path = project.root / relpath
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return None if b"\0" in data else data.decode("utf-8", errors="replace")


def _rejected(project: Project, relpath: str) -> Finding:
    patched = relpath.removesuffix(".rej")
    problem = (
        f"hunks copier update could not apply; merge them into {patched} by hand, "
        "then delete this file"
    )
    # The team owning the patched file resolves it: `Dockerfile.rej` is MLOps's.
    return project.finding("UPD002", relpath, problem, owned=patched)


def leftovers(project: Project) -> list[Finding]:
    """UPD002 per ``.rej`` file, UPD001 per conflict-marker line, in file order."""
    findings: list[Finding] = []
    for relpath in project.files:
        if relpath.endswith(".rej"):
            findings.append(_rejected(project, relpath))
            continue
        text = _text_of(project, relpath)
        for number, marker in markers_in(text or ""):
            problem = (
                f"merge-conflict marker '{marker}' left by copier update; "
                "resolve the conflict and remove the markers"
            )
            findings.append(project.finding("UPD001", f"{relpath}:{number}", problem))
    return findings


def run(project: Project, _options: argparse.Namespace) -> Outcome:
    """The conflict gate: fails on any leftover, else says the project is clean."""
    found = tuple(leftovers(project))
    return Outcome(findings=found) if found else Outcome(passed=(CLEAN,))
