"""Planted drift: `ml-platform conventions` names each deviation, its file and its owner.

One committed default render with its `conventions` environment built. Each fault is
planted in the working tree, the check runs (the platform kit with this interpreter, which
has it installed, on a fixed day for the waivers; the real `tox -e conventions` runs on the
clean project), and the tree is restored, so the next fault starts from the clean project.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.planted.support import edit, leftovers, prepared_project, restore
from tests.support import RenderFn, read_answers, run_tox, tail

pytestmark = pytest.mark.slow

EDITED = ".pre-commit-config.yaml"
DELETED = ".dockerignore"
WAIVERS = "config/waivers.yaml"
AS_OF = "2026-11-30"  # waivers are judged on this day, whenever the test runs


def waiver(rule: str, path: str, expires: str, approver: str = "@acme/ml-platform") -> str:
    return (
        "waivers:\n"
        f"  - rule: {rule}\n"
        f"    path: {path}\n"
        "    reason: an extra hook until the template ships one\n"
        f'    approved_by: "{approver}"\n'
        f"    expires: {expires}\n"
    )


def write(relpath: str, text: str) -> Callable[[Path], None]:
    def plant(project: Path) -> None:
        (project / relpath).write_text(text, encoding="utf-8")

    return plant


def append_to_edited(project: Path) -> None:
    with (project / EDITED).open("a", encoding="utf-8") as handle:
        handle.write("# a hook of our own\n")


def delete_managed_file(project: Path) -> None:
    (project / DELETED).unlink()


def drop_deploy_rule(project: Path) -> None:
    """Turn CODEOWNERS' `/deploy/` rule into a rule for a directory that does not exist."""
    provider = read_answers(project)["ci_provider"]
    edit(
        ".github/CODEOWNERS" if provider == "github" else "CODEOWNERS",
        "\n/deploy/ ",
        "\n/deployment/ ",
    )(project)


def notebook_with_output(project: Path) -> None:
    path = project / "notebooks" / "01-explore-churn.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    code[0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["0.72\n"]}]
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def project(
    render: RenderFn, python_path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """A committed default render with its `conventions` environment built."""
    return prepared_project(render, python_path, tmp_path_factory, "drift", "conventions")


def conventions(root: Path) -> subprocess.CompletedProcess[str]:
    command = ["-m", "ml_platform_kit.cli", "--root", str(root), "conventions", "--as-of", AS_OF]
    return subprocess.run(
        [sys.executable, *command], capture_output=True, text=True, check=False, timeout=300
    )


def planted(root: Path, *plants: Callable[[Path], None]) -> subprocess.CompletedProcess[str]:
    try:
        for plant in plants:
            plant(root)
        return conventions(root)
    finally:
        restore(root)
        assert not leftovers(root), leftovers(root)


def test_clean_project_passes_tox_conventions(project: tuple[Path, str]) -> None:
    root, path = project
    tox = run_tox(root, path, "-e", "conventions")
    assert tox.returncode == 0, f"tox -e conventions fails a clean render\n{tail(tox.output)}"
    for group in ("UPD004, UPD005:", "UPD006, UPD007:", "OWN001-OWN006:", "NB001:"):
        assert group in tox.output, tail(tox.output)


@pytest.mark.parametrize(
    ("plants", "code", "where", "answer", "also"),
    [
        ((delete_managed_file,), "UPD004", DELETED, "team_platform", "never updates"),
        ((append_to_edited,), "UPD005", EDITED, "team_platform", "edited by hand"),
        (
            (edit("pyproject.toml", "line-length = 100", "line-length = 140"),),
            "UPD005",
            "pyproject.toml",
            "team_platform",
            "it differs from `[build-system]` on",
        ),
        (
            (append_to_edited, write(WAIVERS, waiver("UPD005", EDITED, "2020-01-31"))),
            "UPD006",
            f"{WAIVERS}:2",
            "team_platform",
            "expired on 2020-01-31",
        ),
        (
            (write(WAIVERS, waiver("UPD099", EDITED, "2099-02-30").replace("    reason", "#")),),
            "UPD007",
            f"{WAIVERS}:2",
            "team_platform",
            "missing field 'reason'; rule 'UPD099' is not a check ID",
        ),
        (
            (drop_deploy_rule,),
            "OWN006",
            "deploy/",
            "team_platform",
            "{codeowners} covers deploy/ (only the `*` fallback), so changes to it need no "
            "approval from MLOps ({team_mlops})",
        ),
        (
            (notebook_with_output,),
            "NB001",
            "notebooks/01-explore-churn.ipynb",
            "team_data_science",
            "cell 2 has 1 output(s) (stream)",
        ),
    ],
    ids=[
        "deleted",
        "edited",
        "tool-setting",
        "expired-waiver",
        "malformed-waiver",
        "codeowners-gap",
        "notebook",
    ],
)
def test_planted_deviation_fails_naming_file_and_owner(
    project: tuple[Path, str],
    plants: tuple[Callable[[Path], None], ...],
    code: str,
    where: str,
    answer: str,
    also: str,
) -> None:
    root, _ = project
    answers = read_answers(root)
    codeowners = ".github/CODEOWNERS" if answers["ci_provider"] == "github" else "CODEOWNERS"
    fill = {"codeowners": codeowners, **{k: str(v) for k, v in answers.items()}}
    result = planted(root, *plants)
    output = result.stdout + result.stderr
    assert result.returncode == 1, f"{code} not caught\n{output}"
    lines = [line for line in output.splitlines() if line.startswith(f"{code} {where}")]
    assert lines, f"no {code} line for {where}\n{output}"
    assert f"owner: {answers[answer]} ·" in lines[0], lines[0]
    assert also.format(**fill) in lines[0], lines[0]
    assert f"#{code.lower()}" in lines[0], lines[0]
    assert "Traceback" not in output, output


def test_a_valid_waiver_lets_the_edit_pass_and_lists_it(project: tuple[Path, str]) -> None:
    root, _ = project
    result = planted(root, append_to_edited, write(WAIVERS, waiver("UPD005", EDITED, "2099-12-31")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"waived: UPD005 {EDITED} by UPD005 {EDITED}:" in result.stdout, result.stdout
    assert "approved by @acme/ml-platform, until 2099-12-31" in result.stdout, result.stdout


def test_a_dependency_the_team_adds_to_pyproject_is_no_drift(project: tuple[Path, str]) -> None:
    """pyproject.toml's dependencies are the team's; only the tool settings are checked."""
    root, _ = project
    result = planted(
        root, edit("pyproject.toml", "dependencies = [\n", 'dependencies = [\n  "rich>=13",\n')
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_project_passes_again_after_the_faults(project: tuple[Path, str]) -> None:
    root, _ = project
    result = conventions(root)
    assert result.returncode == 0, f"a planted fault survived the restore\n{result.stdout}"
