# Managed by the ML platform template (updates and drift convention): edit through the template.
"""UPD004/UPD005: platform-managed files are as the template renders them.

`.platform-managed.json` records, for each platform-managed file, the sha256 of what the
template renders for it with this project's answers (Copier writes it, and rewrites it on
every `copier update`). A managed file that is missing is UPD004: Copier never updates a
deleted file again, so the project would silently stop receiving the template's changes.
A managed file whose digest differs was edited by hand, UPD005 (for a file whose
first lines are the team's, such as pyproject.toml's dependencies, the record says from
which line on the platform's part starts, and only that part counts): the next update conflicts
with the edit, and the convention it carries no longer holds as documented.

`drift(project_root)` returns the findings; it reads only the project it is given, so a
program that checks many projects can import this module by path and call it per project.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ownership import Finding, read_owners

RECORD = ".platform-managed.json"
AGREEMENT = "platform-managed files"
RESTORE = (
    "restore the template's content (`git checkout <last good commit> -- {path}`, or "
    "`copier recopy --trust --defaults` and keep only this file: "
    "`git add {path} && git restore .`), "
    "propose the change to the template, or ask the platform team for a waiver "
    "(docs/ci.md#how-to-ask-for-a-waiver)"
)


class RecordError(ValueError):
    """`.platform-managed.json` is missing or not what Copier writes."""


def read_record(root: Path) -> dict[str, Any]:
    """The record Copier rendered: `files` (path, header, digest) and `ownership`."""
    try:
        record = json.loads((root / RECORD).read_text(encoding="utf-8"))
    except OSError as missing:
        raise RecordError(f"missing ({missing.strerror})") from None
    except ValueError as broken:
        raise RecordError(f"not valid JSON ({broken})") from None
    if not isinstance(record, dict) or not isinstance(record.get("files"), list):
        raise RecordError("has no `files` list")
    return record


def digest_of(path: Path, start: str = "") -> str:
    """The digest as the record writes it, `sha256:<hex>`, of the whole file or, with
    `start`, of the platform's part: from the first line that begins with `start` on."""
    data = path.read_bytes()
    if start:
        found = data.find(b"\n" + start.encode("utf-8"))
        if found < 0:
            return "sha256:(no line starts with " + start + ")"
        data = data[found + 1 :]
    return "sha256:" + hashlib.sha256(data).hexdigest()


def drift(project_root: Path) -> list[Finding]:
    """One finding per platform-managed file that is missing (UPD004) or edited (UPD005)."""
    root = Path(project_root)
    owners = read_owners(root)
    try:
        record = read_record(root)
    except RecordError as error:
        return [
            Finding(
                "UPD004",
                RECORD,
                f"the record of platform-managed files is {error}, so drift cannot be checked; "
                + RESTORE.format(path=RECORD),
                AGREEMENT,
                owners.of(RECORD),
                "docs/ci.md#upd004",
            )
        ]
    findings = []
    for entry in record["files"]:
        relpath = str(entry["path"])
        path = root / relpath
        if not path.is_file():
            problem = (
                "platform-managed file deleted; Copier never updates a deleted file again, so "
                "the project stops receiving the template's changes to it; "
                + RESTORE.format(path=relpath)
            )
            findings.append(
                Finding(
                    "UPD004", relpath, problem, AGREEMENT, owners.of(relpath), "docs/ci.md#upd004"
                )
            )
        elif digest_of(path, str(entry.get("from") or "")) != entry["digest"]:
            part = f"from `{entry['from']}` on " if entry.get("from") else ""
            problem = (
                f"platform-managed file edited by hand (it differs {part}from what the "
                "template renders); the next copier update conflicts with the edit; "
                + RESTORE.format(path=relpath)
            )
            findings.append(
                Finding(
                    "UPD005", relpath, problem, AGREEMENT, owners.of(relpath), "docs/ci.md#upd005"
                )
            )
    return findings
