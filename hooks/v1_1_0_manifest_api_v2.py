"""1.1.0, deploy manifest: rewrite `ml-platform/v1` manifests as `ml-platform/v2`.

Convention changed: the deploy manifest (owned by MLOps). v2 groups what names and owns
the deployment under `metadata` (as Kubernetes objects do), and what builds the container
under `serving.container`, so the platform's fleet tooling reads the same places in every
repository:

    model.name         -> metadata.name
    owners             -> metadata.owners
    serving.image      -> serving.container.image
    serving.resources  -> serving.container.resources

The manifest is team-owned: Copier never re-renders it, so this rewrite is the only way
the change reaches a project. It moves the team's own lines, so every value, every comment
and the layout stay as the team wrote them; a manifest already on v2 is left alone.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from support import MigrationError, run, write_atomically
from yaml_text import YamlEditError, find, insert_key, move, set_scalar

MANIFEST = "deploy/manifest.yaml"
OLD, NEW = "ml-platform/v1", "ml-platform/v2"
# (source, new parent): each entry keeps its key and goes to the end of the new parent.
MOVES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("model", "name"), ("metadata",)),
    (("owners",), ("metadata",)),
    (("serving", "image"), ("serving", "container")),
    (("serving", "resources"), ("serving", "container")),
)


def _holder(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    """The mapping that holds the last key of `path`, or None when the key is absent."""
    holder: Any = data
    for key in path[:-1]:
        holder = holder.get(key) if isinstance(holder, dict) else None
    return holder if isinstance(holder, dict) and path[-1] in holder else None


def restructure(data: dict[str, Any]) -> dict[str, Any]:
    """What v2 holds for a v1 document, as data: the judge of the text rewrite below."""
    result = copy.deepcopy(data)
    result["apiVersion"] = NEW
    for source, parent in MOVES:
        holder = _holder(result, source)
        if holder is None:
            continue
        value = holder.pop(source[-1])
        target = result
        for key in parent:
            target = target.setdefault(key, {})
        target[source[-1]] = value
    return result


def upgrade(text: str) -> tuple[str, list[str]]:
    """A v1 manifest's text as v2, and what moved. Raises YamlEditError when it cannot."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise YamlEditError(f"is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise YamlEditError("is not a YAML mapping at the top level")
    version = data.get("apiVersion")
    if version == NEW:
        return text, []
    if version != OLD:
        raise YamlEditError(f"has apiVersion {version!r}; this migration rewrites {OLD} only")
    changes = [f"apiVersion {OLD} -> {NEW}"]
    text = set_scalar(text, ("apiVersion",), NEW)
    for source, parent in MOVES:
        if _holder(data, source) is None:
            changes.append(f"{'.'.join(source)} is absent; nothing to move")
            continue
        if find(text, parent) is None:
            text = _create(text, parent, source)
        text = move(text, source, parent)
        changes.append(f"{'.'.join(source)} -> {'.'.join((*parent, source[-1]))}")
    if yaml.safe_load(text) != restructure(data):
        raise YamlEditError("could not be rewritten without changing a value; edit it by hand")
    return text, changes


def _create(text: str, parent: tuple[str, ...], first_source: tuple[str, ...]) -> str:
    """`metadata:` goes right after `kind:`; `serving.container:` where `image` was."""
    if parent == ("metadata",):
        return insert_key(text, parent, after=("kind",))
    return insert_key(text, parent, before=first_source)


def migrate(root: Path) -> list[str]:
    path = root / MANIFEST
    if not path.is_file():
        return []
    try:
        new, changes = upgrade(path.read_text(encoding="utf-8"))
    except YamlEditError as error:
        raise MigrationError(
            f"{MANIFEST} {error}. Make it a valid {OLD} manifest (`tox -e deploy` on the old "
            f"version says what is wrong), or rewrite it to {NEW} by hand following "
            "docs/deploy.md, then update again"
        ) from error
    if not changes:
        return []
    write_atomically(path, new)
    return [f"{MANIFEST}: {change}" for change in changes] + [
        f"{MANIFEST}: values and comments kept; check it with `tox -e deploy`"
    ]


if __name__ == "__main__":
    run("1.1.0 deploy manifest v2", migrate)
