"""The inventory: which repositories the report reads, and the policy it enforces.

The file is YAML, checked against `inventory.schema.json`; a wrong entry is reported with
its place in the file and what to write instead. Repositories can also come from the
command line (local paths), with the default policy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA = json.loads((Path(__file__).parent / "inventory.schema.json").read_text("utf-8"))
DOCS = "docs/fleet-report.md#the-inventory"


class InventoryError(ValueError):
    """The inventory cannot be read; the message says where and how to fix it."""


@dataclass(frozen=True)
class Repository:
    """One inventory entry: a local checkout (`path`) or a git URL (`url`, optional `ref`)."""

    name: str
    location: str  # as written: the path or the URL
    path: Path | None = None
    url: str | None = None
    ref: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class Policy:
    """What makes the report exit non-zero. `fail` breaks the policy; `report` only lists."""

    max_releases_behind: int | None = None
    expired_waivers: str = "fail"
    update_leftovers: str = "fail"
    drift: str = "report"
    unreachable: str = "report"
    no_update_engine: str = "report"
    expiry_window_days: int = 30


@dataclass(frozen=True)
class Inventory:
    repositories: tuple[Repository, ...]
    policy: Policy = field(default_factory=Policy)
    template: str | None = None


def _where(error: jsonschema.ValidationError) -> str:
    return "/".join(str(part) for part in error.absolute_path) or "(top level)"


def _name_of(location: str) -> str:
    return location.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or location


def load(path: Path) -> Inventory:
    """Read and check an inventory file; relative paths are taken from the file's folder."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InventoryError(f"{path}: cannot read the inventory ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise InventoryError(f"{path}: not valid YAML: {error}; see {DOCS}") from None
    errors = sorted(
        jsonschema.Draft202012Validator(SCHEMA).iter_errors(data), key=lambda e: list(e.path)
    )
    if errors:
        lines = [f"{path}: {_where(e)}: {e.message}" for e in errors]
        raise InventoryError("\n".join(lines) + f"\nThe inventory's fields: {DOCS}")
    base = path.parent
    repositories = []
    for entry in data["repositories"]:
        location = entry.get("path") or entry["url"]
        repositories.append(
            Repository(
                name=entry.get("name") or _name_of(location),
                location=location,
                path=(base / entry["path"]).resolve() if "path" in entry else None,
                url=entry.get("url"),
                ref=entry.get("ref"),
                team=entry.get("team"),
            )
        )
    names = [repository.name for repository in repositories]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise InventoryError(
            f"{path}: repositories: the name(s) {', '.join(doubled)} appear more than once; "
            f"give each entry a unique `name:`; see {DOCS}"
        )
    return Inventory(tuple(repositories), Policy(**data.get("policy", {})), data.get("template"))


def from_paths(paths: list[Path]) -> Inventory:
    """An inventory of local checkouts given on the command line, with the default policy."""
    return Inventory(
        tuple(Repository(name=_name_of(str(p)), location=str(p), path=p.resolve()) for p in paths)
    )


def with_overrides(inventory: Inventory, **settings: Any) -> Inventory:
    """The inventory with policy settings from the command line (None leaves one as it is)."""
    given = {key: value for key, value in settings.items() if value is not None}
    return replace(inventory, policy=replace(inventory.policy, **given))
