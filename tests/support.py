"""Helpers every test layer imports: option combinations, parsing rendered files, running a
generated project's own tools.

What the docs site and the benchmarks need as well (copier.yml as data, rendering, a
generated project's interpreter, tox and git) lives in `scripts/template_repository.py`;
the names the tests use are re-exported here. Fixtures built on these live in
`tests/conftest.py`.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock

# Shared with the docs site and the benchmarks; re-exported for the tests.
from template_repository import COPIER_CONFIG as COPIER_CONFIG
from template_repository import DEFAULT_COMBO as DEFAULT_COMBO
from template_repository import OPTION_QUESTIONS as OPTION_QUESTIONS
from template_repository import README_TOX as README_TOX
from template_repository import TEMPLATE_DIR as TEMPLATE_DIR
from template_repository import TEMPLATE_ROOT as TEMPLATE_ROOT
from template_repository import Combo as Combo
from template_repository import InterpreterNotFound as InterpreterNotFound
from template_repository import ToxRun as ToxRun
from template_repository import choice_values as choice_values
from template_repository import find_interpreter as find_interpreter
from template_repository import git as git
from template_repository import git_init_commit as git_init_commit
from template_repository import path_with_python as path_with_python
from template_repository import read_answers as read_answers
from template_repository import readme_tox_args as readme_tox_args
from template_repository import render_from as render_from
from template_repository import run_tox as run_tox
from template_repository import snapshot_working_tree as snapshot_working_tree
from template_repository import tail as tail
from template_repository import tool_env as tool_env
from template_repository import working_tree_files as working_tree_files
from template_repository import write_bytecode as write_bytecode

from ml_platform_kit.scanning import TaggedLoader

# The one pair of option values the questionnaire refuses: KServe serves online only.
INVALID_OPTION_PAIRS = ({"serving_mode": "batch", "deploy_target": "kserve"},)
RESERVED_IMPORT_NAMES: dict[str, list[str]] = COPIER_CONFIG["reserved_import_names"]["default"]
OPTION_VALUES = {q: choice_values(COPIER_CONFIG[q]) for q in OPTION_QUESTIONS}


# --- option combinations ------------------------------------------------------------------


def is_valid_combination(values: dict[str, str]) -> bool:
    return not any(all(values[k] == v for k, v in pair.items()) for pair in INVALID_OPTION_PAIRS)


def _all_combinations() -> list[Combo]:
    products = itertools.product(*OPTION_VALUES.values())
    every = [dict(zip(OPTION_QUESTIONS, p, strict=True)) for p in products]
    return [Combo(**values) for values in every if is_valid_combination(values)]


ALL_COMBOS = _all_combinations()
# The generated projects' own tox runs on these; together they use every option value.
TOX_COMBOS = [
    DEFAULT_COMBO,  # github-rest-kubernetes-py312
    Combo("3.11", "gitlab", "batch", "kubernetes"),
    Combo("3.13", "github", "rest", "kserve"),
]


# --- rendering ------------------------------------------------------------------------------

RenderFn = Callable[[dict[str, Any], Path], Path]

# The platform kit's version, as copier.yml includes it and every project pins it.
KIT_VERSION = str(COPIER_CONFIG["platform_kit_version"]["default"])


# --- what the workers of one run share ---------------------------------------------------------

# The directory the run's workers share, named by the process that starts them
# (tests/conftest.py): the kit repository, the template snapshot and history, the render of
# each combination and the copies of each release are built there once, by whichever
# worker needs them first.
RUN_DIR_VARIABLE = "ML_PLATFORM_TEMPLATE_TEST_RUN"


def run_dir() -> Path:
    """The directory this run's workers share."""
    return Path(os.environ[RUN_DIR_VARIABLE])


def built_once(path: Path, build: Callable[[Path], object]) -> Path:
    """`path`, built by `build(path)` unless a worker of this run built it already; the others
    wait for the first. A build that fails leaves nothing behind, so the next one tries again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{path}.lock"):
        if not path.exists():
            try:
                build(path)
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise
    return path


def _commit_kit(repository: Path) -> None:
    snapshot_working_tree(TEMPLATE_ROOT, repository)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repository, check=True)
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "--no-verify", "-m", "The platform kit under test")
    git(repository, "tag", f"v{KIT_VERSION}")


@functools.cache
def kit_source() -> str:
    """The answer `platform_kit_source` for projects the tests install: a `file://` git URL of
    this working tree, committed and tagged `v<kit version>`, as a real project installs the
    kit from the template repository at its release tag, offline. One per run: every worker's
    projects install the same commit, which uv builds once."""
    return built_once(run_dir() / "ml-platform-kit", _commit_kit).as_uri()


def tracked_changes(project: Path) -> str:
    """`git status` of the project's tracked files: empty when no command rewrote one."""
    return git(project, "status", "--porcelain", "--untracked-files=no")


# --- rendered files --------------------------------------------------------------------------


def project_files(project: Path) -> Iterator[Path]:
    """Every file of a rendered project, outside `.git` and tool caches."""
    skip = {".git", ".tox", ".venv", ".ruff_cache", ".mypy_cache", ".pytest_cache", "__pycache__"}
    for path in sorted(project.rglob("*")):
        if path.is_file() and not skip.intersection(path.relative_to(project).parts):
            yield path


def text_of(path: Path) -> str | None:
    """The file's text, or None for a binary file."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


STRUCTURED_SUFFIXES = (".yaml", ".yml", ".toml", ".json", ".ipynb")


class LibyamlTaggedLoader(yaml.CSafeLoader):
    """The kit's TaggedLoader (application tags such as GitLab's `!reference` accepted) on
    libyaml, the parser PyYAML's own ports: about seven times faster, and the suite parses
    every YAML file of a few hundred renders."""

    yaml_multi_constructors = TaggedLoader.yaml_multi_constructors


def parse_structured(path: Path) -> Any:
    """Parse a YAML/TOML/JSON/notebook file with a strict parser; raises on invalid syntax."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        return list(yaml.load_all(text, Loader=LibyamlTaggedLoader))
    if path.suffix == ".toml":
        return tomllib.loads(text)
    loaded = json.loads(text)
    if path.suffix == ".ipynb":
        assert isinstance(loaded, dict), f"{path.name}: a notebook is a JSON object"
        assert "cells" in loaded, f"{path.name}: a notebook has cells"
        assert loaded.get("nbformat") == 4, f"{path.name}: nbformat 4 expected"
    return loaded


def structured_files(project: Path) -> list[Path]:
    return [p for p in project_files(project) if p.name.endswith(STRUCTURED_SUFFIXES)]


def unparseable_files(project: Path) -> list[str]:
    """`path: error` for each YAML/TOML/JSON/notebook file of `project` that does not parse."""
    broken = []
    for path in structured_files(project):
        try:
            parse_structured(path)
        except Exception as error:
            broken.append(f"{path.relative_to(project)}: {type(error).__name__}: {error}")
    return broken


# CI expressions that legitimately hold braces: GitHub's `${{ ... }}`, shell's `${#var}`.
_CI_EXPRESSION = re.compile(r"\$\{\{.*?\}\}|\$\{#", re.DOTALL)


def unrendered_jinja(text: str) -> list[tuple[int, str]]:
    """(line number, line) for each line that still holds Jinja delimiters."""
    stripped = _CI_EXPRESSION.sub("", text)
    return [
        (number, line.strip())
        for number, line in enumerate(stripped.splitlines(), start=1)
        if re.search(r"\{\{|\{%|\{#", line)
    ]


# --- generated projects: their own tools ------------------------------------------------


def run_kit(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The platform kit of this working tree on a project, `ml-platform --root <project> ...`
    (e.g. `run_kit(project, "conventions")`), without a tox environment."""
    return subprocess.run(
        [sys.executable, "-m", "ml_platform_kit.cli", "--root", str(project), *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


# Both ways ruff looks at code: lint findings, and what formatting would change.
RUFF_CHECKS = {
    "check": ["check", "--output-format", "concise"],
    "format": ["format", "--check", "--diff"],
}


def ruff_findings(directory: Path, check: str) -> str:
    """What `ruff <check>` reports in `directory` (with its own settings), or "" if clean."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *RUFF_CHECKS[check], "--no-cache", "."],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if result.returncode == 0 else tail(result.stdout + result.stderr)
