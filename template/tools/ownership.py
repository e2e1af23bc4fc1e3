# Managed by the ML platform template (ownership convention): edit through the template.
"""Who owns a path of this project, and the one shape every convention finding takes.

The owners come from CODEOWNERS where the CI provider reads it (`.copier-answers.yml` says
which provider), read the way this project writes it: the last matching rule wins. The
platform team's handle from the answers is the fallback when CODEOWNERS is missing.
Nothing here holds state: each function reads the project root it is given.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

import yaml

ANSWERS = ".copier-answers.yml"


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


def answers(root: Path) -> dict[str, str]:
    """The answers Copier recorded, as strings; empty if the file is missing or unreadable."""
    try:
        loaded = yaml.safe_load((root / ANSWERS).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def codeowners_path(root: Path) -> str:
    """Where the CI provider reads CODEOWNERS: `.github/CODEOWNERS` or `CODEOWNERS`."""
    provider = answers(root).get("ci_provider", "github")
    return ".github/CODEOWNERS" if provider == "github" else "CODEOWNERS"


def matches(pattern: str, relpath: str) -> bool:
    """CODEOWNERS matching for the rule shapes this project uses (`*`, `/dir/`, `/file`)."""
    if pattern == "*":
        return True
    anchored = pattern.lstrip("/")
    if anchored.endswith("/"):
        return relpath.startswith(anchored) or relpath + "/" == anchored
    return relpath == anchored or fnmatch.fnmatch(relpath, anchored)


def read_owners(root: Path) -> Owners:
    """The project's CODEOWNERS rules; comments and GitLab section headers skipped."""
    relpath = codeowners_path(root)
    platform = answers(root).get("team_platform", "the platform team (team_platform)")
    try:
        text = (root / relpath).read_text(encoding="utf-8")
    except OSError:
        return Owners(relpath, (), platform)
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "[", "^[")):
            continue
        pattern, *handles = line.split()
        rules.append((pattern, tuple(handles)))
    return Owners(relpath, tuple(rules), platform)
