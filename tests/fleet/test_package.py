"""The fleet report as the platform team installs it: a wheel built from this repository,
in a fresh environment, judging a project with the platform kit's checks (no copied ones)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import TEMPLATE_ROOT

pytestmark = pytest.mark.slow


def _run(*args: str | Path) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_wheel_judges_with_the_kit_and_runs(tmp_path: Path) -> None:
    uv = (sys.executable, "-m", "uv")
    _run(*uv, "build", "--wheel", "--quiet", "--out-dir", tmp_path / "dist", TEMPLATE_ROOT)
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    venv = tmp_path / "venv"
    _run(*uv, "venv", "--quiet", "--python", sys.executable, venv)
    _run(*uv, "pip", "install", "--quiet", "--python", venv / "bin/python", f"{wheel}[fleet]")

    with zipfile.ZipFile(wheel) as contents:
        names = contents.namelist()
    assert "ml_platform_kit/schemas/waivers.schema.json" in names
    assert "ml_platform_kit/checks.yml" in names
    assert not [name for name in names if "template_tools" in name or name.startswith("tools/")]
    judged_by = _run(
        venv / "bin/python",
        "-c",
        "import platform_fleet.project as fleet, ml_platform_kit.drift as drift\n"
        "print(fleet.drift is drift, drift.__file__)",
    ).split()
    assert judged_by[0] == "True"
    assert "site-packages/ml_platform_kit/drift.py" in judged_by[1]

    project = tmp_path / "project"
    project.mkdir()
    (project / ".copier-answers.yml").write_text("_commit: v1.0.0\n", encoding="utf-8")
    (project / ".platform-managed.json").write_text(
        json.dumps({"files": [{"path": "tox.toml", "digest": "sha256:0"}]}), encoding="utf-8"
    )
    report = json.loads(_run(venv / "bin/ml-platform-fleet", project, "--format", "json"))
    (record,) = report["projects"]
    assert record["drift"]["failing"][0]["id"] == "UPD004"  # tox.toml is missing
    assert record["template"]["problem"] == (
        ".copier-answers.yml has no _src_path: the template source is unknown"
    )
