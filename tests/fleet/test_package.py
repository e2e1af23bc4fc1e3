"""The fleet report as the platform team installs it: a wheel built from this repository,
in a fresh environment, judging a project with the template's own check modules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import TEMPLATE_ROOT

pytestmark = pytest.mark.slow


def _run(*args: str | Path) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_wheel_carries_the_projects_check_modules_and_runs(tmp_path: Path) -> None:
    uv = (sys.executable, "-m", "uv")
    _run(*uv, "build", "--wheel", "--quiet", "--out-dir", tmp_path / "dist", TEMPLATE_ROOT)
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    venv = tmp_path / "venv"
    _run(*uv, "venv", "--quiet", "--python", sys.executable, venv)
    _run(*uv, "pip", "install", "--quiet", "--python", venv / "bin/python", wheel)

    packaged = _run(
        venv / "bin/python",
        "-c",
        "import platform_fleet.project_tools as tools, drift\n"
        "print(tools.TOOLS_DIR, drift.__file__)",
    ).split()
    assert packaged[0].endswith("site-packages/platform_fleet/template_tools")
    assert (
        Path(packaged[1]).read_bytes() == (TEMPLATE_ROOT / "template/tools/drift.py").read_bytes()
    )

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
