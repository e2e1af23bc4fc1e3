"""UPD004/UPD005: platform-managed files are as the template renders them.

``.platform-managed.json`` records, for each platform-managed file, the sha256 of what the
template renders for it with this project's answers (Copier writes it, and rewrites it on
every ``copier update``). A managed file that is missing is UPD004: Copier never updates a
deleted file again, so the project would silently stop receiving the template's changes.
A managed file whose digest differs was edited by hand, UPD005 (for a file whose first
lines are the team's, such as pyproject.toml's dependencies, the record says from which
line on the platform's part starts, and only that part counts): the next update conflicts
with the edit, and the convention it carries no longer holds as documented.

:func:`drift` reads only the project it is given, so the fleet report calls it per project.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .finding import Finding
from .project import Project

RECORD = ".platform-managed.json"
RESTORE = (
    "restore the template's content (`git checkout <last good commit> -- {path}`, or "
    "`copier recopy --trust --defaults` and keep only this file: "
    "`git add {path} && git restore .`), "
    "propose the change to the template, or ask the platform team for a waiver "
    "(docs/ci.md#how-to-ask-for-a-waiver)"
)


class RecordError(ValueError):
    """``.platform-managed.json`` is missing or not what Copier writes."""


def read_record(project: Project) -> dict[str, Any]:
    """The record Copier rendered: ``files`` (path, header, from, digest) and ``ownership``."""
    try:
        record = json.loads((project.root / RECORD).read_text(encoding="utf-8"))
    except OSError as missing:
        raise RecordError(f"missing ({missing.strerror})") from None
    except ValueError as broken:
        raise RecordError(f"not valid JSON ({broken})") from None
    if not isinstance(record, dict) or not isinstance(record.get("files"), list):
        raise RecordError("has no `files` list")
    if not all(
        isinstance(entry, dict) and {"path", "digest"} <= entry.keys() for entry in record["files"]
    ):
        raise RecordError("has a `files` entry without `path` and `digest`")
    return record


def digest_of(path: Path, start: str = "") -> str:
    """The digest as the record writes it, ``sha256:<hex>``, of the whole file or, with
    ``start``, of the platform's part: from the first line that begins with ``start`` on."""
    data = path.read_bytes()
    if start:
        found = data.find(b"\n" + start.encode("utf-8"))
        if found < 0:
            return "sha256:(no line starts with " + start + ")"
        data = data[found + 1 :]
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _deleted(project: Project, relpath: str) -> Finding:
    problem = (
        "platform-managed file deleted; Copier never updates a deleted file again, so "
        "the project stops receiving the template's changes to it; " + RESTORE.format(path=relpath)
    )
    return project.finding("UPD004", relpath, problem)


def _edited(project: Project, relpath: str, start: str) -> Finding:
    part = f"from `{start}` on " if start else ""
    problem = (
        f"platform-managed file edited by hand (it differs {part}from what the "
        "template renders); the next copier update conflicts with the edit; "
        + RESTORE.format(path=relpath)
    )
    return project.finding("UPD005", relpath, problem)


def drift(project: Project) -> list[Finding]:
    """One finding per platform-managed file that is missing (UPD004) or edited (UPD005)."""
    try:
        record = read_record(project)
    except RecordError as error:
        problem = (
            f"the record of platform-managed files is {error}, so drift cannot be checked; "
            + RESTORE.format(path=RECORD)
        )
        return [project.finding("UPD004", RECORD, problem)]
    findings = []
    for entry in record["files"]:
        relpath, start = str(entry["path"]), str(entry.get("from") or "")
        path = project.root / relpath
        if not path.is_file():
            findings.append(_deleted(project, relpath))
        elif digest_of(path, start) != entry["digest"]:
            findings.append(_edited(project, relpath, start))
    return findings
