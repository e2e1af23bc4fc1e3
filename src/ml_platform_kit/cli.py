"""``ml-platform``: the one command line of the kit.

    ml-platform [--root DIR] [--format text|json] COMMAND [options]

Each command runs one family of checks on the project at ``--root`` (default: the current
directory) and prints one line per finding (or one JSON document with ``--format json``);
it exits 0 when nothing fails, 1 when a finding does, 2 on a usage error.

    checks         the registry: every check ID, its owner and its page
    conflicts      UPD001, UPD002: leftovers of ``copier update`` (the conflict gate)
    conventions    the conflict gate, drift, waivers, CODEOWNERS coverage, notebooks
    contracts      data contracts: schema, conventions, breaking changes, local extracts
    deploy         the deploy manifest; renders deploy/rendered/ and validates it
    security       the security scanners (``scan``, ``posture`` or ``audit``)
    update-report  the body of a scheduled template update's pull request
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from types import ModuleType

from . import registry
from .finding import Outcome, PipelineError
from .project import Project


def run(project: Project, _options: argparse.Namespace) -> Outcome:
    """``checks``: the registry, one line per check."""
    lines = tuple(
        f"{entry.id} [{entry.family}] {entry.title} · owner: {entry.owner} · {entry.docs}"
        for entry in registry.checks().values()
    )
    return Outcome(passed=lines)


# name: (help, module). Each module has `run(project, options) -> Outcome` and may have
# `add_arguments(parser)`; it is imported only when its command runs, so the conflict gate
# starts without pandas, and an environment installs only what its command needs.
COMMANDS: dict[str, tuple[str, str]] = {
    "checks": ("list every check of the registry", "cli"),
    "conflicts": ("UPD001, UPD002: leftovers of copier update", "conflicts"),
    "conventions": ("the platform conventions between template updates", "conventions"),
    "contracts": ("data contracts", "contract_check"),
    "deploy": ("the deploy manifest and its rendered objects", "deploy"),
    "security": ("the security scanners", "security"),
    "update-report": ("a template update's pull request body", "update_report"),
}


def _module(name: str) -> ModuleType:
    return import_module(f"{__package__}.{name}")


def parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser; only the chosen command's module is imported for its options."""
    top = argparse.ArgumentParser(prog="ml-platform", description=__doc__.split("\n\n")[0])
    top.add_argument("--root", type=Path, default=Path("."), help="the project (default: .)")
    top.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((a for a in argv if a in COMMANDS), None)
    for name, (text, module) in COMMANDS.items():
        sub = commands.add_parser(name, help=text, description=text)
        add_arguments = getattr(_module(module), "add_arguments", None) if name == chosen else None
        if add_arguments:
            add_arguments(sub)
    return top


def print_outcome(outcome: Outcome, output_format: str) -> None:
    if output_format == "json":
        print(json.dumps(outcome.as_json(), indent=2, ensure_ascii=False))
        return
    for finding in outcome.findings:
        print(finding)
    for finding, waiver in outcome.waived:
        print(f"waived: {finding.code} {finding.where} by {waiver}")
    for line in outcome.passed:
        print(line)
    if outcome.findings:
        pages = sorted({finding.docs.partition("#")[0] for finding in outcome.findings})
        print(f"{len(outcome.findings)} finding(s): fix each as its line says ({', '.join(pages)})")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    arguments = parser(argv)
    options = arguments.parse_args(argv)
    if not options.root.is_dir():
        arguments.error(f"--root {options.root}: no such directory (the project to check)")
    project = Project(options.root.resolve())
    command: Callable[[Project, argparse.Namespace], Outcome] = _module(
        COMMANDS[options.command][1]
    ).run
    try:
        outcome = command(project, options)
    except PipelineError as error:
        outcome = Outcome(findings=error.findings)
    except OSError as error:  # a directory that cannot be written, a full disk
        print(f"error: {error}", file=sys.stderr)
        return 1
    print_outcome(outcome, options.format)
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
