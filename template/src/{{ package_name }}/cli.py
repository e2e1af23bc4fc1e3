"""What the commands share: their name in help texts and how they report failures."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from ml_platform_kit.finding import PipelineError


def prog_name(step: str) -> str:
    """The command as the user typed it: an installed script, or ``python -m <package>.<step>``."""
    invoked = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if not invoked or invoked.endswith(".py") or invoked in {"-c", "-m"}:
        return f"python -m {__package__}.{step}"
    return invoked


def run_command(step: Callable[[], int]) -> int:
    """Run a command's work; turn expected failures into one line each and exit code 1.

    ``PipelineError`` carries its findings (ID, file, problem, agreement, owner, docs).
    ``OSError`` (a directory that cannot be written, a full disk) is reported with the path
    the system names. Anything else is a bug and keeps its traceback.
    """
    try:
        return step()
    except PipelineError as error:
        print(error, file=sys.stderr)
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
    return 1
