# Managed by the ML platform template (CI convention): edit through the template.
"""UPD001/UPD002: no leftovers of `copier update` — conflict markers or `.rej` files.

`copier update` exits 0 even when it leaves conflicts behind: inline merge-conflict
markers in a file, or a `<file>.rej` holding the hunks it could not apply. This gate stops
them. It reads the files git would commit (tracked and untracked, not ignored) and prints
one line per finding: ID, file and line, what to do, the agreement, the team that owns
the file, the docs page.

It runs before, and independently of, every file it may have to report: a conflict in
`tox.toml`, `pyproject.toml`, `.pre-commit-config.yaml` or a CI file stops the tools that
read them, so the gate is standard library only and runs with plain Python, as CI's first
job does and as a person does right after `copier update`:

    python3 tools/check_conflicts.py

(`tox -e conventions` calls it too, when tox can still read `tox.toml`.) The owner comes
from tools/ownership.py (standard library too): CODEOWNERS where the CI provider reads it,
the platform team for anything no rule claims, both read as they were before the update
when they hold a conflict themselves.

Usage: python3 tools/check_conflicts.py [project root, default: the current directory]
"""

from __future__ import annotations

import os
import subprocess  # nosec B404
import sys
from dataclasses import dataclass
from pathlib import Path

from ownership import MARKER, read_owners

AGREEMENT = "template updates"
DOCS = "docs/ci.md#conflict-gate"  # each ID has its own anchor: docs/ci.md#upd001
SKIPPED_DIRS = {".git", ".tox", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache"}
MAX_BYTES = 5_000_000  # larger files are data, not something copier update merges


@dataclass(frozen=True)
class Finding:
    """One leftover of an update: ID, file (and line), and what to do about it."""

    code: str
    path: str  # project-relative file the finding is about
    problem: str
    line_number: int | None = None

    @property
    def where(self) -> str:
        return self.path if self.line_number is None else f"{self.path}:{self.line_number}"

    @property
    def owned_path(self) -> str:
        """The file whose owners resolve it: for `tox.toml.rej`, `tox.toml`."""
        return self.path.removesuffix(".rej") if self.code == "UPD002" else self.path

    def line(self, owner: str) -> str:
        return (
            f"{self.code} {self.where}: {self.problem}"
            f" · agreement: {AGREEMENT} · owner: {owner} · docs/ci.md#{self.code.lower()}"
        )


def candidate_files(root: Path) -> list[str]:
    """What a commit would hold: tracked and untracked files that git does not ignore."""
    try:
        listed = subprocess.run(  # nosec B603 B607
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
            cwd=root,
            check=True,
            capture_output=True,
        ).stdout.decode("utf-8", errors="surrogateescape")
        return sorted({name for name in listed.split("\0") if name})
    except (OSError, subprocess.CalledProcessError):  # not a git repository (yet)
        found: list[str] = []
        for directory, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
            found.extend(str((Path(directory) / f).relative_to(root)) for f in files)
        return sorted(found)


def markers_in(text: str) -> list[tuple[int, str]]:
    """(line number, marker) for each conflict-marker line of `text`."""
    return [
        (number, match.group(1))
        for number, line in enumerate(text.splitlines(), start=1)
        if (match := MARKER.match(line))
    ]


def find_leftovers(root: Path) -> list[Finding]:
    findings: list[Finding] = []
    for name in candidate_files(root):
        path = root / name
        if name.endswith(".rej"):
            findings.append(
                Finding(
                    "UPD002",
                    name,
                    "hunks copier update could not apply; merge them into "
                    f"{name.removesuffix('.rej')} by hand, then delete this file",
                )
            )
            continue
        try:
            if not path.is_file() or path.stat().st_size > MAX_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if b"\0" in data:  # binary
            continue
        for number, marker in markers_in(data.decode("utf-8", errors="replace")):
            findings.append(
                Finding(
                    "UPD001",
                    name,
                    f"merge-conflict marker '{marker}' left by copier update; "
                    "resolve the conflict and remove the markers",
                    number,
                )
            )
    return findings


def report(root: Path) -> list[str]:
    """One line per leftover, each naming the team that owns its file."""
    findings = find_leftovers(root)
    if not findings:
        return []
    owners = read_owners(root)
    return [finding.line(owners.of(finding.owned_path)) for finding in findings]


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else ".").resolve()
    lines = report(root)
    if not lines:
        print("UPD001, UPD002: no conflict markers and no .rej files")
        return 0
    for line in lines:
        print(line)
    print(f"{len(lines)} leftover(s) of copier update: resolve them, then commit. How: {DOCS}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
