"""Every valid combination of options renders a project whose files are finished and valid.

Finished: no Jinja left in any file or file name. Valid: every YAML, TOML, JSON and
notebook parses, and ruff (the version the generated pre-commit pins) finds nothing to
format or fix, so a fresh project is green on its first lint.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from tests.support import (
    ALL_COMBOS,
    INVALID_OPTION_PAIRS,
    OPTION_VALUES,
    RUFF_CHECKS,
    TEMPLATE_DIR,
    Combo,
    project_files,
    ruff_findings,
    text_of,
    unparseable_files,
    unrendered_jinja,
)


def test_matrix_is_every_valid_combination() -> None:
    expected = 1
    for values in OPTION_VALUES.values():
        expected *= len(values)
    refused = 0
    for pair in INVALID_OPTION_PAIRS:
        refused_here = 1
        for question, values in OPTION_VALUES.items():
            refused_here *= 1 if question in pair else len(values)
        refused += refused_here
    assert len(ALL_COMBOS) == expected - refused
    assert len({combo.id for combo in ALL_COMBOS}) == len(ALL_COMBOS), "combination ids collide"


def test_combination_renders(rendered, combo: Combo) -> None:
    project = rendered(combo)
    assert (project / ".copier-answers.yml").is_file()


def test_no_unrendered_jinja_in_files_or_names(rendered, combo: Combo) -> None:
    project = rendered(combo)
    findings = []
    for path in project_files(project):
        relative = path.relative_to(project)
        if any(mark in str(relative) for mark in ("{{", "{%", "{#")) or path.suffix == ".jinja":
            findings.append(f"{relative}: unrendered file name")
        text = text_of(path)
        if text is None:
            continue
        findings.extend(f"{relative}:{n}: {line}" for n, line in unrendered_jinja(text))
    assert not findings, "Jinja left in the rendered project:\n" + "\n".join(findings)


def test_structured_files_parse(rendered, combo: Combo) -> None:
    broken = unparseable_files(rendered(combo))
    assert not broken, "rendered files do not parse:\n" + "\n".join(broken)


def test_ruff_here_is_the_version_generated_projects_pin() -> None:
    config = yaml.safe_load((TEMPLATE_DIR / ".pre-commit-config.yaml").read_text("utf-8"))
    pins = {
        dependency.split("==", 1)[1]
        for repo in config["repos"]
        for hook in repo["hooks"]
        for dependency in hook.get("additional_dependencies", [])
        if dependency.startswith("ruff==")
    }
    version = subprocess.run(
        [sys.executable, "-m", "ruff", "--version"], capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    assert pins == {version}, (
        f"the template's pre-commit pins ruff {sorted(pins)}, these tests run ruff {version}: "
        "pin the same version in pyproject.toml's dev group"
    )


@pytest.mark.parametrize("check", RUFF_CHECKS)
def test_ruff_finds_nothing_in_a_fresh_render(rendered, combo: Combo, check: str) -> None:
    findings = ruff_findings(rendered(combo), check)
    assert not findings, f"ruff {check} wants changes in a fresh render:\n{findings}"


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("name = {{ project_name }}", True),
        ("{% if serving_mode == 'rest' %}", True),
        ("{# note #}", True),
        ("run: echo ${{ github.sha }}", False),
        ("if: ${{ matrix.python == '3.12' }}", False),
        ('echo "${#ARRAY[@]}"', False),
        ("script: echo $CI_COMMIT_SHA ${CI_JOB_ID}", False),
        ("${{ github.ref }} then {{ leftover }}", True),
    ],
)
def test_jinja_detector_flags_delimiters_but_not_ci_expressions(text: str, flagged: bool) -> None:
    assert bool(unrendered_jinja(text)) is flagged
