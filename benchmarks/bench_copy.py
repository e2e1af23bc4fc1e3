"""How long `copier copy` of this template takes, and how long until a new project is green.

Two measurements in one run:

1. copy: `copier copy` on the command line (as a user runs it) of this template against a
   bare one-file Copier template, both as clean git repositories; reported as medians and
   their ratio, so the figure says what this template adds on top of Copier itself.
2. time to green: copy, `git init` and commit, then the generated project's own `tox`
   (every environment), once with a warm uv cache and once with empty uv and pre-commit
   caches (what a new machine or a CI runner without a cache sees).

Usage (from the repository root, in the dev environment):

    python benchmarks/bench_copy.py              # 10 copies each, 3 warm and 1 cold green run
    python benchmarks/bench_copy.py --quick      # 3 copies each, 1 warm green run, no cold
    python benchmarks/bench_copy.py --runs 20 --cold-runs 2 --json

`--json` writes the figures to benchmarks/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
    run_tox,
    snapshot_working_tree,
    tail,
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


def time_to_green(template: Path, workdir: Path, path: str, **environment: str) -> dict[str, float]:
    """Seconds for copy, git init + commit, and tox; `total` is the sum a user waits."""
    project = workdir / "project"
    times = {"copy": copier_copy(template, project)}
    started = time.perf_counter()
    git_init_commit(project)
    times["git"] = time.perf_counter() - started
    tox = run_tox(project, path, **environment)
    if tox.returncode != 0:
        raise SystemExit(f"tox failed ({tox.returncode}) in {project}\n{tail(tox.output, 40)}")
    times["tox"] = tox.seconds
    times["total"] = sum(times.values())
    return times


def repeat(label: str, runs: int, once: Callable[[int], float]) -> list[float]:
    samples = []
    for index in range(runs):
        samples.append(once(index))
        print(f"  {label} {index + 1}/{runs}: {samples[-1]:.2f} s", file=sys.stderr, flush=True)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="copies of each template (10)")
    parser.add_argument("--green-runs", type=int, default=3, help="warm time-to-green runs (3)")
    parser.add_argument("--cold-runs", type=int, default=1, help="cold time-to-green runs (1)")
    parser.add_argument(
        "--quick", action="store_true", help="3 copies each, 1 warm green run, no cold run"
    )
    parser.add_argument("--no-green", action="store_true", help="time the copies only")
    parser.add_argument("--json", action="store_true", help="write benchmarks/results/*.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.green_runs, args.cold_runs = min(args.runs, 3), 1, 0
    if args.no_green:
        args.green_runs = args.cold_runs = 0

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

        green: dict[str, list[dict[str, float]]] = {}
        if args.green_runs or args.cold_runs:
            bin_dir = work / "bin"
            try:
                path = path_with_python(DEFAULT_COMBO.python_version, bin_dir)
            except InterpreterNotFound as missing:
                raise SystemExit(f"time to green: {missing}") from None
            if args.green_runs:
                print("time to green, warm caches (one untimed warm-up)", file=sys.stderr)
                warmup = work / "green-warmup"
                warmup.mkdir()
                time_to_green(this, warmup, path)
                green["warm"] = []
                for i in range(args.green_runs):
                    run_dir = work / f"green-warm-{i}"
                    run_dir.mkdir()
                    green["warm"].append(time_to_green(this, run_dir, path))
                    print(
                        f"  warm {i + 1}/{args.green_runs}: {green['warm'][-1]['total']:.1f} s",
                        file=sys.stderr,
                        flush=True,
                    )
            if args.cold_runs:
                print("time to green, empty uv and pre-commit caches", file=sys.stderr)
                green["cold"] = []
                for i in range(args.cold_runs):
                    run_dir = work / f"green-cold-{i}"
                    run_dir.mkdir()
                    cold = time_to_green(
                        this,
                        run_dir,
                        path,
                        UV_CACHE_DIR=str(run_dir / "uv-cache"),
                        PRE_COMMIT_HOME=str(run_dir / "pre-commit-home"),
                    )
                    green["cold"].append(cold)
                    print(
                        f"  cold {i + 1}/{args.cold_runs}: {green['cold'][-1]['total']:.1f} s",
                        file=sys.stderr,
                        flush=True,
                    )
        results["time_to_green"] = {
            cache: {
                "median_s": {
                    part: statistics.median(run[part] for run in runs)
                    for part in ("copy", "git", "tox", "total")
                },
                "runs": runs,
            }
            for cache, runs in green.items()
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


def print_table(results: dict[str, Any]) -> None:
    copy = results["copy"]
    rows = [("measurement", "median", "runs")]
    for name, label in (
        ("bare", "copier copy, bare one-file template"),
        ("this", "copier copy, this template"),
    ):
        rows.append((label, f"{copy[name]['median_s']:.2f} s", str(len(copy[name]["samples_s"]))))
    rows.append(("  ratio this / bare", f"{results['copy_ratio']:.1f} x", ""))
    green = results["time_to_green"]
    for cache, figures in green.items():
        medians = figures["median_s"]
        runs = str(len(figures["runs"]))
        rows.append((f"time to green, {cache} caches (total)", f"{medians['total']:.1f} s", runs))
        for part in ("copy", "git", "tox"):
            rows.append((f"  {part}", f"{medians[part]:.2f} s", ""))
    print_rows(
        f"{results['combination']}, Python {results['python']}, {results['cpus']} CPUs", rows
    )


if __name__ == "__main__":
    raise SystemExit(main())
