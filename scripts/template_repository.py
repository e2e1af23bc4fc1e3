"""This template repository as its docs site, its benchmarks and its tests use it.

- copier.yml read as data (its `!include`s merged), and the default combination of options;
- rendering: the working tree as Copier's clone of it holds it, `copier copy` without prompts;
- a generated project's interpreter, environment, `tox` run and git;
- the release history: the tags rebuilt from CHANGELOG.md in a clone of this repository.

It is imported as a top-level module with `scripts/` on `sys.path`, as `release_notes` is.
Production code (`scripts/`, `benchmarks/`) imports this module, never `tests/`;
`tests/support.py` and `tests/updates/history.py` re-export what the tests use from it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import copier
import yaml
from release_notes import releases

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = TEMPLATE_ROOT / "template"
CHANGELOG = TEMPLATE_ROOT / "CHANGELOG.md"
OPTION_QUESTIONS = ("python_version", "ci_provider", "serving_mode", "deploy_target")


# --- copier.yml, read as data -----------------------------------------------------------------


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


DEFAULT_COMBO = Combo(**{q: str(COPIER_CONFIG[q]["default"]) for q in OPTION_QUESTIONS})


# --- rendering --------------------------------------------------------------------------------


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
    if not isinstance(loaded, dict):
        raise ValueError(f"{project / '.copier-answers.yml'} is not a mapping")
    return loaded


# --- generated projects: interpreters, environment, tox ---------------------------------------


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


def write_bytecode() -> None:
    """Let this process and every program it starts cache compiled bytecode, as a developer's
    machine does. Where PYTHONDONTWRITEBYTECODE is set, each interpreter the tests or the
    benchmarks start in a generated project would compile pandas, scikit-learn and the
    reference tool's stack again (about 7 s of each `datacontract test`)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


def tool_env(**extra: str) -> dict[str, str]:
    """Environment for a generated project's tooling: never download an interpreter.

    What `uv run` (which runs the suite and the benchmarks) sets for its own environment is
    left out, so the generated project's tox builds its own environments as it does for a user.
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


def tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


TOX_TIMEOUT_SECONDS = 1500
# A generated README's command for every check; its arguments are what `tox` is given.
README_TOX = re.compile(r"^uvx --with tox-uv tox(?P<args>[^#\n]*)", re.MULTILINE)


def readme_tox_args(project: Path) -> list[str]:
    """The arguments the project's README gives tox to run every check (`p`: in parallel)."""
    found = README_TOX.search((project / "README.md").read_text(encoding="utf-8"))
    if found is None:
        raise ValueError(f"{project}/README.md no longer says how to run tox")
    return found["args"].split()


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


# --- git --------------------------------------------------------------------------------------


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


# --- the release history as a tagged template repository --------------------------------------


def release_in_preparation() -> str | None:
    """The newest release of CHANGELOG.md when it records no commit yet, else None."""
    listed = releases(CHANGELOG.read_text(encoding="utf-8"))
    return listed[-1][0] if listed and listed[-1][1] is None else None


def recorded_releases() -> list[tuple[str, str]]:
    """(version, commit) of every tagged release in CHANGELOG.md, oldest first."""
    return [
        (version, commit)
        for version, commit in releases(CHANGELOG.read_text(encoding="utf-8"))
        if commit is not None
    ]


def build_tagged_template(dst: Path) -> Path:
    """Clone this repository into `dst` without its tags, tag each recorded release, and
    commit the working tree on top.

    A clone of main may carry no tags (CI clones often do not), so the tags are rebuilt from
    CHANGELOG.md, where every release records its commit. The working tree, with whatever is
    not committed yet, becomes one more commit on top: HEAD is what an update goes to.
    """
    git(TEMPLATE_ROOT, "clone", "-q", "--no-tags", "--no-hardlinks", str(TEMPLATE_ROOT), str(dst))
    for version, commit in recorded_releases():
        try:
            git(dst, "cat-file", "-e", f"{commit}^{{commit}}")
        except subprocess.CalledProcessError:
            raise LookupError(
                f"CHANGELOG.md says release {version} is commit {commit}, which this clone does "
                "not have; a shallow clone cannot rebuild the release history "
                "(`git fetch --unshallow`)"
            ) from None
        git(dst, "tag", f"v{version}", commit)
    for child in dst.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    snapshot_working_tree(TEMPLATE_ROOT, dst)
    git(dst, "add", "-A")
    if git(dst, "status", "--porcelain"):
        git(dst, "commit", "-q", "--no-verify", "-m", "The working tree under test")
    if preparing := release_in_preparation():
        # The newest CHANGELOG entry records no commit yet: the working tree is that release,
        # so its migrations run when a project updates to HEAD.
        git(dst, "tag", f"v{preparing}")
    return dst
