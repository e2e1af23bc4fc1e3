"""Planted faults: break a generated project on purpose; the matching check must fail and say so.

A green `tox` proves little unless each check can also go red. Every fault here is a mistake a
team makes in real life; the test plants it in a fresh render (defaults), runs the one tox
environment that owns it, and requires a failure that names the file, the rule, and — for the
agreements between teams — the owning team's handle.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.planted.support import edit, leftovers, prepared_project, tox_with_fault
from tests.support import (
    RenderFn,
    read_answers,
    tail,
)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Fault:
    """One planted mistake, the tox call that must catch it, and what its message must say."""

    name: str
    plant: Callable[[Path], None]
    tox_args: tuple[str, ...]
    expected: tuple[str, ...]  # `{answer}` placeholders are filled from .copier-answers.yml


def _append(relpath: str, text: str) -> Callable[[Path], None]:
    def plant(project: Path) -> None:
        with (project / relpath).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return plant


def _notebook_with_output(project: Path) -> None:
    path = project / "notebooks/01-explore-churn.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    cell["execution_count"] = 1
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["C000042 churned\n"]}]
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")


def _sample_value(column: str, value: str) -> Callable[[Path], None]:
    """Replace `column` in the sample's first data row with `value`."""

    def plant(project: Path) -> None:
        path = project / "data/sample/customers.csv"
        header, first, *rest = path.read_text(encoding="utf-8").splitlines()
        cells = first.split(",")
        cells[header.split(",").index(column)] = value
        path.write_text("\n".join([header, ",".join(cells), *rest]) + "\n", encoding="utf-8")

    return plant


PACKAGE = "src/customer_churn_model"
FAULTS = [
    Fault(
        "notebook-with-outputs",
        _notebook_with_output,
        ("-e", "conventions"),
        (
            "NB001 notebooks/01-explore-churn.ipynb",
            "{team_data_science}",
            "docs/notebooks.md#nb001",
        ),
    ),
    Fault(
        "unused-variable",
        _append(f"{PACKAGE}/train.py", "\n\ndef _unused() -> None:\n    value = 1\n"),
        ("-e", "lint"),
        ("F841", f"{PACKAGE}/train.py"),
    ),
    Fault(
        "broken-yaml",
        _append("config/quality-gates.yaml", "gates: [unclosed\n"),
        ("-e", "lint"),
        ("YAML syntax", "Failed", "config/quality-gates.yaml"),
    ),
    Fault(
        "untyped-return",
        _append(f"{PACKAGE}/features.py", "\n\ndef leaky(value: int) -> str:\n    return value\n"),
        ("-e", "type"),
        (f"{PACKAGE}/features.py", "[return-value]"),
    ),
    Fault(
        "gate-the-model-cannot-meet",
        edit("config/quality-gates.yaml", "min: 0.72", "min: 0.99"),
        ("-e", "test", "--", "tests/model"),
        ("MOD001", "config/quality-gates.yaml", "roc_auc", "{team_data_science}"),
    ),
    Fault(
        "sample-value-that-does-not-parse",
        _sample_value("tenure_months", "twelve"),
        ("-e", "test", "--", "tests/data"),
        ("DC003", "customers.tenure_months", "{team_data_engineering}"),
    ),
    Fault(
        "codeowners-with-unknown-team",
        edit(".github/CODEOWNERS", "/deploy/ @acme/mlops", "/deploy/ @acme/someone-else"),
        ("-e", "conventions"),
        ("OWN003", "@acme/someone-else", "{team_platform}", "docs/ways-of-working.md#own003"),
    ),
    Fault(
        "managed-header-removed",
        edit("tox.toml", "# Managed by the ML platform template", "# Our own tox settings"),
        ("-e", "conventions"),
        ("OWN005", "tox.toml", "{team_platform}", "docs/ways-of-working.md#own005"),
    ),
]


@pytest.fixture(scope="module")
def green_project(
    render: RenderFn, python_path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """A committed default render whose tox environments exist and pass, reused per fault."""
    return prepared_project(
        render, python_path, tmp_path_factory, "planted", "lint,type,test,conventions"
    )


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.name)
def test_planted_fault_fails_its_check_with_a_clear_message(
    green_project: tuple[Path, str], fault: Fault, tmp_path: Path
) -> None:
    project, path = green_project
    answers = read_answers(project)
    # mypy keeps its cache per user, keyed by module name, and records each module's errors
    # there: every default project has the same modules, so a planted type error goes to a
    # cache of its own, never to the one the other projects' runs read at the same time.
    tox = tox_with_fault(
        project, path, fault.plant, *fault.tox_args, MYPY_CACHE_DIR=str(tmp_path / "mypy")
    )
    assert tox.returncode != 0, f"{fault.name}: tox {fault.tox_args} passed\n{tail(tox.output)}"
    expected = [text.format(**answers) for text in fault.expected]
    missing = [text for text in expected if text not in tox.output]
    assert not missing, f"{fault.name}: the failure does not say {missing}\n{tail(tox.output, 80)}"


def test_lint_leaves_the_security_rules_to_the_security_environment(
    green_project: tuple[Path, str],
) -> None:
    """A tox run runs each tool once: `shell=True` is SEC001's (`tox -e security`, planted in
    test_security_faults.py), so `tox -e lint` neither reports it nor fails on it."""
    project, path = green_project
    shell_true = _append(
        f"{PACKAGE}/train.py",
        "\n\ndef _run(command: str) -> None:\n"
        "    import subprocess\n\n"
        "    subprocess.run(command, shell=True, check=True)\n",
    )
    tox = tox_with_fault(project, path, shell_true, "-e", "lint")
    assert tox.returncode == 0, f"tox -e lint failed\n{tail(tox.output)}"
    assert "S602" not in tox.output, tail(tox.output)
    assert "bandit" not in tox.output.lower(), tail(tox.output)


def test_the_faults_left_the_project_as_committed(green_project: tuple[Path, str]) -> None:
    """Guards the fault tests themselves: each one restored the project it broke."""
    project, _ = green_project
    assert not leftovers(project), f"a planted fault leaked: {leftovers(project)}"
