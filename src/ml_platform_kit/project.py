"""Reading one project: its answers, its CODEOWNERS, the files git would commit.

The one reader of ``.copier-answers.yml`` and CODEOWNERS for every check and for the fleet
report. A file holding a merge conflict (right after ``copier update``) is read as it was
before the update, the first side of each conflict: those are the answers and the owners
in force until it is resolved, and the conflict gate must name owners even then.
CODEOWNERS patterns match as git and the CI providers match them (gitignore patterns, through
pathspec); the last matching rule wins.
"""

from __future__ import annotations

import os
import re
import subprocess  # nosec B404
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pathspec
import yaml

from .finding import Finding, path_of
from .registry import Check, check

ANSWERS = ".copier-answers.yml"
CODEOWNERS = {"github": ".github/CODEOWNERS", "gitlab": "CODEOWNERS"}
# Marker lines as git and Copier write them: seven characters, then a space or the end of
# the line. The `=======` separator alone is also a Markdown heading underline, so it is
# not reported; every conflict has a start and an end marker besides it.
MARKER = re.compile(r"^(<{7}|\|{7}|>{7})(?: |$)")
SEPARATOR = re.compile(r"^={7}(?: |$)")
SKIPPED_DIRS = {".git", ".tox", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache"}
# The safe loader, in C where PyYAML was built with it: the fleet reads answers by the hundred.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def before_update(text: str) -> str:
    """``text`` as it was before the update: outside a conflict every line, inside one only
    its first side (up to ``|||||||`` or ``=======``), markers dropped."""
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
    return "\n".join(kept) + "\n"


@dataclass(frozen=True)
class Rule:
    """One CODEOWNERS line: its pattern, handles and line number."""

    pattern: str
    handles: tuple[str, ...]
    line: int
    spec: pathspec.PathSpec[Any] = field(compare=False, repr=False)

    @classmethod
    def parse(cls, pattern: str, handles: tuple[str, ...], line: int = 0) -> Rule:
        """A rule as CODEOWNERS writes it (the ownership table's rows are read the same way)."""
        return cls(pattern, handles, line, pathspec.PathSpec.from_lines("gitignore", [pattern]))

    @property
    def catch_all(self) -> bool:
        return self.pattern in {"*", "/*", "**", "/**"}

    def matches(self, relpath: str) -> bool:
        return self.spec.match_file(relpath) or self.spec.match_file(relpath.rstrip("/") + "/")


@dataclass(frozen=True)
class Project:
    """One project on disk; every property reads its files once."""

    root: Path

    def read(self, relpath: str) -> str | None:
        """A file's text as it was before the update (see :func:`before_update`)."""
        try:
            text = (self.root / relpath).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        return before_update(text)

    def load_answers(self) -> dict[str, Any]:
        """``.copier-answers.yml``; a ValueError says what is wrong with it."""
        text = self.read(ANSWERS)
        if text is None:
            raise ValueError(f"no {ANSWERS}: not generated from the template, or it was deleted")
        try:
            loaded = yaml.load(text, Loader=_SafeLoader)  # noqa: S506  # nosec B506
        except yaml.YAMLError as error:
            raise ValueError(f"{ANSWERS} is not valid YAML: {error}") from None
        if not isinstance(loaded, dict):
            raise ValueError(f"{ANSWERS} is not a mapping of answers")
        return loaded

    @cached_property
    def answers(self) -> dict[str, Any]:
        """``.copier-answers.yml``; empty when it is missing or unreadable."""
        try:
            return self.load_answers()
        except ValueError:
            return {}

    def handle(self, role: str) -> str:
        """The handle of a role (``team_<role>`` in the answers)."""
        value = self.answers.get(f"team_{role}")
        return (
            str(value) if value else f"the {role.replace('_', ' ')} team (team_{role} in {ANSWERS})"
        )

    @cached_property
    def codeowners_path(self) -> str:
        """Where the answers' CI provider reads CODEOWNERS (else the first that exists)."""
        provider = str(self.answers.get("ci_provider", ""))
        if provider in CODEOWNERS:
            return CODEOWNERS[provider]
        return next(
            (p for p in CODEOWNERS.values() if (self.root / p).is_file()), CODEOWNERS["github"]
        )

    @cached_property
    def codeowners(self) -> tuple[Rule, ...]:
        """CODEOWNERS rules in file order; comments and GitLab section headers skipped."""
        rules: list[Rule] = []
        for number, raw in enumerate((self.read(self.codeowners_path) or "").splitlines(), 1):
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith(("#", "[", "^[")):
                continue
            pattern, *handles = line.split()
            rules.append(Rule.parse(pattern, tuple(handles), number))
        return tuple(rules)

    def rule_for(self, relpath: str) -> Rule | None:
        """The last rule whose pattern matches ``relpath``, as CODEOWNERS decides."""
        return next((rule for rule in reversed(self.codeowners) if rule.matches(relpath)), None)

    def owner_of(self, relpath: str, role: str = "platform") -> str:
        """Who answers for ``relpath``: the handles of the CODEOWNERS rule that claims it,
        else (no rule, or only the catch-all ``*``) the handle of ``role``."""
        rule = self.rule_for(relpath)
        if rule and rule.handles and not rule.catch_all:
            return " ".join(rule.handles)
        return self.handle(role)

    def finding(self, check_id: str, where: str, problem: str, owned: str | None = None) -> Finding:
        """A finding of a registered check, owned as :meth:`owner_of` decides for the path
        of ``where``, or for ``owned`` when another file answers for it (a ``.rej`` file
        belongs to the file it patches; a missing CODEOWNERS rule to CODEOWNERS)."""
        entry: Check = check(check_id)
        path = owned if owned is not None else path_of(where)
        return entry.finding(where, problem, self.owner_of(path, entry.owner))

    @cached_property
    def files(self) -> tuple[str, ...]:
        """What a commit would hold: tracked and untracked files that git does not ignore."""
        try:
            listed = subprocess.run(  # nosec B603 B607
                ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
                cwd=self.root,
                check=True,
                capture_output=True,
            ).stdout.decode("utf-8", errors="surrogateescape")
            return tuple(sorted({name for name in listed.split("\0") if name}))
        except (OSError, subprocess.CalledProcessError):  # not a git repository (yet)
            found: list[str] = []
            for directory, dirs, names in os.walk(self.root):
                dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
                found.extend(str((Path(directory) / n).relative_to(self.root)) for n in names)
            return tuple(sorted(found))
