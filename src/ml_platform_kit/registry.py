"""The registry of checks: every check ID once, read from ``checks.yml``.

Each :class:`Check` names its ID, family, title, the agreement it guards, the role owning
that agreement, its docs page and the files it judges. Code makes findings through
:meth:`Check.finding`, so an ID, its agreement and its page are never typed twice; the
template renders the generated README's checks table and each convention page's ID table
from the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from .finding import Finding

ROLES = ("data_engineering", "data_science", "mlops", "platform")


@dataclass(frozen=True)
class Check:
    """One check of the registry."""

    id: str
    family: str
    title: str
    agreement: str
    owner: str  # a role of ROLES, resolved to the project's handle by ml_platform_kit.project
    page: str  # the project's docs page, e.g. docs/data-contracts.md
    fix: str
    files: tuple[str, ...]

    @property
    def docs(self) -> str:
        """The page and the ID's own anchor, e.g. ``docs/data-contracts.md#dc001``."""
        return f"{self.page}#{self.id.lower()}"

    def finding(self, where: str, problem: str, owner: str) -> Finding:
        """A finding of this check on ``where`` (a path, ``path:line`` or a key path)."""
        return Finding(self.id, where, problem, self.agreement, owner, self.docs)


def _check(entry: dict[str, Any]) -> Check:
    return Check(
        id=entry["id"],
        family=entry["family"],
        title=entry["title"],
        agreement=entry["agreement"],
        owner=entry["owner"],
        page=entry["page"],
        fix=entry["fix"],
        files=tuple(entry["files"]),
    )


@cache
def checks() -> dict[str, Check]:
    """Every check, by ID, in registry order."""
    text = resources.files(__package__).joinpath("checks.yml").read_text(encoding="utf-8")
    entries = yaml.safe_load(text)["platform_checks"]["default"]
    return {entry["id"]: _check(entry) for entry in entries}


def check(check_id: str) -> Check:
    """The registry entry of ``check_id``; a KeyError names an unregistered ID."""
    try:
        return checks()[check_id]
    except KeyError:
        raise KeyError(f"{check_id} is not in the registry (ml_platform_kit/checks.yml)") from None


def family(name: str) -> list[Check]:
    """The checks of one family, in registry order."""
    return [entry for entry in checks().values() if entry.family == name]
