"""How long `copier copy` of this template takes, and how long until a new project is green.

Measured in one run:

1. copy: `copier copy` on the command line (as a user runs it) of this template against a
   bare one-file Copier template, both as clean git repositories; reported as medians and
   their ratio, so the figure says what this template adds on top of Copier itself.
2. time to green: the generated project's own `tox`, run as its README says, three ways:
   - fresh: a new project (no `.tox`) with warm uv, pre-commit and mypy caches (one untimed
     warm-up render fills them first);
   - second: `tox` again in the same project, its environments already built;
   - cold: a new project with empty uv, pre-commit and mypy caches (a new machine, or a CI
     runner without a cache).
   Each comes with its environments' own times, as tox reports them, so a regression names
   the environment it is in.

Usage (from the repository root, in the dev environment):

    python benchmarks/bench_copy.py              # 10 copies each, 3 fresh+second, 1 cold run
    python benchmarks/bench_copy.py --quick      # 3 copies each, 1 fresh+second, no cold run
    python benchmarks/bench_copy.py --runs 20 --cold-runs 2 --json

`--json` writes the figures to benchmarks/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))

from template_repository import (  # noqa: E402 - needs scripts/ on sys.path
    DEFAULT_COMBO,
    InterpreterNotFound,
    git_init_commit,
    path_with_python,
    readme_tox_args,
    run_tox,
    snapshot_working_tree,
    tail,
    write_bytecode,
)

BARE_COPIER_YML = "_min_copier_version: '9.0.0'\nname:\n  type: str\n  default: demo\n"


def _run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = tail(result.stdout + result.stderr, 40)
        raise SystemExit(f"failed ({result.returncode}): {' '.join(command)}\n{output}")
    return result.stdout


def make_bare_template(root: Path) -> Path:
    """A one-question, one-file Copier template in a git repository."""
    root.mkdir(parents=True)
    (root / "copier.yml").write_text(BARE_COPIER_YML, encoding="utf-8")
    (root / "README.md.jinja").write_text("# {{ name }}\n", encoding="utf-8")
    git_init_commit(root)
    return root


def make_this_template(root: Path) -> Path:
    """This template's working tree (uncommitted changes included) as a clean git repository."""
    snapshot_working_tree(REPO_ROOT, root)
    git_init_commit(root)
    return root


def copier_copy(template: Path, dst: Path) -> float:
    command = [sys.executable, "-m", "copier", "copy", "--defaults", "--trust", "--quiet"]
    started = time.perf_counter()
    _run([*command, str(template), str(dst)], cwd=dst.parent)
    return time.perf_counter() - started


def copy_into(template: Path, root: Path) -> Callable[[int], float]:
    """A function that copies `template` into a new directory under `root` and times it."""

    def once(index: int) -> float:
        dst = root / str(index) / "project"
        dst.parent.mkdir(parents=True)
        return copier_copy(template, dst)

    return once


# tox's closing summary, one line an environment:
#   lint: OK (13.21=setup[1.00]+cmd[12.21] seconds)
TOX_ENV_LINE = re.compile(r"^\s+(?P<env>[\w.-]+): (?:OK|SKIP\w*) [^(]*\((?P<seconds>[\d.]+)")


def tox_environment_seconds(output: str) -> dict[str, float]:
    """Each environment's seconds from tox's summary (setup and commands together)."""
    return {
        match["env"]: float(match["seconds"])
        for line in output.splitlines()
        if (match := TOX_ENV_LINE.match(line))
    }


def green_tox(project: Path, path: str, **environment: str) -> dict[str, Any]:
    """One `tox` run as the README gives it: its wall time and each environment's time."""
    try:
        args = readme_tox_args(project)
    except ValueError as unsaid:
        raise SystemExit(str(unsaid)) from None
    tox = run_tox(project, path, *args, **environment)
    if tox.returncode != 0:
        raise SystemExit(f"tox failed ({tox.returncode}) in {project}\n{tail(tox.output, 40)}")
    return {
        "command": " ".join(["tox", *args]),
        "tox": tox.seconds,
        "environments": tox_environment_seconds(tox.output),
    }


def new_project(template: Path, workdir: Path) -> Path:
    """A fresh project as a team starts it: copied, then `git init` and a first commit (the
    copy's time is measured on its own, against the bare template)."""
    project = workdir / "project"
    workdir.mkdir(parents=True)
    copier_copy(template, project)
    git_init_commit(project)
    return project


def time_to_green(template: Path, workdir: Path, path: str, *, again: bool) -> dict[str, Any]:
    """`fresh`: tox in a new project; `second` (when `again`): tox once more in it."""
    project = new_project(template, workdir)
    runs = {"fresh": green_tox(project, path)}
    if again:
        runs["second"] = green_tox(project, path)
    return runs


def cold_green(template: Path, workdir: Path, path: str) -> dict[str, Any]:
    """tox in a new project with empty uv, pre-commit and mypy caches."""
    caches = {
        "UV_CACHE_DIR": str(workdir / "uv-cache"),
        "PRE_COMMIT_HOME": str(workdir / "pre-commit-home"),
        "MYPY_CACHE_DIR": str(workdir / "mypy-cache"),
    }
    return green_tox(new_project(template, workdir), path, **caches)


def repeat(label: str, runs: int, once: Callable[[int], float]) -> list[float]:
    samples = []
    for index in range(runs):
        samples.append(once(index))
        print(f"  {label} {index + 1}/{runs}: {samples[-1]:.2f} s", file=sys.stderr, flush=True)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="copies of each template (10)")
    parser.add_argument(
        "--green-runs", type=int, default=3, help="fresh and second time-to-green runs (3)"
    )
    parser.add_argument("--cold-runs", type=int, default=1, help="cold time-to-green runs (1)")
    parser.add_argument(
        "--quick", action="store_true", help="3 copies each, 1 fresh and second run, no cold run"
    )
    parser.add_argument("--no-green", action="store_true", help="time the copies only")
    parser.add_argument("--json", action="store_true", help="write benchmarks/results/*.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.green_runs, args.cold_runs = min(args.runs, 3), 1, 0
    if args.no_green:
        args.green_runs = args.cold_runs = 0
    write_bytecode()  # as on a developer's machine, whatever this one sets

    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "combination": DEFAULT_COMBO.id,
    }
    with tempfile.TemporaryDirectory(prefix="bench-copy-") as tmp:
        work = Path(tmp)
        this = make_this_template(work / "templates" / "this")
        bare = make_bare_template(work / "templates" / "bare")

        print(f"copier copy, {args.runs} runs each", file=sys.stderr)
        copies = {
            name: repeat(f"copy {name}", args.runs, copy_into(template, work / f"copies-{name}"))
            for name, template in (("bare", bare), ("this", this))
        }
        results["copy"] = {
            name: {"median_s": statistics.median(s), "samples_s": s} for name, s in copies.items()
        }
        results["copy_ratio"] = statistics.median(copies["this"]) / statistics.median(
            copies["bare"]
        )

        green: dict[str, list[dict[str, Any]]] = {"fresh": [], "second": [], "cold": []}
        if args.green_runs or args.cold_runs:
            try:
                path = path_with_python(DEFAULT_COMBO.python_version, work / "bin")
            except InterpreterNotFound as missing:
                raise SystemExit(f"time to green: {missing}") from None
            if args.green_runs:
                print("time to green, warm caches (one untimed warm-up)", file=sys.stderr)
                time_to_green(this, work / "green-warmup", path, again=False)
                for i in range(args.green_runs):
                    runs = time_to_green(this, work / f"green-warm-{i}", path, again=True)
                    for kind in ("fresh", "second"):
                        green[kind].append(runs[kind])
                    fresh, second = runs["fresh"]["tox"], runs["second"]["tox"]
                    say = f"fresh {fresh:.1f} s, second {second:.1f} s"
                    print(f"  {i + 1}/{args.green_runs}: {say}", file=sys.stderr, flush=True)
            if args.cold_runs:
                print("time to green, empty uv and pre-commit caches", file=sys.stderr)
                for i in range(args.cold_runs):
                    green["cold"].append(cold_green(this, work / f"green-cold-{i}", path))
                    say = f"{green['cold'][-1]['tox']:.1f} s"
                    print(f"  cold {i + 1}/{args.cold_runs}: {say}", file=sys.stderr, flush=True)
        results["time_to_green"] = {
            kind: summarise_green(runs) for kind, runs in green.items() if runs
        }

    print_table(results)
    if args.json:
        write_results("bench_copy", results)
    return 0


def write_results(benchmark: str, results: dict[str, Any]) -> None:
    """The figures as JSON in benchmarks/results/ (git-ignored), one file per run."""
    out_dir = REPO_ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = out_dir / f"{benchmark}-{stamp}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(REPO_ROOT)}")


def print_rows(title: str, rows: list[tuple[str, str, str]]) -> None:
    """A title, then rows of (measurement, figure, runs) aligned, the first as the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print(f"\n{title}")
    for index, row in enumerate(rows):
        print(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}")
        if index == 0:
            print("-" * (sum(widths) + 4))


def summarise_green(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median tox wall time and median time of each environment over `runs`, in tox's order."""
    environments = list(dict.fromkeys(env for run in runs for env in run["environments"]))
    return {
        "tox_median_s": statistics.median(run["tox"] for run in runs),
        "environments_median_s": {
            env: statistics.median(run["environments"].get(env, 0.0) for run in runs)
            for env in environments
        },
        "runs": runs,
    }


# What each time-to-green figure measures, and the goal it is held to (issue text, 2 cores).
GREEN_KINDS = {
    "fresh": ("time to green, fresh .tox, warm caches", 25),
    "second": ("second tox run, same .tox", 15),
    "cold": ("first run, empty uv, pre-commit and mypy caches", 90),
}


def print_table(results: dict[str, Any]) -> None:
    copy = results["copy"]
    rows = [("measurement", "median", "runs")]
    for name, label in (
        ("bare", "copier copy, bare one-file template"),
        ("this", "copier copy, this template"),
    ):
        rows.append((label, f"{copy[name]['median_s']:.2f} s", str(len(copy[name]["samples_s"]))))
    rows.append(("  ratio this / bare", f"{results['copy_ratio']:.1f} x", ""))
    for kind, figures in results["time_to_green"].items():
        label, goal = GREEN_KINDS[kind]
        runs = str(len(figures["runs"]))
        rows.append((f"{label} (goal {goal} s)", f"{figures['tox_median_s']:.1f} s", runs))
        for env, seconds in figures["environments_median_s"].items():
            rows.append((f"  {env}", f"{seconds:.1f} s", ""))
    commands = {run["command"] for g in results["time_to_green"].values() for run in g["runs"]}
    title = f"{results['combination']}, Python {results['python']}, {results['cpus']} CPUs"
    print_rows(f"{title}, `{', '.join(sorted(commands))}`", rows)


if __name__ == "__main__":
    raise SystemExit(main())
