"""sp-repo-review, Scientific Python's conventions suite, as an outside judge of a repository.

`repo-review --format json` runs once per repository, from this environment's dev group.
A check the repository's `[tool.repo-review.ignore]` table lists with a reason comes back
skipped with that reason; one listed without a reason is dropped from the output, so the
table itself is read too. A listed check still runs, and its message is kept: an ignore
whose check passes, or does not run, explains nothing and is reported as stale.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support import tail


@dataclass(frozen=True)
class Review:
    """What sp-repo-review said about one repository, and what its ignore table says."""

    checks: dict[str, dict[str, Any]]
    ignore: dict[str, str]

    @property
    def passed(self) -> list[str]:
        return [name for name, check in self.checks.items() if check["result"] is True]

    @property
    def failed(self) -> list[str]:
        return [name for name, check in self.checks.items() if check["result"] is False]

    @property
    def ignored(self) -> list[str]:
        return [name for name, check in self.checks.items() if check["skip_reason"]]

    @property
    def stale(self) -> list[str]:
        """Ignored checks that would not have failed: they passed, or did not apply."""
        known = {name: check for name, check in self.checks.items() if name in self.ignore}
        return sorted(
            [name for name, check in known.items() if not check["err_msg"].strip()]
            + [name for name in self.ignore if name not in known]
        )

    def explain(self, names: list[str]) -> str:
        lines = []
        for name in names:
            check = self.checks.get(name, {"description": "(not run)", "err_msg": ""})
            message = " ".join(check["err_msg"].split())[:400]
            lines.append(f"  {name} {check['description']}: {message}")
        return "\n".join(lines)

    def figures(self) -> str:
        return f"{len(self.passed)} passed, {len(self.failed)} failed, {len(self.ignored)} ignored"


def ignore_table(root: Path) -> dict[str, str]:
    """`[tool.repo-review] ignore` of `root/pyproject.toml`: check ID to reason."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    ignore = pyproject.get("tool", {}).get("repo-review", {}).get("ignore", {})
    assert isinstance(ignore, dict), (
        f"{root.name}: [tool.repo-review] ignore must map each check ID to its reason "
        f'(ignore = {{PC100 = "why"}}), not list bare IDs: {ignore!r}'
    )
    return ignore


def review(root: Path) -> Review:
    """Run sp-repo-review on `root` (read only) and return its checks by ID."""
    result = subprocess.run(
        [sys.executable, "-m", "repo_review", "--format", "json", str(root)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        checks = json.loads(result.stdout)["checks"]
    except (json.JSONDecodeError, KeyError):
        raise AssertionError(
            f"repo-review printed no JSON report (exit {result.returncode}):\n"
            f"{tail(result.stdout + result.stderr)}"
        ) from None
    return Review(checks, ignore_table(root))


def assert_nothing_unexplained(subject: str, judged: Review) -> None:
    """No failure outside the ignore table, no ignore without a reason, no stale ignore."""
    assert not judged.failed, (
        f"{subject}: sp-repo-review fails checks that are neither fixed nor listed in "
        f"[tool.repo-review.ignore] with a reason ({judged.figures()}):\n"
        f"{judged.explain(judged.failed)}"
    )
    unexplained = sorted(
        name
        for name, reason in judged.ignore.items()
        if not isinstance(reason, str) or not reason.strip()
    )
    assert not unexplained, f"{subject}: ignored without a reason: {unexplained}"
    assert not judged.stale, (
        f"{subject}: [tool.repo-review.ignore] lists checks that pass or do not apply; "
        f"remove them: {judged.stale}"
    )
