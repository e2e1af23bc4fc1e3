"""The template repository's own CI passes the same judges as the generated projects'.

`.github/workflows/`: lint, the fast layers, the slow layers as their own job, a release
on `v*` tags that needs the tag's CHANGELOG entry (scripts/release_notes.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.ci_judges import actionlint, insecure_settings, schema_check, unpinned_uses, zizmor
from tests.support import TEMPLATE_ROOT

WORKFLOWS = sorted((TEMPLATE_ROOT / ".github" / "workflows").glob("*.yml"))


def _workflow(name: str) -> dict:
    return yaml.safe_load((TEMPLATE_ROOT / ".github" / "workflows" / name).read_text("utf-8"))


def test_own_workflows_pass_schema_actionlint_and_zizmor() -> None:
    assert [w.name for w in WORKFLOWS] == ["ci.yml", "release.yml"]
    for name, verdict in [
        ("check-jsonschema", schema_check("github-workflows", WORKFLOWS)),
        ("actionlint", actionlint(WORKFLOWS)),
        ("zizmor --offline", zizmor([TEMPLATE_ROOT / ".github"])),
    ]:
        assert verdict.passed, f"{name}:\n{verdict}"


def test_own_workflows_are_pinned_and_keep_the_secure_defaults() -> None:
    problems = [p for w in WORKFLOWS for p in unpinned_uses(w) + insecure_settings(w)]
    assert not problems, "\n".join(problems)


def test_ci_runs_lint_docs_fast_and_slow_tests_as_separate_jobs() -> None:
    jobs = _workflow("ci.yml")["jobs"]
    runs = {name: " ".join(s.get("run", "") for s in job["steps"]) for name, job in jobs.items()}
    assert "ruff check" in runs["lint"]
    assert "ruff format --check" in runs["lint"]
    assert 'pytest -m "not slow"' in runs["fast-tests"]
    assert "pytest -m slow" in runs["slow-tests"]
    assert "mkdocs build --strict" in runs["docs"]


def test_release_runs_on_version_tags_and_needs_the_changelog_entry() -> None:
    release = _workflow("release.yml")
    # PyYAML reads the key `on` as True (YAML 1.1).
    assert release[True] == {"push": {"tags": ["v*"]}}
    runs = [step.get("run", "") for step in release["jobs"]["release"]["steps"]]
    assert any("scripts/release_notes.py" in run for run in runs)
    assert any("gh release create" in run for run in runs)


CHANGELOG = """\
# Changelog

## Unreleased

- next

## v0.2.0 — 2026-02-01

### Conventions changed
- CI gains a conflict gate

## v0.1.0 — 2026-01-01

- first version
"""


@pytest.mark.parametrize(
    ("tag", "returncode", "expected"),
    [
        ("v0.2.0", 0, "CI gains a conflict gate"),
        ("v0.1.0", 0, "first version"),
        ("v0.3.0", 1, "has no entry for 'v0.3.0'"),
        ("0.2.0", 1, "release tags are vX.Y.Z"),
    ],
)
def test_release_notes_are_the_tags_changelog_entry(
    tmp_path: Path, tag: str, returncode: int, expected: str
) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(CHANGELOG, "utf-8")
    result = subprocess.run(
        [sys.executable, "scripts/release_notes.py", tag, "--changelog", str(changelog)],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == returncode, result.stderr
    assert expected in result.stdout + result.stderr
    if returncode == 0:
        assert "next" not in result.stdout, "the Unreleased section is not a release's notes"
        headings = [line for line in result.stdout.splitlines() if line.startswith("## ")]
        assert not headings, f"only this release's section, not {headings}"
