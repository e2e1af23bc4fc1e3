"""`ml-platform`: one command line for every family, text or JSON, and a usage error for a
project that is not there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ml_platform_kit import cli
from ml_platform_kit.project import Project
from ml_platform_kit.registry import checks


def test_a_missing_project_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--root", str(tmp_path / "nowhere"), "conventions"])
    assert stopped.value.code == 2
    assert "nowhere: no such directory (the project to check)" in capsys.readouterr().err


def test_checks_lists_the_registry_as_json(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--root", str(project.root), "--format", "json", "checks"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [line.split()[0] for line in listed["passed"]] == list(checks())
    assert listed["ok"] is True


def test_a_finding_prints_as_one_line_or_as_json(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.root / "Dockerfile.rej").write_text("hunk\n", encoding="utf-8")
    assert cli.main(["--root", str(project.root), "conflicts"]) == 1
    line, summary = capsys.readouterr().out.splitlines()
    assert line.startswith("UPD002 Dockerfile.rej: ")
    assert line.endswith(" · owner: @acme/mlops · docs/ci.md#upd002")
    assert summary == "1 finding(s): fix each as its line says (docs/ci.md)"
    assert cli.main(["--root", str(project.root), "--format", "json", "conflicts"]) == 1
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert finding | {"problem": ""} == {
        "code": "UPD002",
        "where": "Dockerfile.rej",
        "path": "Dockerfile.rej",
        "problem": "",
        "agreement": "template updates",
        "owner": "@acme/mlops",
        "docs": "docs/ci.md#upd002",
    }
