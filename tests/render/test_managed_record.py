"""The record of platform-managed files is exact, complete, and a clean render has no drift.

`.platform-managed.json` holds, for each file of `managed_files` (copier.yml), the sha256 of
what the template renders for it through `{% include %}`; `tox -e conventions` compares the
project's files with it. These tests hold the record to what Copier actually wrote, on
every combination, and run the drift tool on a fresh render, as a project would.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

from tests.support import (
    COPIER_CONFIG,
    DEFAULT_COMBO,
    TEMPLATE_ROOT,
    Combo,
    git_init_commit,
    project_files,
    run_kit,
    text_of,
)

RECORD = ".platform-managed.json"
HEADER = "Managed by the ML platform template"


def digest(data: bytes, start: str) -> str:
    """sha256 of the file, or of its part from the first line that begins with `start`."""
    if start:
        assert b"\n" + start.encode() in data, f"no line starts with {start}"
        data = data[data.index(b"\n" + start.encode()) + 1 :]
    return "sha256:" + hashlib.sha256(data).hexdigest()


def record_of(project: Path) -> dict[str, Any]:
    loaded = json.loads((project / RECORD).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), f"{RECORD} is a JSON object"
    return loaded


def test_every_recorded_digest_is_the_file_copier_wrote(rendered, combo: Combo) -> None:
    project = rendered(combo)
    entries = record_of(project)["files"]
    assert len(entries) > 20, f"{RECORD} lists the platform-managed files: {entries}"
    wrong = []
    for entry in entries:
        path = project / entry["path"]
        if not path.is_file():
            wrong.append(f"{entry['path']}: not rendered")
        elif digest(path.read_bytes(), entry["from"]) != entry["digest"]:
            wrong.append(f"{entry['path']}: digest differs from the file Copier wrote")
    assert not wrong, "\n".join(wrong)


def test_managed_files_name_template_files_that_exist() -> None:
    """Each template path of `managed_files` in copier.yml, conditional names as spelled."""
    default = COPIER_CONFIG["managed_files"]["default"]
    named = [n for n in re.findall(r'"(template/[^"]+)"', default) if not n.endswith("}")]
    named += [
        "template/{% if ci_provider == 'github' %}.github{% endif %}" + suffix
        for suffix in re.findall(r'github ~ "([^"]+)"', default)
    ]
    assert len(named) > 25, named
    missing = [name for name in named if not (TEMPLATE_ROOT / name).is_file()]
    assert not missing, f"managed_files names template files that do not exist: {missing}"


def test_header_flags_say_which_managed_files_carry_the_header(rendered, combo: Combo) -> None:
    project = rendered(combo)
    wrong = [
        f"{entry['path']}: header recorded as {entry['header']}"
        for entry in record_of(project)["files"]
        if entry["header"]
        != any(
            HEADER in line for line in (project / entry["path"]).read_text("utf-8").splitlines()[:3]
        )
    ]
    assert not wrong, "\n".join(wrong)


def test_every_file_that_says_it_is_managed_is_in_the_record(rendered, combo: Combo) -> None:
    project = rendered(combo)
    recorded = {entry["path"] for entry in record_of(project)["files"]}
    claiming = {
        path.relative_to(project).as_posix()
        for path in project_files(project)
        if (text := text_of(path)) is not None
        and any(HEADER in line for line in text.splitlines()[:3])
    } - {RECORD}
    assert claiming <= recorded, (
        f"managed files missing from {RECORD}: {sorted(claiming - recorded)}"
    )


def test_the_record_holds_no_team_owned_or_copier_owned_file(rendered, combo: Combo) -> None:
    recorded = {entry["path"] for entry in record_of(rendered(combo))["files"]}
    never = {
        ".copier-answers.yml",
        "config/waivers.yaml",
        "config/quality-gates.yaml",
        "deploy/manifest.yaml",
        "docs/model-card.md",
        "README.md",
        *COPIER_CONFIG["_skip_if_exists"],
    }
    team_dirs = ("src/", "notebooks/", "data/", "tests/unit/", "tests/data/", "tests/model/")
    wrongly = sorted(p for p in recorded if p in never or p.startswith(team_dirs))
    assert not wrongly, f"not platform-managed, but in {RECORD}: {wrongly}"
    assert not any(p.startswith("contracts/") and "/schema/" not in p for p in recorded)


def test_ownership_in_the_record_is_the_codeowners_table(rendered, combo: Combo) -> None:
    project = rendered(combo)
    rows = record_of(project)["ownership"]
    codeowners = project / (".github/CODEOWNERS" if combo.ci_provider == "github" else "CODEOWNERS")
    lines = codeowners.read_text(encoding="utf-8").splitlines()
    for row in rows:
        assert f"{row['path']} {row['handle']}" in lines, f"{row} not in {codeowners.name}"
    assert {
        "path": "/config/waivers.yaml",
        "team": "Platform",
        "handle": "@acme/ml-platform",
    } in rows


def test_a_clean_render_has_no_drift(rendered, tmp_path: Path) -> None:
    for combo in (DEFAULT_COMBO, Combo("3.11", "gitlab", "batch", "kubernetes")):
        project = shutil.copytree(rendered(combo), tmp_path / combo.id)
        git_init_commit(project)
        result = run_kit(project, "--format", "json", "conventions")
        assert result.returncode == 0, f"{combo}: {result.stdout}{result.stderr}"
        assert json.loads(result.stdout)["findings"] == [], result.stdout


def test_drift_names_each_changed_managed_file_and_its_owner(rendered, tmp_path: Path) -> None:
    """What the fleet report and `tox -e conventions` read: the kit's JSON, one finding per
    edited (UPD005) or deleted (UPD004) managed file, each with the team that owns it."""
    project = shutil.copytree(rendered(DEFAULT_COMBO), tmp_path / "project")
    git_init_commit(project)
    (project / "tox.toml").write_text("# edited\n", encoding="utf-8")
    (project / "docs/security.md").unlink()
    result = run_kit(project, "--format", "json", "conventions")
    assert result.returncode == 1, result.stdout + result.stderr
    found = [
        [f["code"], f["path"], f["owner"]]
        for f in json.loads(result.stdout)["findings"]
        if f["code"] in {"UPD004", "UPD005"}
    ]
    assert sorted(found) == [
        ["UPD004", "docs/security.md", "@acme/ml-platform"],
        ["UPD005", "tox.toml", "@acme/ml-platform"],
    ], result.stdout
