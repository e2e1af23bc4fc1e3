"""How long `copier update` of a project takes, from every release of this template to HEAD.

The template repository is this one's history with its release tags rebuilt from
CHANGELOG.md (as the update tests build it). For each release: copy a default project at
that release on the command line, commit it, then time what a team runs,
`copier update --trust --defaults --skip-answered --vcs-ref HEAD` (the migrations
included). A no-op update of a project already at HEAD is the baseline: Copier's own cost
of rendering the template twice and merging.

Usage (from the repository root, in the dev environment):

    python benchmarks/bench_update.py            # 5 updates per release
    python benchmarks/bench_update.py --runs 10
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT / "scripts"), str(REPO_ROOT / "benchmarks")]

from bench_copy import _run, repeat  # noqa: E402 - needs both on sys.path
from template_repository import (  # noqa: E402
    build_tagged_template,
    git_init_commit,
    recorded_releases,
)

COPIER = [sys.executable, "-m", "copier"]
UPDATE = [*COPIER, "update", "--trust", "--defaults", "--skip-answered", "--quiet"]


def update_from(template: Path, ref: str, root: Path) -> Callable[[int], float]:
    """A function that copies at `ref`, commits, and times the update to HEAD."""

    def once(index: int) -> float:
        project = root / str(index) / "project"
        project.parent.mkdir(parents=True)
        _run(
            [
                *COPIER,
                "copy",
                "--defaults",
                "--quiet",
                "--vcs-ref",
                ref,
                str(template),
                str(project),
            ],
            project.parent,
        )
        git_init_commit(project)
        started = time.perf_counter()
        _run([*UPDATE, "--vcs-ref", "HEAD"], project)
        return time.perf_counter() - started

    return once


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="updates per release (5)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-update-") as tmp:
        work = Path(tmp)
        template = build_tagged_template(work / "template")
        starts = [(f"v{version}", f"from {version}") for version, _ in recorded_releases()]
        for ref, label in [*starts, ("HEAD", "no-op, already at HEAD")]:
            samples = repeat(label, args.runs, update_from(template, ref, work / ref))
            rows.append((f"copier update {label}", statistics.median(samples), len(samples)))
    width = max(len(label) for label, _, _ in rows)
    print("\ncopier update to HEAD (--trust --defaults --skip-answered), default answers")
    for label, median, runs in rows:
        print(f"{label:<{width}}  {median:6.2f} s median of {runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
