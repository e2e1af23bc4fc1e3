"""How long the fleet report takes over many repositories.

Builds N synthetic repositories (default 500), each only a `.copier-answers.yml` as Copier
writes it: `_src_path` is this template as a tagged git repository (its releases rebuilt from
CHANGELOG.md, as the update tests do) and `_commit` is spread over the first release, the
latest one, and a commit past the latest (`v1.1.0-3-gabc1234`). An inventory lists them
with their teams. `ml-platform-fleet --inventory ... --format json` then runs as a
subprocess, as the scheduled job runs it: once on an empty cache, then `--runs` times
(median) with the default `--jobs`, and with `--jobs` 1, 2 and 4. Every run's JSON must
list the N projects with the versions and releases behind that were written. Last, the
report's peak memory (its process's max RSS) on N and on 4 N repositories: it should stay
flat as the fleet grows.

Usage (from the repository root, in the dev environment):

    python benchmarks/bench_fleet.py                  # 500 repositories, 3 runs each
    python benchmarks/bench_fleet.py --repositories 2000 --runs 5 --json

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
import sysconfig
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT / "scripts"), str(REPO_ROOT / "benchmarks")]

from bench_copy import print_rows, write_results  # noqa: E402 - needs both on sys.path
from template_repository import build_tagged_template, recorded_releases, tail  # noqa: E402

FLEET = Path(sysconfig.get_path("scripts")) / "ml-platform-fleet"
TODAY = "2026-12-01"
JOBS_VARIANTS = (1, 2, 4)


def commit_spread() -> list[tuple[str, str]]:
    """(`_commit`, expected version) for the first release, the latest, and past the latest."""
    versions = [version for version, _ in recorded_releases()]
    first, latest = versions[0], versions[-1]
    return [
        (f"v{first}", first),
        (f"v{latest}", latest),
        (f"v{latest}-3-gabc1234", latest),
    ]


def answers(index: int, template: Path, commit: str) -> dict[str, Any]:
    """What Copier records for a project generated with the default answers."""
    org = f"org{index % 7}"
    name = f"model-{index:04d}"
    return {
        "_commit": commit,
        "_src_path": str(template),
        "ci_provider": "github" if index % 4 else "gitlab",
        "deploy_target": "kserve" if index % 3 else "none",
        "description": f"Model {index} of the benchmark fleet",
        "organisation": org,
        "package_name": name.replace("-", "_"),
        "project_name": f"Model {index:04d}",
        "project_slug": name,
        "python_version": ("3.11", "3.12", "3.13")[index % 3],
        "serving_mode": "rest",
        "team_data_engineering": f"@{org}/data-engineering",
        "team_data_science": f"@{org}/ds-{index % 11}",
        "team_mlops": f"@{org}/mlops",
        "team_platform": f"@{org}/ml-platform",
    }


def build_fleet(root: Path, template: Path, count: int) -> tuple[Path, dict[str, str]]:
    """`count` repositories and the inventory listing them; the expected version of each."""
    spread = commit_spread()
    expected: dict[str, str] = {}
    entries = []
    for index in range(count):
        commit, version = spread[index % len(spread)]
        project = root / "repositories" / f"model-{index:04d}"
        project.mkdir(parents=True)
        recorded = answers(index, template, commit)
        header = "# Changes here will be overwritten by Copier; do not edit by hand.\n"
        (project / ".copier-answers.yml").write_text(
            header + yaml.safe_dump(recorded, sort_keys=True), encoding="utf-8"
        )
        expected[project.name] = version
        entries.append({"path": f"repositories/{project.name}", "team": f"@org{index % 7}/ds"})
    inventory = root / "inventory.yaml"
    inventory.write_text(
        yaml.safe_dump({"policy": {"expiry_window_days": 30}, "repositories": entries}),
        encoding="utf-8",
    )
    return inventory, expected


def run_report(
    inventory: Path, cache: Path, jobs: int | None
) -> tuple[float, dict[str, Any], float]:
    """One run: wall seconds, the JSON report, and the report process's peak RSS in MiB."""
    command = [str(FLEET), "--inventory", str(inventory), "--format", "json"]
    command += ["--cache-dir", str(cache), "--today", TODAY]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak memory
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise SystemExit(f"failed ({code}): {' '.join(command)}\n{tail(err.read())}")
        return seconds, json.loads(out.read()), usage.ru_maxrss / 1024


def check(report: dict[str, Any], expected: dict[str, str], latest: str) -> None:
    """The report lists every repository, in order, with the version it was given."""
    projects = report["projects"]
    if len(projects) != len(expected):
        raise SystemExit(f"{len(projects)} projects in the report, {len(expected)} written")
    wrong = []
    for project, (name, version) in zip(projects, expected.items(), strict=True):
        template = project.get("template") or {}
        behind = 0 if version == latest else 1
        if (
            project["name"] != name
            or project["problem"]
            or template.get("version") != version
            or template.get("latest") != latest
            or template.get("releases_behind") != behind
        ):
            wrong.append(f"{project['name']}: {project['problem'] or template}")
    if wrong:
        raise SystemExit(f"{len(wrong)} projects reported wrongly, e.g.\n" + "\n".join(wrong[:5]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=500, help="repositories (500)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each variant (3)")
    parser.add_argument("--json", action="store_true", help="write benchmarks/results/*.json")
    args = parser.parse_args(argv)

    latest = recorded_releases()[-1][0]
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "repositories": args.repositories,
        "latest_release": latest,
    }
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        template = build_tagged_template(work / "template")
        inventory, expected = build_fleet(work / "fleet", template, args.repositories)
        results["setup_s"] = time.perf_counter() - started
        print(
            f"{args.repositories} repositories and a tagged template in {results['setup_s']:.1f} s",
            file=sys.stderr,
        )

        cache = work / "cache"
        seconds, report, _ = run_report(inventory, cache, None)
        check(report, expected, latest)
        results["first_run_empty_cache_s"] = seconds
        print(f"  first run, empty cache: {seconds:.2f} s", file=sys.stderr, flush=True)

        variants: dict[str, list[float]] = {}
        for jobs in (None, *JOBS_VARIANTS):
            label = "default jobs" if jobs is None else f"--jobs {jobs}"
            samples = []
            for index in range(args.runs):
                seconds, report, _ = run_report(inventory, cache, jobs)
                check(report, expected, latest)
                samples.append(seconds)
                line = f"  {label} {index + 1}/{args.runs}: {seconds:.2f} s"
                print(line, file=sys.stderr, flush=True)
            variants[label] = samples
        results["runs"] = {
            label: {"median_s": statistics.median(s), "samples_s": s}
            for label, s in variants.items()
        }
        results["by_version"] = report["summary"]["by_version"]

        # Memory as the fleet grows: the same report on N and on 4 N repositories.
        results["peak_rss_mib"] = {}
        for count in (args.repositories, 4 * args.repositories):
            fleet, wanted = build_fleet(work / f"fleet-{count}", template, count)
            _, report, peak = run_report(fleet, cache, None)
            check(report, wanted, latest)
            results["peak_rss_mib"][str(count)] = round(peak, 1)
            print(f"  {count} repositories: peak {peak:.0f} MiB", file=sys.stderr, flush=True)

    print_table(results)
    if args.json:
        write_results("bench_fleet", results)
    return 0


def print_table(results: dict[str, Any]) -> None:
    rows = [("ml-platform-fleet --format json", "median", "runs")]
    rows.append(("first run, empty cache", f"{results['first_run_empty_cache_s']:.2f} s", "1"))
    for label, figures in results["runs"].items():
        rows.append((label, f"{figures['median_s']:.2f} s", str(len(figures["samples_s"]))))
    for count, peak in results["peak_rss_mib"].items():
        rows.append((f"peak memory, {count} repositories", f"{peak:.0f} MiB", "1"))
    print_rows(
        f"{results['repositories']} repositories, Python {results['python']}, "
        f"{results['cpus']} CPUs; by version: {results['by_version']}",
        rows,
    )


if __name__ == "__main__":
    raise SystemExit(main())
