"""The conflict gate (UPD001, UPD002) on small projects: each marker line and each `.rej`
file is named with the team owning its file, even when CODEOWNERS and the answers hold a
conflict themselves; `ml-platform conflicts` exits 1 on a leftover and 0 on a clean tree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ml_platform_kit.cli import main
from ml_platform_kit.conflicts import CLEAN, leftovers
from ml_platform_kit.project import Project
from tests.kit.managed import write

START, SEPARATOR, END = "<" * 7 + " before updating", "=" * 7, ">" * 7 + " after updating"


def conflict(ours: str, theirs: str) -> str:
    return f"{START}\n{ours}\n{SEPARATOR}\n{theirs}\n{END}\n"


@pytest.mark.check("UPD001", "fails")
def test_each_marker_line_is_named_with_the_owner_of_its_file(project: Project) -> None:
    write(project, "contracts/customers.odcs.yaml", "version: 1\n" + conflict("a: 1", "a: 2"))
    found = leftovers(project)
    assert [(f.code, f.where) for f in found] == [
        ("UPD001", "contracts/customers.odcs.yaml:2"),
        ("UPD001", "contracts/customers.odcs.yaml:6"),
    ]
    assert {f.owner for f in found} == {"@acme/data-engineering"}
    assert "merge-conflict marker '<<<<<<<' left by copier update" in found[0].problem
    assert found[0].docs == "docs/ci.md#upd001"


@pytest.mark.check("UPD001", "passes")
def test_a_markdown_underline_and_a_clean_tree_pass(project: Project) -> None:
    write(project, "README.md", "Title\n=======\n\nText with <<<<<<< inside a line.\n")
    assert leftovers(project) == []
    assert main(["--root", str(project.root), "conflicts"]) == 0


@pytest.mark.check("UPD002", "fails")
def test_a_rej_file_belongs_to_the_team_owning_the_file_it_patches(project: Project) -> None:
    write(project, "Dockerfile.rej", "@@ -1 +1 @@\n-FROM a\n+FROM b\n")
    (found,) = leftovers(project)
    assert (found.code, found.where, found.owner) == ("UPD002", "Dockerfile.rej", "@acme/mlops")
    assert "merge them into Dockerfile by hand, then delete this file" in found.problem


@pytest.mark.check("UPD002", "passes")
def test_no_rej_file_passes(project: Project) -> None:
    write(project, "Dockerfile", "FROM python:3.12-slim\n")
    write(project, "notes/reject.txt", "rejected ideas\n")
    assert leftovers(project) == []


def test_owners_are_read_as_before_the_update(project: Project) -> None:
    """CODEOWNERS and the answers in force until their own conflicts are resolved are the
    first side of each conflict."""
    codeowners = project.root / ".github/CODEOWNERS"
    codeowners.write_text(
        codeowners.read_text("utf-8").replace(
            "/contracts/ @acme/data-engineering\n",
            conflict("/contracts/ @acme/data-engineering", "/contracts/ @acme/newcomers"),
        ),
        "utf-8",
    )
    answers = project.root / ".copier-answers.yml"
    answers.write_text(
        answers.read_text("utf-8").replace(
            "team_platform: '@acme/ml-platform'\n",
            conflict("team_platform: '@acme/ml-platform'", "team_platform: '@acme/other'"),
        ),
        "utf-8",
    )
    write(project, "contracts/customers.odcs.yaml", conflict("a: 1", "a: 2"))
    owners = {(f.path, f.owner) for f in leftovers(project)}
    assert owners == {
        (".github/CODEOWNERS", "@acme/ml-platform"),
        (".copier-answers.yml", "@acme/ml-platform"),
        ("contracts/customers.odcs.yaml", "@acme/data-engineering"),
    }


def test_only_what_git_would_commit_is_read(project: Project) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=project.root, check=True)
    write(project, ".gitignore", "build/\n")
    write(project, "build/generated.txt", conflict("a", "b"))
    write(project, "image.bin", "\0" + conflict("a", "b"))  # binary: not merged by copier
    write(project, "notes.txt", START + "\n")
    assert [f.where for f in leftovers(Project(project.root))] == ["notes.txt:1"]


def test_the_command_prints_one_line_per_leftover_and_exits_1(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, "tox.toml", conflict("[env.a]", "[env.b]"))
    write(project, "tox.toml.rej", "@@ -1 +1 @@\n")
    assert main(["--root", str(project.root), "conflicts"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "UPD001 tox.toml:1: merge-conflict marker '<<<<<<<' left by copier update; resolve the "
        "conflict and remove the markers · agreement: template updates · owner: "
        "@acme/ml-platform · docs/ci.md#upd001"
    )
    assert [line.split(":")[0] for line in lines[:3]] == [
        "UPD001 tox.toml",
        "UPD001 tox.toml",
        "UPD002 tox.toml.rej",
    ]
    assert CLEAN not in lines


def test_the_command_speaks_json(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "tox.toml.rej", "@@ -1 +1 @@\n")
    assert main(["--root", str(project.root), "--format", "json", "conflicts"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert [(f["code"], f["where"], f["owner"]) for f in report["findings"]] == [
        ("UPD002", "tox.toml.rej", "@acme/ml-platform")
    ]


def test_the_gate_imports_no_pandas(tmp_path: Path) -> None:
    """It must run when a conflict has broken every file the project's tools read, with
    the kit's base dependencies only."""
    code = (
        "import sys; from ml_platform_kit.cli import main; main(['--root', sys.argv[1], "
        "'conflicts']); assert 'pandas' not in sys.modules, 'pandas was imported'"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert CLEAN in done.stdout
