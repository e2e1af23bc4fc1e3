"""What every migration shares: the project it runs in, safe writes, and how it reports.

Copier runs each migration with the project root as the working directory, using the
interpreter that runs Copier itself: standard library plus what Copier installs (PyYAML,
Jinja2). A migration prints one line per change, says so when it has nothing to do, and
stops with `MigrationError` when it cannot proceed; `run` turns that into a message that
says what is wrong, where, who owns it and how to recover, and a non-zero exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ANSWERS_FILE = ".copier-answers.yml"
RECOVERY = (
    "Nothing is lost: the update started from a clean git tree, so `git reset --hard && "
    "git clean -fd` returns the project to where it was. Fix the cause, then run "
    "`copier update --trust` again."
)


class MigrationError(Exception):
    """A migration cannot proceed; the message says what, where, and how to fix it."""


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` all at once: readers see the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def parse_answers(text: str) -> dict[str, Any]:
    """The answers in the text of an answers file, as a mapping."""
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise MigrationError(f"{ANSWERS_FILE}: is not valid YAML ({error})") from error
    if not isinstance(loaded, dict):
        raise MigrationError(f"{ANSWERS_FILE}: is not a mapping of answers")
    return loaded


def read_text(root: Path, relpath: str) -> str:
    try:
        return (root / relpath).read_text(encoding="utf-8")
    except OSError as error:
        raise MigrationError(f"{relpath}: cannot be read ({error.strerror})") from error


def read_answers(root: Path) -> dict[str, Any]:
    """The answers Copier recorded (`.copier-answers.yml`), as a mapping."""
    return parse_answers(read_text(root, ANSWERS_FILE))


def platform_owner(root: Path) -> str:
    """Who to ask: the platform team's handle from the answers, when they can be read."""
    try:
        return str(read_answers(root).get("team_platform") or "the platform team")
    except MigrationError:
        return "the platform team"


def git_show(repository: Path, revision: str, relpath: str) -> str | None:
    """A file as `revision` has it in a repository's history, or None when it has none."""
    shown = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        ["git", "show", f"{revision}:{relpath}"],  # noqa: S607 - git is on PATH wherever Copier runs
        cwd=repository,
        capture_output=True,
        check=False,
    )
    return shown.stdout.decode("utf-8") if shown.returncode == 0 else None


def merge_three_way(
    ours: str, base: str, theirs: str, labels: tuple[str, str, str]
) -> tuple[str, bool]:
    """`git merge-file` of three texts: (merged text, whether conflicts were left marked)."""
    with tempfile.TemporaryDirectory(prefix="migration-merge.") as scratch:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(scratch, name)
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        merged = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            ["git", "merge-file", "-p", "-L", labels[0], "-L", labels[1], "-L", labels[2], *paths],  # noqa: S607
            capture_output=True,
            check=False,
        )
    if merged.returncode < 0 or merged.returncode > 127:
        raise MigrationError(f"git merge-file failed: {merged.stderr.decode(errors='replace')}")
    return merged.stdout.decode("utf-8"), merged.returncode > 0


def run(name: str, migrate: Callable[[Path], list[str]]) -> None:
    """Run one migration in the current directory and exit: 0 when done, 1 when it cannot."""
    root = Path.cwd()
    try:
        changes = migrate(root)
    except MigrationError as error:
        print(
            f"migration {name} cannot proceed: {error}\n"
            f"  owner: {platform_owner(root)} (the ML platform template)\n  {RECOVERY}",
            file=sys.stderr,
        )
        sys.exit(1)
    if not changes:
        print(f"migration {name}: nothing to do")
    for change in changes:
        print(f"migration {name}: {change}")
    sys.exit(0)
