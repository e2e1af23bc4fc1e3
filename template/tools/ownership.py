# Managed by the ML platform template (ownership convention): edit through the template.
"""Who owns a path of this project, and the one shape every convention finding takes.

The owners come from CODEOWNERS where the CI provider reads it (`.copier-answers.yml` says
which provider), read the way this project writes it: the last matching rule wins. The
platform team's handle from the answers is the fallback when no rule claims a path.
Standard library only, because the conflict gate (tools/check_conflicts.py) names owners
with it when a conflict has broken every file a tool reads; a CODEOWNERS or answers file
that holds a conflict itself is read as it was before the update (the first side of each
conflict): those are the owners in force until it is resolved. Nothing here holds state:
each function reads the project root it is given.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

ANSWERS = ".copier-answers.yml"
CODEOWNERS = {"github": ".github/CODEOWNERS", "gitlab": "CODEOWNERS"}
UNKNOWN_PLATFORM = "the platform team (team_platform in .copier-answers.yml)"
# Marker lines as git and Copier write them: seven characters, then a space or the end
# of the line. The `=======` separator alone is also a Markdown heading underline, so it
# is not reported; every conflict has a start and an end marker besides it.
MARKER = re.compile(r"^(<{7}|\|{7}|>{7})(?: |$)")
SEPARATOR = re.compile(r"^={7}(?: |$)")


@dataclass(frozen=True)
class Finding:
    """One broken agreement on one line: ID, path, problem, agreement, owner, docs page."""

    code: str
    path: str  # project-relative file or directory; waivers match against it
    problem: str
    agreement: str
    owner: str
    docs: str

    def __str__(self) -> str:
        return (
            f"{self.code} {self.path}: {self.problem}"
            f" · agreement: {self.agreement} · owner: {self.owner} · {self.docs}"
        )


def before_update(text: str) -> list[str]:
    """The lines of `text` as they were before the update: outside a conflict every line,
    inside one only its first side (up to `|||||||` or `=======`), markers dropped."""
    kept: list[str] = []
    side = ""  # "": outside a conflict; "first": the side kept; "other": a side dropped
    for line in text.splitlines():
        marker = MARKER.match(line)
        if marker and marker.group(1)[0] == "<":
            side = "first"
        elif marker and marker.group(1)[0] == ">":
            side = ""
        elif side and (marker or SEPARATOR.match(line)):
            side = "other"
        elif side != "other":
            kept.append(line)
    return kept


def _read_lines(path: Path) -> list[str]:
    try:
        return before_update(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []


def answers(root: Path) -> dict[str, str]:
    """The top-level scalar answers of `.copier-answers.yml` (a flat mapping Copier writes);
    the first value of each key counts. Empty when the file is missing."""
    found: dict[str, str] = {}
    for line in _read_lines(root / ANSWERS):
        key, colon, value = line.partition(":")
        if not colon or not key or key[0] in " \t#-" or key in found:
            continue
        value = value.strip()
        if len(value) > 1 and value[0] == value[-1] == "'":
            value = value[1:-1].replace("''", "'")
        elif len(value) > 1 and value[0] == value[-1] == '"':
            value = value[1:-1]
        found[key] = value
    return found


def matches(pattern: str, relpath: str) -> bool:
    """CODEOWNERS matching for the rule shapes this project uses (`*`, `/dir/`, `/file`)."""
    if pattern == "*":
        return True
    anchored = pattern.lstrip("/")
    if anchored.endswith("/"):
        return relpath.startswith(anchored) or relpath + "/" == anchored
    return relpath == anchored or fnmatch.fnmatch(relpath, anchored)


@dataclass(frozen=True)
class Owners:
    """CODEOWNERS rules of one project, as (pattern, handles), in file order."""

    codeowners: str  # project-relative path where the CI provider reads CODEOWNERS
    rules: tuple[tuple[str, tuple[str, ...]], ...]
    platform: str  # team_platform from the answers

    def rule_for(self, relpath: str) -> tuple[str, tuple[str, ...]] | None:
        """The last rule whose pattern matches `relpath`, as CODEOWNERS decides."""
        found = None
        for pattern, handles in self.rules:
            if matches(pattern, relpath):
                found = (pattern, handles)
        return found

    def of(self, relpath: str) -> str:
        """Handles owning `relpath`, space-separated; the platform team if no rule does."""
        rule = self.rule_for(relpath)
        return " ".join(rule[1]) if rule and rule[1] else self.platform


def read_owners(root: Path) -> Owners:
    """CODEOWNERS where the answers' CI provider reads it (else the first that exists);
    comments and GitLab section headers skipped."""
    recorded = answers(root)
    provider = recorded.get("ci_provider", "")
    candidates = [CODEOWNERS[provider]] if provider in CODEOWNERS else list(CODEOWNERS.values())
    relpath = next((c for c in candidates if (root / c).is_file()), candidates[0])
    rules: list[tuple[str, tuple[str, ...]]] = []
    for raw in _read_lines(root / relpath):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "[", "^[")):
            continue
        pattern, *handles = line.split()
        rules.append((pattern, tuple(handles)))
    return Owners(relpath, tuple(rules), recorded.get("team_platform") or UNKNOWN_PLATFORM)
