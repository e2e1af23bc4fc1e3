"""Helpers every test layer imports: copier.yml as data, option combinations, rendering,
parsing rendered files, interpreters and git for generated projects.

Fixtures built on these live in `tests/conftest.py`.
"""

from __future__ import annotations

import atexit
import functools
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import copier
import yaml

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = TEMPLATE_ROOT / "template"
OPTION_QUESTIONS = ("python_version", "ci_provider", "serving_mode", "deploy_target")
# The one pair of option values the questionnaire refuses: KServe serves online only.
INVALID_OPTION_PAIRS = ({"serving_mode": "batch", "deploy_target": "kserve"},)


# --- copier.yml, read as data ----------------------------------------------------------------


def _include_loader(base: Path) -> type[yaml.SafeLoader]:
    """A safe YAML loader that resolves `!include` against the template root, as Copier does."""

    class Loader(yaml.SafeLoader):
        pass

    def include(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> list[Any]:
        documents: list[Any] = []
        for path in sorted(base.glob(str(loader.construct_scalar(node)))):
            documents.extend(d for d in yaml.load_all(path.read_text("utf-8"), Loader) if d)
        return documents

    Loader.add_constructor("!include", include)
    return Loader


def load_copier_config() -> dict[str, Any]:
    """copier.yml with its includes merged into one mapping."""
    text = (TEMPLATE_ROOT / "copier.yml").read_text(encoding="utf-8")
    merged: dict[str, Any] = {}
    for document in yaml.load_all(text, Loader=_include_loader(TEMPLATE_ROOT)):
        for part in document if isinstance(document, list) else [document]:
            if isinstance(part, dict):
                merged.update(part)
    return merged


def choice_values(question: dict[str, Any]) -> list[str]:
    """The values of a question's choices, whichever of Copier's forms they are written in."""
    choices = question["choices"]
    if isinstance(choices, list):
        return [str(c) for c in choices]
    return [str(v["value"] if isinstance(v, dict) else v) for v in choices.values()]


COPIER_CONFIG = load_copier_config()
RESERVED_IMPORT_NAMES: dict[str, list[str]] = COPIER_CONFIG["reserved_import_names"]["default"]
OPTION_VALUES = {q: choice_values(COPIER_CONFIG[q]) for q in OPTION_QUESTIONS}


# --- option combinations ------------------------------------------------------------------


@dataclass(frozen=True)
class Combo:
    """One choice for each option question; its id reads like `github-rest-kubernetes-py312`."""

    python_version: str
    ci_provider: str
    serving_mode: str
    deploy_target: str

    @property
    def id(self) -> str:
        py = "py" + self.python_version.replace(".", "")
        return f"{self.ci_provider}-{self.serving_mode}-{self.deploy_target}-{py}"

    @property
    def data(self) -> dict[str, str]:
        return {q: getattr(self, q) for q in OPTION_QUESTIONS}

    def __str__(self) -> str:
        return self.id


def is_valid_combination(values: dict[str, str]) -> bool:
    return not any(all(values[k] == v for k, v in pair.items()) for pair in INVALID_OPTION_PAIRS)


def _all_combinations() -> list[Combo]:
    products = itertools.product(*OPTION_VALUES.values())
    every = [dict(zip(OPTION_QUESTIONS, p, strict=True)) for p in products]
    return [Combo(**values) for values in every if is_valid_combination(values)]


ALL_COMBOS = _all_combinations()
DEFAULT_COMBO = Combo(**{q: str(COPIER_CONFIG[q]["default"]) for q in OPTION_QUESTIONS})
# The generated projects' own tox runs on these; together they use every option value.
TOX_COMBOS = [
    DEFAULT_COMBO,  # github-rest-kubernetes-py312
    Combo("3.11", "gitlab", "batch", "kubernetes"),
    Combo("3.13", "github", "rest", "kserve"),
]


# --- rendering ------------------------------------------------------------------------------


def working_tree_files(root: Path) -> list[str]:
    """What `git add -A` would commit: tracked and untracked files, without ignored ones."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout
    return sorted({name for name in out.decode().split("\0") if name})


def snapshot_working_tree(root: Path, dst: Path) -> Path:
    """Copy the working tree without `.git`: the files Copier's clone of a dirty repo holds."""
    for name in working_tree_files(root):
        source = root / name
        if not source.is_file():  # deleted, not yet committed
            continue
        target = dst / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    return dst


RenderFn = Callable[[dict[str, Any], Path], Path]

# The platform kit's version, as copier.yml includes it and every project pins it.
KIT_VERSION = str(COPIER_CONFIG["platform_kit_version"]["default"])


@functools.cache
def kit_source() -> str:
    """The answer `platform_kit_source` for projects the tests install: a `file://` git URL of
    this working tree, committed and tagged `v<kit version>`, as a real project installs the
    kit from the template repository at its release tag, offline. One per test process."""
    repository = Path(tempfile.mkdtemp(prefix="ml-platform-kit-"))
    atexit.register(shutil.rmtree, repository, True)
    snapshot_working_tree(TEMPLATE_ROOT, repository)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repository, check=True)
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "--no-verify", "-m", "The platform kit under test")
    git(repository, "tag", f"v{KIT_VERSION}")
    return repository.as_uri()


def render_from(src: Path | str, data: dict[str, Any], dst: Path, **kwargs: Any) -> Path:
    """Render `src` into `dst` without prompting: answers from `data`, defaults for the rest."""
    copier.run_copy(
        src_path=str(src),
        dst_path=dst,
        data=data,
        defaults=True,
        unsafe=True,
        quiet=True,
        **kwargs,
    )
    return dst


def read_answers(project: Path) -> dict[str, Any]:
    loaded = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), ".copier-answers.yml is not a mapping"
    return loaded


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


class _AnyTagLoader(yaml.SafeLoader):
    """Safe loading that accepts application tags such as GitLab's `!reference [...]`."""


def _construct_tagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


_AnyTagLoader.add_multi_constructor("!", _construct_tagged)

STRUCTURED_SUFFIXES = (".yaml", ".yml", ".toml", ".json", ".ipynb")


def parse_structured(path: Path) -> Any:
    """Parse a YAML/TOML/JSON/notebook file with a strict parser; raises on invalid syntax."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        return list(yaml.load_all(text, Loader=_AnyTagLoader))
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


# --- generated projects: interpreters, environment, git ------------------------------------


def _runs(executable: Path, version: str) -> bool:
    try:
        out = subprocess.run(
            [os.fspath(executable), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip() == version


class InterpreterNotFound(LookupError):
    pass


def find_interpreter(version: str) -> Path:
    """A working `pythonX.Y`: PATH's if it really runs (a pyenv shim may not), else pyenv's."""
    candidates: list[Path] = []
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(Path(on_path))
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates.extend(sorted(pyenv_root.glob(f"versions/{version}*/bin/python{version}")))
    for candidate in candidates:
        if _runs(candidate, version):
            return candidate.resolve()
    tried = ", ".join(str(c) for c in candidates) or "none found"
    raise InterpreterNotFound(
        f"no working python{version} (tried: {tried}); a generated project that chose Python "
        f"{version} needs it. Install it, e.g. `pyenv install {version}` or "
        f"`uv python install {version}`, and run again."
    )


def path_with_python(version: str, bin_dir: Path) -> str:
    """PATH with `bin_dir/pythonX.Y` (a link to a working interpreter) in front."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    link = bin_dir / f"python{version}"
    if not link.exists():
        link.symlink_to(find_interpreter(version))
    return os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])


def tool_env(**extra: str) -> dict[str, str]:
    """Environment for a generated project's tooling: never download an interpreter.

    What `uv run` (which runs this suite) sets for its own environment is left out, so the
    generated project's tox builds its own environments as it does for a user.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "UV", "UV_RUN_RECURSION_DEPTH"}
        and not key.startswith("UV_INTERNAL__")
    }
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env.update(extra)
    return env


GIT_IDENTITY = ("-c", "user.name=Template Tests", "-c", "user.email=tests@example.invalid")


def git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *GIT_IDENTITY, *args], cwd=project, check=True, capture_output=True, text=True
    ).stdout


def git_init_commit(project: Path) -> None:
    """Make `project` a git repository with one commit on `main`, as the copy message says."""
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "--no-verify", "-m", "Start from the ML platform template")


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


def tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


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


TOX_TIMEOUT_SECONDS = 1500


@dataclass(frozen=True)
class ToxRun:
    """What a generated project's tox printed, how it ended, and how long it took."""

    returncode: int
    output: str
    seconds: float


def run_tox(
    project: Path, path: str, *args: str, prefix: Sequence[str] = (), **environment: str
) -> ToxRun:
    """Run the generated project's own tox (from this environment) with `PATH=path`.

    `environment` adds variables, e.g. empty cache directories for a cold run; `prefix` is a
    command tox runs under, e.g. `faketime -f +400d`.
    """
    started = time.monotonic()
    try:
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "tox", *args],
            cwd=project,
            env=tool_env(PATH=path, **environment),
            capture_output=True,
            text=True,
            timeout=TOX_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        output = expired.stdout or ""
        if isinstance(output, bytes):
            output = output.decode(errors="replace")
        message = f"tox {' '.join(args)} ran over {TOX_TIMEOUT_SECONDS}s\n{tail(output)}"
        raise AssertionError(message) from None
    return ToxRun(result.returncode, result.stdout + result.stderr, time.monotonic() - started)
