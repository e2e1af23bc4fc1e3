"""The outside judges of CI files, run offline from this environment's dev group.

check-jsonschema with its vendored schemas (GitHub workflows, GitLab CI, Dependabot,
Renovate), actionlint (a build whose wheel ships the binary; shellcheck from its wheel
checks the `run:` scripts) and zizmor `--offline`. Each runs once over many files.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.support import tail

SCRIPTS = Path(sysconfig.get_path("scripts"))
SCHEMAS = {
    "github-workflows": "vendor.github-workflows",
    "gitlab-ci": "vendor.gitlab-ci",
    "dependabot": "vendor.dependabot",
    "renovate": "vendor.renovate",
}
# `uses: owner/repo@<40 hex> # vX.Y.Z`: pinned to a commit, its version readable.
PINNED_USES = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


@dataclass(frozen=True)
class Verdict:
    passed: bool
    output: str
    seconds: float

    def __str__(self) -> str:
        return tail(self.output, 80)


def _run(command: list[str], cwd: Path | None = None) -> Verdict:
    started = time.monotonic()
    env = {**os.environ, "PATH": os.pathsep.join([str(SCRIPTS), os.environ.get("PATH", "")])}
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    return Verdict(
        result.returncode == 0, result.stdout + result.stderr, time.monotonic() - started
    )


def schema_check(kind: str, files: Iterable[Path]) -> Verdict:
    """check-jsonschema's vendored schema `kind` over all `files` in one call."""
    paths = [str(f) for f in files]
    assert paths, f"no {kind} files to check"
    return _run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", SCHEMAS[kind], *paths]
    )


def actionlint(workflows: Iterable[Path]) -> Verdict:
    paths = [str(f) for f in workflows]
    assert paths, "no workflow files to lint"
    return _run([str(SCRIPTS / "actionlint"), "-no-color", *paths])


def zizmor(inputs: Iterable[Path]) -> Verdict:
    """zizmor offline, pedantic persona: every finding counts, none may remain."""
    paths = [str(p) for p in inputs]
    assert paths, "nothing for zizmor to audit"
    return _run(
        [str(SCRIPTS / "zizmor"), "--offline", "--persona", "pedantic", "--no-progress", *paths]
    )


def unpinned_uses(workflow: Path) -> list[str]:
    """`uses:` lines not pinned to a full commit SHA with a `# vX.Y.Z` comment."""
    return [
        f"{workflow.name}:{number}: {line.strip()}"
        for number, line in enumerate(workflow.read_text("utf-8").splitlines(), start=1)
        if re.match(r"^\s*(?:-\s+)?uses:", line) and not PINNED_USES.match(line)
    ]


def insecure_settings(workflow: Path) -> list[str]:
    """Departures from the secure defaults that are easy to state as data.

    No permissions at workflow level and explicit ones per job; every checkout keeps no
    credentials; no `${{ }}` expression inside `run:` (values go through `env:`).
    """
    data = yaml.safe_load(workflow.read_text("utf-8"))
    found = []
    if data.get("permissions") != {}:
        found.append(f"{workflow.name}: top-level `permissions: {{}}` missing")
    for name, job in data["jobs"].items():
        if "permissions" not in job:
            found.append(f"{workflow.name}: job {name} has no explicit permissions")
        for step in job.get("steps", []):
            uses = step.get("uses", "")
            if uses.startswith("actions/checkout@") and (
                step.get("with", {}).get("persist-credentials") is not False
            ):
                found.append(
                    f"{workflow.name}: job {name}: checkout without persist-credentials: false"
                )
            if "${{" in step.get("run", ""):
                found.append(
                    f"{workflow.name}: job {name}: expression inside run: {step['run'][:60]!r}"
                )
    return found
