# Managed by the ML platform template (CI convention): edit through the template.
"""UPD001/UPD002: no leftovers of `copier update` — conflict markers or `.rej` files.

`copier update` exits 0 even when it leaves conflicts behind: inline merge-conflict
markers in a file, or a `<file>.rej` holding the hunks it could not apply. Nothing else
stops them from being committed and merged, so this gate runs in CI (`tox -e conventions`)
and on a laptop. It reads the files git would commit (tracked and untracked, not ignored)
and prints one line per finding. Standard library only: it must work even when a conflict
has broken `pyproject.toml`.

Usage: python tools/check_conflicts.py [project root, default: the current directory]
"""

from __future__ import annotations

import os
import re
import subprocess  # nosec B404
import sys
from dataclasses import dataclass
from pathlib import Path

AGREEMENT = "template updates"
DOCS = "docs/ci.md#conflict-gate"  # each ID has its own anchor: docs/ci.md#upd001
# Marker lines as git and Copier write them: seven characters, then a space or the end
# of the line. The `=======` separator alone is also a Markdown heading underline, so it
# is not reported; every conflict has a start and an end marker besides it.
MARKER = re.compile(r"^(<{7}|\|{7}|>{7})(?: |$)")
SKIPPED_DIRS = {".git", ".tox", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache"}
MAX_BYTES = 5_000_000  # larger files are data, not something copier update merges


@dataclass(frozen=True)
class Finding:
    """One leftover of an update: ID, where, and what to do about it."""

    code: str
    where: str
    problem: str

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
                    f"{name}:{number}",
                    f"merge-conflict marker '{marker}' left by copier update; "
                    "resolve the conflict and remove the markers",
                )
            )
    return findings


def platform_owner(root: Path) -> str:
    """`team_platform` from .copier-answers.yml (a flat YAML mapping Copier writes)."""
    try:
        text = (root / ".copier-answers.yml").read_text(encoding="utf-8")
    except OSError:
        return "the platform team (team_platform in .copier-answers.yml)"
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key == "team_platform" and value.strip():
            value = value.strip()
            if value[0] == value[-1] == "'":
                return value[1:-1].replace("''", "'")
            return value.strip('"')
    return "the platform team (team_platform in .copier-answers.yml)"


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else ".").resolve()
    findings = find_leftovers(root)
    if not findings:
        print("UPD001, UPD002: no conflict markers and no .rej files")
        return 0
    owner = platform_owner(root)
    for finding in findings:
        print(finding.line(owner))
    print(f"{len(findings)} leftover(s) of copier update: resolve them, then commit. How: {DOCS}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
