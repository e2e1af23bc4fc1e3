"""git as a subprocess, with argument lists (no shell) and no prompt for credentials."""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404
from pathlib import Path

GIT = shutil.which("git") or "git"
TIMEOUT_SECONDS = 300
# A repository that asks for a password must fail, not hang the report.
_ENV = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""}


class GitError(RuntimeError):
    """git failed; the message is git's own."""


def git(*args: str, cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(  # noqa: S603  # nosec B603
            [GIT, *args],
            cwd=cwd,
            env=_ENV,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took more than {TIMEOUT_SECONDS} s") from None
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror}") from None
    if done.returncode != 0:
        said = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        # git's first `fatal:`/`error:` line says what failed; hints follow it.
        first = next((line for line in said if line.startswith(("fatal:", "error:"))), None)
        raise GitError(first or (said[-1] if said else f"git {args[0]} exited {done.returncode}"))
    return done.stdout
