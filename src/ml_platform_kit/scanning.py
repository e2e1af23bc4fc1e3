"""What the security checks share: running a pinned scanner and reading back the files and
lines its output names, and the findings, skips and progress lines every scanner reports.

Each scanner runs as a fixed argument list found on ``PATH`` (the tox environment's), never
a shell string; its own output streams to stderr as it runs, so ``--format json`` stays
clean on stdout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess  # nosec B404
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from .finding import Outcome
from .project import Project

# The file holding the scanners' pins and settings: where a scanner's failure without a
# file of its own is reported.
SETTINGS = "pyproject.toml"
GITLAB_CI = ".gitlab-ci.yml"

# What a scanner's output names: (where, problem), where is `path` or `path:line`.
Located = tuple[str, str]
Parse = Callable[[Sequence[str]], list[Located]]


class NothingToScan(Exception):
    """A scanner found none of the files it reads: it is skipped, saying where it looked."""

    def __init__(self, *notes: str) -> None:
        super().__init__("; ".join(notes))
        self.notes = notes


def say(text: str) -> None:
    """Progress a person watching the run needs; stderr, so `--format json` stays clean."""
    print(text, file=sys.stderr, flush=True)


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def failed(project: Project, check_id: str, located: Sequence[Located]) -> Outcome:
    return Outcome(findings=tuple(project.finding(check_id, w, p) for w, p in located))


# --- running the external scanners -------------------------------------------------------------


def stream(argv: list[str], root: Path) -> tuple[int, list[str]]:
    """Run `argv` in `root`, echo its output to stderr as it comes, and keep its lines."""
    env = {"NO_COLOR": "1", **os.environ}
    lines: list[str] = []
    # The command is a fixed list built in this module and file names are arguments, never
    # parsed by a shell: bandit's B603 and ruff's S603 do not apply.
    with subprocess.Popen(  # noqa: S603  # nosec B603
        argv,
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as process:
        for line in process.stdout or ():
            sys.stderr.write(line)
            lines.append(line.rstrip("\n"))
        returncode = process.wait()
    sys.stderr.flush()
    return returncode, lines


def external(
    project: Project,
    check_id: str,
    command: list[str],
    files: Sequence[str],
    parse: Parse,
    settings: str = SETTINGS,
) -> Outcome:
    """Run a scanner on `files`; a failure is one finding per problem its output names,
    else one on `settings`, the file that decides how the scanner runs."""
    executable = shutil.which(command[0])
    if executable is None:
        problem = (
            f"`{command[0]}` is not installed: run the scanners through tox, which installs "
            "them pinned from the dependency groups here"
        )
        return failed(project, check_id, [(SETTINGS, problem)])
    shown = list(files) if len(files) <= 10 else [f"<{len(files)} files>"]
    say("$ " + " ".join([*command, *shown]))
    returncode, lines = stream([executable, *command[1:], *files], project.root)
    if returncode == 0:
        return Outcome()
    located = parse(lines) or [
        (
            settings,
            f"{command[0]} failed (exit code {returncode}) without naming a file; "
            "its output is printed above",
        )
    ]
    return failed(project, check_id, located)


def project_files(project: Project) -> list[str]:
    """Files git would commit that are on disk (a deleted tracked file is left out)."""
    return [name for name in project.files if (project.root / name).is_file()]


def yaml_files(project: Project, directory: str) -> list[str]:
    root = project.root / directory
    if not root.is_dir():
        return []
    found = (p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return sorted(p.relative_to(project.root).as_posix() for p in found)


def by_pattern(pattern: re.Pattern[str], tool: str) -> Parse:
    def parse(lines: Sequence[str]) -> list[Located]:
        found = (pattern.match(line) for line in lines)
        return [
            (f"{m['path']}:{m['line']}", f"{m['rule']} {m['message']} ({tool})") for m in found if m
        ]

    return parse


class TaggedLoader(yaml.SafeLoader):
    """Safe loading that accepts GitLab's `!reference [...]` and other application tags."""


def _construct_tagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


TaggedLoader.add_multi_constructor("!", _construct_tagged)


def gitlab_documents(project: Project) -> list[Any] | str:
    """The documents of .gitlab-ci.yml, or why there are none."""
    text = project.read(GITLAB_CI)
    if text is None:
        return "missing"
    try:
        return list(yaml.load_all(text, Loader=TaggedLoader))
    except yaml.YAMLError as error:
        return f"not valid YAML: {one_line(error)}"
