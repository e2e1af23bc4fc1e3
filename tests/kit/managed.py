"""Small platform-managed projects for the conventions' unit tests: files written into the
`project` fixture and the `.platform-managed.json` record Copier would write for them."""

from __future__ import annotations

import json
from pathlib import Path

from ml_platform_kit.drift import RECORD, digest_of
from ml_platform_kit.project import Project

HEADER = "# Managed by the ML platform template (tests): edit through the template.\n"
# The ownership table as the fixture's CODEOWNERS renders it (copier.yml's `ownership`).
OWNERSHIP = [
    ("*", "Platform", "@acme/ml-platform"),
    ("/contracts/", "Data engineering", "@acme/data-engineering"),
    ("/data/", "Data engineering", "@acme/data-engineering"),
    ("/src/", "Data science", "@acme/data-science"),
    ("/deploy/", "MLOps", "@acme/mlops"),
    ("/Dockerfile", "MLOps", "@acme/mlops"),
]


def write(project: Project, relpath: str, text: str) -> Path:
    path = project.root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def record(project: Project, *files: str, start: dict[str, str] | None = None) -> Project:
    """Record `files` as platform-managed, as they are now (each with the header flag set);
    `start` gives the line a file's platform part starts with. A fresh Project is returned,
    so nothing read before the record was written is kept."""
    start = start or {}
    entries = [
        {
            "path": relpath,
            "header": True,
            "from": start.get(relpath, ""),
            "digest": digest_of(project.root / relpath, start.get(relpath, "")),
        }
        for relpath in files
    ]
    ownership = [{"path": p, "team": team, "handle": h} for p, team, h in OWNERSHIP]
    document = {"description": "test record", "files": entries, "ownership": ownership}
    (project.root / RECORD).write_text(json.dumps(document, indent=2), encoding="utf-8")
    return Project(project.root)


def managed(project: Project) -> Project:
    """The fixture with two platform-managed files, as the template renders them."""
    write(project, "tox.toml", HEADER + "[env.test]\n")
    write(project, "docs/ci.md", "<!-- " + HEADER.strip("# \n") + " -->\n# CI\n")
    return record(project, "tox.toml", "docs/ci.md")
