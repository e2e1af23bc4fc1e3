"""The template repository's own CI passes the same judges as the generated projects'.

`.github/workflows/`: lint, the fast layers, the slow layers as their own job, a release
on `v*` tags that needs the tag's CHANGELOG entry (scripts/release_notes.py), and the weekly
fleet report, whose steps are run here with the real report to show the verdict it keeps.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from tests.ci_judges import (
    PINNED_USES,
    actionlint,
    insecure_settings,
    schema_check,
    unpinned_uses,
    zizmor,
)
from tests.support import TEMPLATE_ROOT

WORKFLOWS = sorted((TEMPLATE_ROOT / ".github" / "workflows").glob("*.yml"))


def _workflow(name: str) -> dict:
    return yaml.safe_load((TEMPLATE_ROOT / ".github" / "workflows" / name).read_text("utf-8"))


def test_own_workflows_pass_schema_actionlint_and_zizmor() -> None:
    assert [w.name for w in WORKFLOWS] == ["ci.yml", "fleet-report.yml", "release.yml"]
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


RELEASE_WRITES = {"contents": "write", "id-token": "write", "attestations": "write"}
# The attested files: the tag's source archive and the fleet report's wheel.
ATTESTED = ["dist/*.tar.gz", "dist/*.whl"]


def _release_job() -> dict:
    return _workflow("release.yml")["jobs"]["release"]


def test_release_attests_what_the_tag_builds_and_attaches_it() -> None:
    job = _release_job()
    assert job["permissions"] == RELEASE_WRITES, "only what the release and its attestation need"
    steps = job["steps"]
    [attest] = [
        s for s in steps if s.get("uses", "").startswith("actions/attest-build-provenance@")
    ]
    assert attest["with"]["subject-path"].split() == ATTESTED, "what the build step makes"
    [setup_uv] = [s for s in steps if s.get("uses", "").startswith("astral-sh/setup-uv@")]
    assert setup_uv["with"]["enable-cache"] is False, "a release builds without caches"
    build = steps.index(_named_step("source archive"))
    assert build < steps.index(attest) < len(steps) - 1, "build, attest, then release"
    assert 'gh release create "$TAG" dist/*' in steps[-1]["run"], "the files go with the release"
    for name, other in {
        **_workflow("ci.yml")["jobs"],
        **_workflow("fleet-report.yml")["jobs"],
    }.items():
        writes = {k for k, v in other.get("permissions", {}).items() if v == "write"}
        assert not writes, f"{name} writes {writes}: only the release job may"


def _named_step(text: str) -> dict:
    [step] = [s for s in _release_job()["steps"] if text in s.get("name", "")]
    return step


def test_release_build_step_makes_the_source_archive_and_the_versioned_wheel(
    tmp_path: Path,
) -> None:
    """The step's own script, run as GitHub runs it, in a clone of this repository's HEAD."""
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(TEMPLATE_ROOT), str(clone)], check=True
    )
    path = os.pathsep.join([sysconfig.get_path("scripts"), os.environ["PATH"]])
    env = {**os.environ, "PATH": path, "TAG": "v9.8.7"}
    env.pop("VIRTUAL_ENV", None)
    step = _named_step("source archive")["run"]
    refused = _bash(step, clone, env)  # the kit's version is not the tag's yet
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "::error file=includes/platform-kit.yml::tag v9.8.7" in refused.stdout
    version_file = clone / "includes/platform-kit.yml"
    text = version_file.read_text(encoding="utf-8")
    version_file.write_text(re.sub(r'default: "[^"]+"', 'default: "9.8.7"', text), "utf-8")
    ran = _bash(step, clone, env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    archive, wheel = (
        "ml-platform-template-9.8.7.tar.gz",
        "ml_platform_kit-9.8.7-py3-none-any.whl",
    )
    attested = sorted(p.name for pattern in ATTESTED for p in clone.glob(pattern))
    assert attested == [archive, wheel], sorted(p.name for p in (clone / "dist").iterdir())
    listed = subprocess.run(
        ["tar", "-tzf", str(clone / "dist" / archive)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "ml-platform-template-9.8.7/copier.yml" in listed, "the tag's tree, under one folder"


@pytest.mark.parametrize(
    ("fault", "old", "new", "audit"),
    [
        ("write-all", "\npermissions: {}\n", "\npermissions: write-all\n", "excessive-permissions"),
        (
            "tag-pinned attestation",
            "actions/attest-build-provenance@a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32 # v4.1.0",
            "actions/attest-build-provenance@v4.1.0",
            "unpinned-uses",
        ),
    ],
)
def test_judges_catch_a_planted_fault_in_the_own_release(
    tmp_path: Path, fault: str, old: str, new: str, audit: str
) -> None:
    target = tmp_path / ".github" / "workflows" / "release.yml"
    target.parent.mkdir(parents=True)
    text = (TEMPLATE_ROOT / ".github" / "workflows" / "release.yml").read_text("utf-8")
    assert text.count(old) == 1, f"cannot plant {fault}"
    target.write_text(text.replace(old, new), "utf-8")
    verdict = zizmor([tmp_path / ".github"])
    assert not verdict.passed, f"zizmor passed the own release with {fault}"
    assert audit in verdict.output, f"zizmor did not name {audit}:\n{verdict}"
    assert unpinned_uses(target) + insecure_settings(target), f"the data checks passed {fault}"


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


FLEET_WORKFLOW = TEMPLATE_ROOT / ".github" / "workflows" / "fleet-report.yml"
REPORTS = ("fleet-report.html", "fleet-report.json")


def _fleet_steps() -> list[dict]:
    return _workflow("fleet-report.yml")["jobs"]["report"]["steps"]


def _step(predicate_text: str) -> tuple[int, dict]:
    """The fleet job's step whose `uses`, `id` or `name` contains `predicate_text`."""
    found = [
        (index, step)
        for index, step in enumerate(_fleet_steps())
        if any(predicate_text in str(step.get(key, "")) for key in ("uses", "id", "name"))
    ]
    assert len(found) == 1, f"fleet-report.yml: one step for {predicate_text!r}, found {found}"
    return found[0]


def test_fleet_report_runs_weekly_and_on_demand() -> None:
    triggers = _workflow("fleet-report.yml")[True]
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    [schedule] = triggers["schedule"]
    minute, hour, day_of_month, month, day_of_week = schedule["cron"].split()
    assert (day_of_month, month) == ("*", "*"), schedule
    assert re.fullmatch(r"[0-6]", day_of_week), f"once a week, not {schedule}"
    assert minute.isdigit(), schedule
    assert hour.isdigit(), schedule


def test_fleet_report_uploads_both_reports_even_when_the_policy_fails() -> None:
    report_at, report = _step("report")
    upload_at, upload = _step("actions/upload-artifact@")
    fail_at, fail = _step("Fail when")
    assert report_at < upload_at < fail_at, "report, then upload, then the verdict"
    assert upload.get("if") == "always()", "the reports are uploaded whatever the verdict"
    assert set(upload["with"]["path"].split()) == set(REPORTS)
    for kind, output in zip(("html", "json"), REPORTS, strict=True):
        command = f"--inventory fleet/inventory.yaml --format {kind} --output {output}"
        assert f"uv run --no-dev ml-platform-fleet {command}" in report["run"]
    assert "steps.report.outputs.exit-code" in fail["env"]["FLEET_EXIT_CODE"]
    lines = FLEET_WORKFLOW.read_text("utf-8").splitlines()
    [line] = [line for line in lines if "upload-artifact@" in line]
    assert PINNED_USES.match(line), f"pinned to a commit with its version: {line.strip()}"
    assert re.search(r"# v4\.\d+\.\d+$", line), f"upload-artifact v4: {line.strip()}"


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A `run:` script as GitHub runs it on Linux by default (`bash -e`)."""
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


INVENTORIES = {
    0: "repositories: []\n",
    1: "policy: {unreachable: fail}\nrepositories: [{path: no-such-project}]\n",
    2: "repositories: [{path: a, url: b}]\n",
}


@pytest.mark.parametrize("exit_code", sorted(INVENTORIES))
def test_fleet_report_steps_keep_the_verdict_for_the_last_step(
    tmp_path: Path, exit_code: int
) -> None:
    """The report and verdict steps' own scripts, with the real `ml-platform-fleet` behind
    `uv run`: exit 1 leaves both reports to upload and fails only the last step; exit 2
    fails the report step itself."""
    (tmp_path / "fleet").mkdir()
    (tmp_path / "fleet" / "inventory.yaml").write_text(INVENTORIES[exit_code], "utf-8")
    shim = tmp_path / "bin" / "uv"
    shim.parent.mkdir()
    shim.write_text(
        '#!/bin/sh\n[ "$1" = run ] || exit 64\nshift\n[ "$1" = --no-dev ] && shift\nexec "$@"\n',
        "utf-8",
    )
    shim.chmod(0o755)
    outputs = tmp_path / "github-output"
    outputs.touch()
    path = os.pathsep.join([str(shim.parent), sysconfig.get_path("scripts"), os.environ["PATH"]])
    env = {**os.environ, "PATH": path, "GITHUB_OUTPUT": str(outputs)}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")

    _, report = _step("report")
    ran = _bash(report["run"], tmp_path, env)
    assert (ran.returncode == 0) == (exit_code < 2), ran.stderr
    assert outputs.read_text("utf-8") == f"exit-code={exit_code}\n"
    written = sorted(p.name for p in tmp_path.glob("fleet-report.*"))
    assert written == ([] if exit_code == 2 else sorted(REPORTS)), ran.stderr
    if exit_code == 2:
        assert "inventory" in ran.stderr
        return

    _, fail = _step("Fail when")
    verdict = _bash(fail["run"], tmp_path, {**env, "FLEET_EXIT_CODE": str(exit_code)})
    assert verdict.returncode == exit_code, verdict.stdout + verdict.stderr
    if exit_code:
        assert "docs/fleet-report.md#policy" in verdict.stdout


def test_fleet_report_hands_the_read_token_to_git_as_a_credential(tmp_path: Path) -> None:
    _, report = _step("report")
    env = {
        key: value
        for key, value in report["env"].items()
        if key.startswith("GIT_CONFIG_") and "${{" not in value
    }
    assert "${{ secrets.FLEET_READ_TOKEN }}" in report["env"]["FLEET_READ_TOKEN"]
    asked = subprocess.run(
        ["git", "credential", "fill"],
        input="protocol=https\nhost=git.example.invalid\npath=ml/fraud-model.git\n\n",
        env={
            **os.environ,
            **env,
            "FLEET_READ_TOKEN": "token-from-the-environment",
            "GIT_TERMINAL_PROMPT": "0",
            "HOME": str(tmp_path),
            "GIT_CONFIG_NOSYSTEM": "1",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert asked.returncode == 0, asked.stderr
    assert "password=token-from-the-environment" in asked.stdout.splitlines()
    assert "username=x-access-token" in asked.stdout.splitlines()
