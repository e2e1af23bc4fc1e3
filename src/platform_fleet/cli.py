"""`ml-platform-fleet`: where every project generated from the template stands.

    ml-platform-fleet --inventory fleet/inventory.yaml                 # table, with progress
    ml-platform-fleet --inventory fleet/inventory.yaml --format html --output report.html
    ml-platform-fleet ../churn-model ../fraud-model --format json

Exit codes: 0 the policy holds, 1 a repository breaks it, 2 the command or inventory is wrong.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from platform_fleet import inventory as inventories
from platform_fleet import render_html, render_table
from platform_fleet.report import Report, build

FORMATS = ("table", "json", "html")
WIDE = 200  # columns of a table written to a file or a pipe


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ml-platform-fleet"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ml-platform-fleet",
        description="Report which template version each project is on, what stands between "
        "it and the latest release, and whether the fleet keeps the policy.",
        epilog="Exit codes: 0 the policy holds, 1 it is broken, 2 usage or inventory error. "
        "See docs/fleet-report.md.",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="local project checkouts")
    parser.add_argument("--inventory", type=Path, help="inventory YAML (repositories, policy)")
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("--output", type=Path, help="write the report here (default: stdout)")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=_default_cache(),
        help="where remote repositories are cloned (default: %(default)s)",
    )
    parser.add_argument(
        "--jobs",
        type=_count,
        default=min(8, 2 * (os.cpu_count() or 1)),
        help="repositories read at once (default: %(default)s)",
    )
    parser.add_argument(
        "--today",
        type=_day,
        default=date.today(),
        help="judge waiver expiry on this day (default: today)",
    )
    parser.add_argument("--template", help="read releases here instead of each _src_path")
    policy = parser.add_argument_group("policy (overrides the inventory's `policy:`)")
    policy.add_argument("--max-releases-behind", type=_count)
    policy.add_argument("--expiry-window-days", type=_count)
    for rule in ("expired-waivers", "update-leftovers", "drift", "unreachable", "no-update-engine"):
        policy.add_argument(f"--{rule}", choices=("fail", "report"))
    return parser


def _write(text: str, output: Path | None) -> None:
    """Standard output, or the file replaced in one step (never half written)."""
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=output.parent, prefix=f".{output.name}.", delete=False
    ) as handle:
        handle.write(text)
    os.replace(handle.name, output)


def _run(args: argparse.Namespace, inventory: inventories.Inventory) -> Report:
    errors = Console(stderr=True)
    columns = (
        TextColumn("reading repositories"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(
        *columns, console=errors, transient=True, disable=not errors.is_terminal
    ) as progress:
        task = progress.add_task("", total=len(inventory.repositories))
        return build(
            inventory,
            args.cache_dir,
            args.today,
            max(1, args.jobs),
            args.template,
            progress=lambda record: progress.update(task, advance=1, description=record["name"]),
        )


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if bool(args.inventory) == bool(args.paths):
        parser.error("give either --inventory FILE or project paths, not both or neither")
    try:
        inventory = (
            inventories.load(args.inventory)
            if args.inventory
            else inventories.from_paths(args.paths)
        )
    except inventories.InventoryError as error:
        print(f"ml-platform-fleet: {error}", file=sys.stderr)
        return 2
    inventory = inventories.with_overrides(
        inventory,
        max_releases_behind=args.max_releases_behind,
        expiry_window_days=args.expiry_window_days,
        expired_waivers=args.expired_waivers,
        update_leftovers=args.update_leftovers,
        drift=args.drift,
        unreachable=args.unreachable,
        no_update_engine=args.no_update_engine,
    )
    report = _run(args, inventory)
    if args.format == "json":
        _write(json.dumps(report, indent=2, ensure_ascii=False) + "\n", args.output)
    elif args.format == "html":
        _write(render_html.render(report), args.output)
    elif args.output:
        console = Console(file=io.StringIO(), width=WIDE)
        render_table.render(report, console)
        _write(console.file.getvalue(), args.output)  # type: ignore[attr-defined]
    else:
        console = Console()
        if not console.is_terminal:  # a log or a pipe: no terminal width to fit
            console = Console(width=WIDE)
        render_table.render(report, console)
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
