"""Planted update leftovers: the conflict gate fails naming each file, line and owner.

`copier update` exits 0 with conflict markers in files and `.rej` files beside them; the
gate, `ml-platform conflicts` (the platform kit), is what stops them from being merged. The
likeliest conflicts are in the platform files teams edit most, `tox.toml`, `pyproject.toml`,
`.pre-commit-config.yaml` and the CI file, which every other tool reads; so the gate runs
here without tox, exactly as the generated CI runs it (the commands read from the rendered
CI file: the job GitHub's `check` job needs, the job of GitLab's `.pre` stage) and as
docs/ci.md tells a person to run it after an update (the command read from the page).
`tox -e conventions`, which calls the gate too, is shown once. Last, a real conflict:
a project copied at the first release, with a team's line at the end of `tox.toml`,
updated to HEAD by `copier update`.

Each planted test restores the project; the clean projects pass before and after.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.planted.support import prepared_project, restore
from tests.support import (
    DEFAULT_COMBO,
    Combo,
    RenderFn,
    find_interpreter,
    git,
    git_init_commit,
    read_answers,
    run_tox,
    tail,
    tool_env,
)
from tests.updates.history import copy_at, recorded_releases, update

pytestmark = pytest.mark.slow

GITLAB_COMBO = Combo(DEFAULT_COMBO.python_version, "gitlab", "rest", "kubernetes")
# The files a team edits most and every other tool reads; the CI file per provider.
CONFLICTED = {
    "github": ["tox.toml", "pyproject.toml", ".pre-commit-config.yaml", ".github/workflows/ci.yml"],
    "gitlab": ["tox.toml", "pyproject.toml", ".pre-commit-config.yaml", ".gitlab-ci.yml"],
}
WAYS = ["as-ci-runs-it", "as-the-docs-say"]
CLEAN = "UPD001, UPD002: no conflict markers and no .rej files"


# --- the gate's commands, read from the rendered files ----------------------------------------

Gate = Callable[[Path], subprocess.CompletedProcess[str]]


def _bash(scripts: list[str], path: str) -> Gate:
    """Run `scripts` one after the other in a project, as the CI shell does (bash -eo pipefail)."""

    def run(project: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(scripts)],
            cwd=project,
            env=tool_env(PATH=path),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    return run


def ci_gate_scripts(project: Path) -> list[str]:
    """The commands of the CI job that runs before the checks: on GitHub the job the `check`
    job needs, on GitLab the job of the `.pre` stage."""
    workflow = project / ".github" / "workflows" / "ci.yml"
    if workflow.is_file():
        jobs = yaml.safe_load(workflow.read_text("utf-8"))["jobs"]
        needs = jobs["check"].get("needs")
        names = [needs] if isinstance(needs, str) else list(needs or [])
        assert len(names) == 1, f"the check job needs one job, the conflict gate: {needs!r}"
        return [step["run"] for step in jobs[names[0]]["steps"] if "run" in step]
    ci = yaml.safe_load((project / ".gitlab-ci.yml").read_text("utf-8"))
    pre = [job for job in ci.values() if isinstance(job, dict) and job.get("stage") == ".pre"]
    assert len(pre) == 1, "one job in GitLab's .pre stage: the conflict gate"
    return [*pre[0].get("before_script", []), *pre[0]["script"]]


def docs_gate_scripts(project: Path) -> list[str]:
    """The bash block of docs/ci.md's "Conflict gate" section: what a person runs."""
    page = (project / "docs" / "ci.md").read_text("utf-8")
    section = page.split("\n## Conflict gate\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "docs/ci.md#conflict-gate shows no command to run"
    return [
        line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")
    ]


def gates(project: Path, path: str) -> dict[str, Gate]:
    scripts = {
        "as-ci-runs-it": ci_gate_scripts(project),
        "as-the-docs-say": docs_gate_scripts(project),
    }
    for way, lines in scripts.items():
        assert lines, f"{way}: no command"
        joined = "\n".join(lines)
        assert "ml-platform conflicts" in joined, f"{way}: {joined}"
        # Nothing that reads the project's own files, which may hold the conflicts: no tox,
        # no pre-commit, no `uv run`/`uv sync` (pyproject.toml); the kit runs on its own.
        reads_project = r"\b(tox|pre-commit)\b|\buv (run|sync)\b"
        assert not re.search(reads_project, joined), f"{way}: {joined}"
    return {way: _bash(lines, path) for way, lines in scripts.items()}


# --- projects ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plain_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """PATH whose `python3` is the project's Python, as on CI's runner and image."""
    bin_dir = tmp_path_factory.mktemp("python3")
    (bin_dir / "python3").symlink_to(find_interpreter(DEFAULT_COMBO.python_version))
    return f"{bin_dir}:{tool_env()['PATH']}"


@pytest.fixture(scope="module")
def github_project(
    render: RenderFn, python_path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """A committed default (GitHub) render with its `conventions` environment built."""
    return prepared_project(render, python_path, tmp_path_factory, "conflict-gate", "conventions")


@pytest.fixture(scope="module")
def projects(
    github_project: tuple[Path, str],
    render: RenderFn,
    tmp_path_factory: pytest.TempPathFactory,
    plain_python: str,
) -> dict[str, tuple[Path, dict[str, Gate]]]:
    """Per CI provider: a committed render and the gate run each way, read before planting."""
    gitlab = render(GITLAB_COMBO.data, tmp_path_factory.mktemp("conflict-gate-gl") / "project")
    git_init_commit(gitlab)
    return {
        provider: (root, gates(root, plain_python))
        for provider, root in [("github", github_project[0]), ("gitlab", gitlab)]
    }


def conflict_at(project: Path, relpath: str, number: int) -> tuple[int, int]:
    """Replace line `number` of a file with a conflict over it, as Copier writes one;
    returns the line numbers of its start and end markers."""
    path = project / relpath
    lines = path.read_text("utf-8").splitlines(keepends=True)
    original = lines[number - 1].rstrip("\n")
    lines[number - 1] = "\n".join(
        [
            "<" * 7 + " before updating",
            original + "  # the team's side",
            "=" * 7,
            original,
            ">" * 7 + " after updating",
            "",
        ]
    )
    path.write_text("".join(lines), "utf-8")
    return number, number + 4


def findings(output: str, code: str, relpath: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"{code} {relpath}:")]


def assert_names(line: str, code: str, where: str, owner: str) -> None:
    assert line.startswith(f"{code} {where}: "), f"not {code} at {where}: {line}"
    assert "agreement: template updates" in line, f"no agreement in: {line}"
    assert f"· owner: {owner} ·" in line, f"owner {owner} not in: {line}"
    assert line.endswith(f"docs/ci.md#{code.lower()}"), f"no docs page in: {line}"


# --- clean ------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["github", "gitlab"])
@pytest.mark.parametrize("way", WAYS)
def test_clean_project_passes_the_conflict_gate(projects, provider: str, way: str) -> None:
    root, gate = projects[provider]
    result = gate[way](root)
    assert result.returncode == 0, f"the gate fails a clean render\n{result.stdout}{result.stderr}"
    assert CLEAN in result.stdout


def test_clean_project_passes_tox_conventions(github_project: tuple[Path, str]) -> None:
    root, path = github_project
    tox = run_tox(root, path, "-e", "conventions")
    assert tox.returncode == 0, f"tox -e conventions fails a clean render\n{tail(tox.output)}"
    assert "UPD001, UPD002: template updates hold" in tox.output, tail(tox.output)


# --- planted conflicts ------------------------------------------------------------------------


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    ("provider", "conflicted"),
    [(provider, relpath) for provider, files in CONFLICTED.items() for relpath in files],
    ids=lambda value: value.replace("/", "-").removeprefix(".") if "." in value else value,
)
def test_conflict_in_a_file_every_tool_reads_fails_the_gate_with_line_and_owner(
    projects, provider: str, conflicted: str, way: str
) -> None:
    root, gate = projects[provider]
    owner = read_answers(root)["team_platform"]
    lines = (root / conflicted).read_text("utf-8").count("\n")
    start, end = conflict_at(root, conflicted, max(lines // 2, 1))
    try:
        result = gate[way](root)
    finally:
        restore(root)
    output = result.stdout + result.stderr
    assert result.returncode == 1, f"the gate passed a conflict in {conflicted}\n{output}"
    marker_lines = findings(result.stdout, "UPD001", conflicted)
    assert len(marker_lines) == 2, f"start and end marker, one line each\n{output}"
    assert_names(marker_lines[0], "UPD001", f"{conflicted}:{start}", owner)
    assert_names(marker_lines[1], "UPD001", f"{conflicted}:{end}", owner)
    assert "Traceback" not in output, output


def test_each_finding_names_the_team_owning_its_file(projects) -> None:
    """A conflict in the data engineering's contract, a `.rej` beside data science's code, a
    marker in a file no CODEOWNERS rule claims: each is the owning team's to resolve."""
    root, gate = projects["github"]
    answers = read_answers(root)
    package = answers["package_name"]
    contract = "contracts/customers.odcs.yaml"
    start, _ = conflict_at(root, contract, 3)
    (root / f"src/{package}/train.py.rej").write_text("@@ -1 +1 @@\n-x\n+y\n", "utf-8")
    (root / "notes.txt").write_text("<" * 7 + " before updating\n", "utf-8")
    try:
        result = gate["as-ci-runs-it"](root)
    finally:
        restore(root)
    assert result.returncode == 1, result.stdout
    assert_names(
        findings(result.stdout, "UPD001", contract)[0],
        "UPD001",
        f"{contract}:{start}",
        answers["team_data_engineering"],
    )
    (rej,) = [line for line in result.stdout.splitlines() if line.startswith("UPD002 ")]
    assert_names(rej, "UPD002", f"src/{package}/train.py.rej", answers["team_data_science"])
    assert_names(
        findings(result.stdout, "UPD001", "notes.txt")[0],
        "UPD001",
        "notes.txt:1",
        answers["team_platform"],
    )


@pytest.mark.parametrize("provider", ["github", "gitlab"])
def test_owners_are_read_as_before_the_update_when_codeowners_and_answers_conflict(
    projects, provider: str
) -> None:
    """The owners in force until a conflict in CODEOWNERS or the answers is resolved are the
    ones from before the update: the first side of each conflict."""
    root, gate = projects[provider]
    answers = read_answers(root)
    codeowners = ".github/CODEOWNERS" if provider == "github" else "CODEOWNERS"
    rule = f"/contracts/ {answers['team_data_engineering']}"
    path = root / codeowners
    text = path.read_text("utf-8")
    assert f"\n{rule}\n" in text, f"cannot plant: no rule {rule!r} in {codeowners}"
    path.write_text(
        text.replace(
            f"\n{rule}\n",
            f"\n<<<<<<< before updating\n{rule}\n=======\n/contracts/ @acme/newcomers\n"
            ">>>>>>> after updating\n",
        ),
        "utf-8",
    )
    answers_file = root / ".copier-answers.yml"
    platform_line = next(
        line
        for line in answers_file.read_text("utf-8").splitlines()
        if line.startswith("team_platform:")
    )
    answers_file.write_text(
        answers_file.read_text("utf-8").replace(
            platform_line + "\n",
            f"<<<<<<< before updating\n{platform_line}\n=======\n"
            "team_platform: '@acme/someone-else'\n>>>>>>> after updating\n",
        ),
        "utf-8",
    )
    conflict_at(root, "contracts/customers.odcs.yaml", 3)
    conflict_at(root, "tox.toml", 3)
    try:
        result = gate["as-ci-runs-it"](root)
    finally:
        restore(root)
    assert result.returncode == 1, result.stdout
    owners = {
        relpath: {
            line.split(" · owner: ")[1].split(" · ")[0]
            for line in findings(result.stdout, "UPD001", relpath)
        }
        for relpath in (
            codeowners,
            ".copier-answers.yml",
            "contracts/customers.odcs.yaml",
            "tox.toml",
        )
    }
    platform = answers["team_platform"]
    assert owners == {
        codeowners: {platform},
        ".copier-answers.yml": {platform},
        "contracts/customers.odcs.yaml": {answers["team_data_engineering"]},
        "tox.toml": {platform},
    }, result.stdout


def test_tox_conventions_names_a_marker_and_a_rej_file_too(
    github_project: tuple[Path, str],
) -> None:
    root, path = github_project
    owner = read_answers(root)["team_platform"]
    with (root / "README.md").open("a", encoding="utf-8") as handle:
        handle.write("\n" + "<" * 7 + " before updating\nours\n" + "=" * 7 + "\ntheirs\n")
        handle.write(">" * 7 + " after updating\n")
    (root / "tox.toml.rej").write_text("@@ -3 +3 @@\n-env_list = []\n", encoding="utf-8")
    try:
        tox = run_tox(root, path, "-e", "conventions")
    finally:
        restore(root)
    assert tox.returncode != 0, f"tox -e conventions passed planted leftovers\n{tail(tox.output)}"
    marker_lines = findings(tox.output, "UPD001", "README.md")
    (rej,) = [line for line in tox.output.splitlines() if line.startswith("UPD002 tox.toml.rej:")]
    assert len(marker_lines) == 2, f"start and end marker, one line each\n{tail(tox.output)}"
    for line in marker_lines:
        assert_names(line, "UPD001", line.split()[1].removesuffix(":"), owner)
    assert_names(rej, "UPD002", "tox.toml.rej", owner)


@pytest.mark.parametrize("provider", ["github", "gitlab"])
@pytest.mark.parametrize("way", WAYS)
def test_projects_pass_the_gate_again_after_the_faults(projects, provider: str, way: str) -> None:
    root, gate = projects[provider]
    result = gate[way](root)
    assert result.returncode == 0, f"a planted leftover survived the restore\n{result.stdout}"


# --- a real conflict, from copier update ------------------------------------------------------


@pytest.fixture(scope="module")
def conflicted_update(template_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A team adds a line at the end of tox.toml; the update from the first release to HEAD
    conflicts there. Each way of running the gate reads the same updated project."""
    oldest = recorded_releases()[0][0]
    project = copy_at(template_repo, oldest, tmp_path_factory.mktemp("conflicted") / "project")
    with (project / "tox.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n# team: our nightly environment comes here\n")
    git(project, "commit", "-q", "--no-verify", "-am", "Our own tox line")
    update(project)
    return project


@pytest.mark.parametrize("way", WAYS)
def test_copier_update_conflict_in_tox_toml_fails_the_gate_naming_it(
    conflicted_update: Path, plain_python: str, way: str
) -> None:
    """tox can no longer read its file after the conflicted update, and the gate still names
    each marker."""
    project, oldest = conflicted_update, recorded_releases()[0][0]
    text = (project / "tox.toml").read_text("utf-8")
    expected = [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.startswith(("<" * 7 + " ", ">" * 7 + " "))
    ]
    assert len(expected) >= 2, f"the update from {oldest} left no conflict in tox.toml:\n{text}"
    gate = gates(project, plain_python)[way]
    result = gate(project)
    assert result.returncode == 1, f"the gate passed a conflicted tox.toml\n{result.stdout}"
    named = findings(result.stdout, "UPD001", "tox.toml")
    assert [int(line.split(":")[1]) for line in named] == expected, result.stdout
    owner = read_answers(project)["team_platform"]
    for line, number in zip(named, expected, strict=True):
        assert_names(line, "UPD001", f"tox.toml:{number}", owner)
    others = [line for line in result.stdout.splitlines() if line.startswith("UPD")]
    assert others == named, f"only tox.toml conflicts:\n{result.stdout}"
