"""A generated project's checks with the clock moved: Debian's `faketime` (libfaketime).

`faketime` preloads a library that moves the clock of the program it starts and of every
program that one starts, as long as they inherit its variables. tox passes its environments
only the variables they list, so `tox_with_clock` adds faketime's to each environment's
`pass_env` on the command line (`-x env.<name>.pass_env+=...`) and leaves the project's
tox.toml alone. Installs are skipped (`--skip-pkg-install`, `UV_OFFLINE=1`): environments are
built beforehand with the real clock, since a moved clock can break TLS to the package index.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from tests.support import ToxRun, run_tox, tail, tool_env

# What `faketime` sets for the preloaded library (`faketime -f +1d env` shows them).
FAKETIME_VARIABLES = ("LD_PRELOAD", "FAKETIME", "FAKETIME_SHARED")


def faketime() -> str:
    """The `faketime` command; a clear failure when it is not installed."""
    found = shutil.which("faketime")
    if found is None:
        raise AssertionError(
            "faketime is not installed: the clock tests move the clock with Debian's faketime"
            " (libfaketime). Install it, e.g. `sudo apt-get install faketime`, as .ci/run does."
        )
    return found


def at_noon(day: dt.date) -> str:
    """A faketime clock that starts at noon (UTC) on `day` and runs on from there."""
    return f"@{day.isoformat()} 12:00:00"


def with_clock(clock: str, command: Sequence[str | Path]) -> list[str]:
    """`command` run under faketime, e.g. `+400d` (moved ahead) or `at_noon(day)`."""
    return [faketime(), "-f", clock, *map(str, command)]


# In UTC, an absolute faketime clock means one instant.
UTC = {"TZ": "UTC"}


def clock_env(**extra: str) -> dict[str, str]:
    """The tool environment, in UTC."""
    return tool_env(**UTC, **extra)


def tox_with_clock(
    project: Path, path: str, clock: str, command: str, environments: Sequence[str], *args: str
) -> ToxRun:
    """`tox <command> -e <environments> <args>` under faketime, installs skipped, offline."""
    passed = ",".join(FAKETIME_VARIABLES)
    overrides = [f"--override=env.{name}.pass_env+={passed}" for name in environments]
    return run_tox(
        project,
        path,
        *(command, "-e", ",".join(environments), "--skip-pkg-install", *overrides, *args),
        prefix=with_clock(clock, []),
        UV_OFFLINE="1",
        **UTC,
    )


def today_in(project: Path, path: str, clock: str, environment: str) -> dt.date:
    """The day a command of `environment` sees under this clock (proves the clock got there)."""
    probe = ["--", "python", "-c", "import datetime; print('today:', datetime.date.today())"]
    run = tox_with_clock(project, path, clock, "exec", [environment], "-qq", *probe)
    seen = re.search(r"^today: (\d{4}-\d{2}-\d{2})$", run.output, re.MULTILINE)
    assert run.returncode == 0, f"tox exec -e {environment} under {clock}\n{tail(run.output)}"
    assert seen, f"the probe printed no day under {clock}\n{tail(run.output)}"
    return dt.date.fromisoformat(seen.group(1))
