"""`copier update` from every release to HEAD keeps projects in line and loses nothing.

The template repository is this one's history, tagged from CHANGELOG.md (history.py). For
every release R:
- a project copied at R and updated untouched equals a fresh render at HEAD;
- a project at R with the edits a team makes keeps each edit after the update, or shows a
  conflict that the conflict gate (`tools/check_conflicts.py`, `tox -e conventions`) reports;
- running the migrations again changes nothing.
And: the oldest release's updated project is green under its own `tox`; a migration that
cannot proceed says why and who to ask, and `git reset --hard` restores the project.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from copier.errors import TaskError

from tests.support import git, read_answers, readme_tox_args, run_kit, run_tox, tail
from tests.updates.history import copy_at, fresh_render, recorded_releases, update

pytestmark = pytest.mark.slow

RELEASES = [version for version, _ in recorded_releases()]
# Answers in every release's spelling: Copier ignores data for questions it does not ask.
BATCH = {
    "ci_provider": "gitlab",
    "python_version": "3.11",
    "serving": "batch",
    "serving_mode": "batch",
}
# What each release's update to HEAD runs: the `run(name, ...)` of each migration script.
MIGRATIONS_AFTER = {
    "1.0.0": [
        ("1.1.0", "rename the serving answer"),
        ("1.1.0", "deploy manifest v2"),
        ("1.1.0", "move .checkov.yaml"),
        ("2.0.0", "keep edited platform code"),
    ],
    "1.1.0": [("2.0.0", "keep edited platform code")],
    "2.0.0": [],
    "2.0.1": [],
}
MIGRATIONS = sorted(Path(__file__).resolve().parents[2].glob("hooks/v*_*.py"))


def tree(root: Path) -> dict[str, str]:
    """Path -> sha256 of every file outside `.git`."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def conflict_gate(project: Path) -> subprocess.CompletedProcess[str]:
    return run_kit(project, "conflicts")


# --- untouched projects converge -----------------------------------------------------------------


@pytest.mark.parametrize("version", RELEASES)
@pytest.mark.parametrize(("name", "data"), [("defaults", {}), ("gitlab-batch", BATCH)])
def test_untouched_project_updates_to_a_fresh_render(
    template_repo: Path,
    tmp_path: Path,
    version: str,
    name: str,
    data: dict[str, str],
    capfd: pytest.CaptureFixture[str],
) -> None:
    project = copy_at(template_repo, version, tmp_path / "project", data)
    capfd.readouterr()
    update(project)
    # The migrations of the releases after `version`, in declaration order.
    ran = re.findall(r"(?m)^migration (\S+) ([^:]+):", capfd.readouterr().out)
    assert list(dict.fromkeys(ran)) == MIGRATIONS_AFTER[version], ran
    expected = tree(fresh_render(template_repo, project, tmp_path / "fresh"))
    actual = tree(project)
    differing = sorted(
        p for p in expected.keys() | actual.keys() if expected.get(p) != actual.get(p)
    )
    assert not differing, f"{name} from {version}: differs from a fresh render: {differing}"
    assert not conflict_gate(project).returncode
    assert read_answers(project).get("serving_mode") == data.get("serving_mode", "rest")


def test_updated_project_from_the_oldest_release_is_green_under_its_own_tox(
    template_repo: Path, tmp_path: Path, python_path
) -> None:
    project = copy_at(template_repo, RELEASES[0], tmp_path / "project", {})
    update(project)
    git(project, "add", "-A")
    git(project, "commit", "-q", "--no-verify", "-m", "Update to the ML platform template")
    path = python_path(read_answers(project)["python_version"])
    tox = run_tox(project, path, *readme_tox_args(project))  # as its README says: `tox p`
    assert tox.returncode == 0, (
        f"tox failed after the update ({tox.seconds:.0f}s)\n{tail(tox.output, 80)}"
    )


# --- team edits survive ---------------------------------------------------------------------


@dataclass(frozen=True)
class TeamEdit:
    """One change a team makes; `kept` says where its text must be after the update."""

    name: str
    make: Callable[[Path], None]
    kept: Callable[[Path], bool]
    files: tuple[str, ...]  # where a conflict over it would show
    conflicts_from: tuple[str, ...] = ()  # releases whose update meets it on the same lines


def _package(project: Path) -> str:
    return str(read_answers(project)["package_name"])


def _checkov_settings(project: Path) -> Path:
    moved = project / "config/security/checkov.yaml"
    return moved if moved.exists() else project / ".checkov.yaml"


def _append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((path.read_text("utf-8") if path.exists() else "") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{path.name} no longer has {old!r}: choose another line to edit"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _has(relpath: str, *texts: str) -> Callable[[Path], bool]:
    def check(project: Path) -> bool:
        path = project / relpath.replace("{package}", _package(project))
        return path.is_file() and all(text in path.read_text("utf-8") for text in texts)

    return check


FEATURE = "\n\ndef tenure_years(months: float) -> float:\n    return months / 12\n"
TOX_ENV = (
    '\n[env.team-report]\ndescription = "team: weekly churn report"\n'
    'skip_install = true\ncommands = [["python", "-V"]]\n'
)
TEAM_TEST = "def test_team_rule() -> None:\n    assert 12 / 12 == 1\n"
SKIP = (
    "  # The data volume is NFS, which needs it (approved by the platform team).\n  - CKV_K8S_35\n"
)


def _edit_manifest(project: Path) -> None:
    path = project / "deploy/manifest.yaml"
    text = path.read_text("utf-8")
    text = re.sub(r"(?m)^(\s*)image: ", r"\1# bumped by the release job\n\1image: ", text, count=1)
    text = text.replace("cpu: 250m", "cpu: 500m  # measured in the load test", 1)
    text = text.replace('schedule: "0 6 * * *"', 'schedule: "30 5 * * *"  # before the 6:00 report')
    path.write_text(text, encoding="utf-8")


def _manifest_kept(project: Path) -> bool:
    text = (project / "deploy/manifest.yaml").read_text("utf-8")
    manifest = yaml.safe_load(text)
    container = manifest["serving"].get("container", manifest["serving"])
    return (
        "# bumped by the release job" in text
        and "# measured in the load test" in text
        and container["resources"]["requests"]["cpu"] == "500m"
        and manifest["serving"]["schedule"] == "30 5 * * *"
    )


def _new_contract(project: Path) -> None:
    source = (project / "contracts/customers.odcs.yaml").read_text("utf-8")
    (project / "contracts/orders.odcs.yaml").write_text(
        source.replace("customers", "orders"), "utf-8"
    )


MANAGED_PAGE_ROW = "at release and drop the skip |"


TEAM_EDITS = [
    TeamEdit(
        "edited model code",
        lambda p: _append(p / f"src/{_package(p)}/features.py", FEATURE),
        _has("src/{package}/features.py", "def tenure_years"),
        ("src/{package}/features.py",),
    ),
    TeamEdit(
        "edited platform-managed config",
        lambda p: _replace(p / "tox.toml", "\n[env.type]\n", TOX_ENV + "\n[env.type]\n"),
        _has("tox.toml", "[env.team-report]"),
        ("tox.toml",),
    ),
    TeamEdit(
        "new contract",
        _new_contract,
        _has("contracts/orders.odcs.yaml", "orders"),
        ("contracts/orders.odcs.yaml",),
    ),
    TeamEdit(
        "manifest values with comments",
        _edit_manifest,
        _manifest_kept,
        ("deploy/manifest.yaml",),
    ),
    TeamEdit(
        "new test",
        lambda p: _append(p / "tests/unit/test_team_rules.py", TEAM_TEST),
        _has("tests/unit/test_team_rules.py", "def test_team_rule"),
        ("tests/unit/test_team_rules.py",),
    ),
    TeamEdit(
        "deleted managed file",
        lambda p: (p / "docs/notebooks.md").unlink(),
        lambda p: not (p / "docs/notebooks.md").exists(),
        ("docs/notebooks.md",),
    ),
    TeamEdit(
        "edited checkov settings (moved by 1.1.0)",
        lambda p: _append(_checkov_settings(p), SKIP),
        lambda p: (
            "- CKV_K8S_35" in _checkov_settings(p).read_text("utf-8")
            and "NFS, which needs it" in _checkov_settings(p).read_text("utf-8")
        ),
        ("config/security/checkov.yaml", ".checkov.yaml"),
    ),
    TeamEdit(
        "edited managed page, on a line the next release changes",
        lambda p: _replace(p / "docs/security.md", MANAGED_PAGE_ROW, "and drop it (OPS-7) |"),
        _has("docs/security.md", "(OPS-7)"),
        ("docs/security.md",),
        conflicts_from=("1.0.0",),  # 1.1.0 renamed the manifest field on that line
    ),
]


PLATFORM_CODE_EDITS = (
    # Copied platform code that 2.0.0 removes (the kit runs it): a team that edited it keeps
    # the edit, and `ml-platform conventions` names it (UPD008).
    TeamEdit(
        "edited copied security runner (removed by 2.0.0)",
        lambda p: _append(p / "tools/security.py", "\n# OPS-9: our extra scanner\n"),
        _has("tools/security.py", "OPS-9"),
        ("tools/security.py",),
    ),
    TeamEdit(
        "edited copied contract reader (removed by 2.0.0)",
        lambda p: _append(p / f"src/{_package(p)}/contract.py", "\n# OPS-10: our tweak\n"),
        _has("src/{package}/contract.py", "OPS-10"),
        ("src/{package}/contract.py",),
    ),
)
TEAM_EDITS.extend(PLATFORM_CODE_EDITS)


def _conflicted(project: Path, relpath: str) -> bool:
    path = project / relpath.replace("{package}", _package(project))
    if Path(f"{path}.rej").exists():
        return True
    return path.is_file() and bool(re.search(r"(?m)^(<{7}|>{7})( |$)", path.read_text("utf-8")))


@pytest.mark.parametrize("version", RELEASES)
def test_team_edits_are_kept_or_shown_as_conflicts(
    template_repo: Path, tmp_path: Path, version: str, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_at(template_repo, version, tmp_path / "project", BATCH)
    for edit in TEAM_EDITS:
        edit.make(project)
    git(project, "add", "-A")
    git(project, "commit", "-q", "--no-verify", "-m", "The team's work")
    update(project)

    gate = conflict_gate(project)
    kept, conflicts, lost = [], [], []
    for edit in TEAM_EDITS:
        # A conflict first: the team's text inside conflict markers is shown, not yet kept.
        if any(_conflicted(project, f) for f in edit.files):
            conflicts.append(edit.name)
            named = [
                f for f in edit.files if f.replace("{package}", _package(project)) in gate.stdout
            ]
            assert named, (
                f"{edit.name}: conflicted, but the conflict gate does not name it:\n{gate.stdout}"
            )
        elif edit.kept(project):
            kept.append(edit.name)
        else:
            lost.append(edit.name)
    with capsys.disabled():
        print(
            f"\nupdate from {version}: kept {len(kept)} {kept}; conflicts {conflicts}; lost {lost}"
        )
    assert not lost, f"edits lost silently by the update from {version}: {lost}"
    expected = [edit.name for edit in TEAM_EDITS if version in edit.conflicts_from]
    assert conflicts == expected, f"conflicts {conflicts}, expected {expected}"
    assert (gate.returncode != 0) == bool(conflicts), gate.stdout
    assert read_answers(project)["serving_mode"] == "batch", "the batch answer survived"
    # Drift names what the team changed in platform-managed files, with the owner.
    drift = run_kit(project, "conventions")
    owner = read_answers(project)["team_platform"]
    package = _package(project)
    named = {
        "UPD004 docs/notebooks.md: platform-managed file deleted": owner,
        "UPD005 tox.toml:": owner,
        "UPD008 tools/security.py:": owner,
        f"UPD008 src/{package}/contract.py:": read_answers(project)["team_data_science"],
    }
    for expected, team in named.items():
        line = next((x for x in drift.stdout.splitlines() if x.startswith(expected)), "")
        assert team in line, f"no {expected!r} naming {team}:\n{drift.stdout}"
    assert drift.returncode == 1
    assert (project / f"src/{_package(project)}/batch.py").is_file()


# --- migrations: twice is once; a failure is explained and undone ---------------------------


def _run_migration(script: Path, project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script)], cwd=project, capture_output=True, text=True
    )


def test_migrations_run_again_change_nothing(template_repo: Path, tmp_path: Path) -> None:
    project = copy_at(template_repo, RELEASES[0], tmp_path / "project", BATCH)
    _append(_checkov_settings(project), SKIP)
    _edit_manifest(project)
    git(project, "commit", "-q", "--no-verify", "-am", "The team's work")
    update(project)
    once = tree(project)
    for script in MIGRATIONS:
        again = _run_migration(template_repo / "hooks" / script.name, project)
        assert again.returncode == 0, again.stderr
        assert tree(project) == once, f"{script.name} changed the project when run again"


def test_a_migration_that_cannot_proceed_explains_and_reset_restores(
    template_repo: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    project = copy_at(template_repo, RELEASES[0], tmp_path / "project", {})
    manifest = project / "deploy/manifest.yaml"
    manifest.write_text(
        manifest.read_text("utf-8").replace("kind: ModelDeployment", "kind: [ModelDeployment")
    )
    git(project, "commit", "-q", "--no-verify", "-am", "A broken manifest")
    before = tree(project)
    head = git(project, "rev-parse", "HEAD")
    with pytest.raises(TaskError) as failed:
        update(project)
    stderr = capfd.readouterr().err
    owner = read_answers(project)["team_platform"]
    for expected in (
        "cannot proceed",
        "deploy/manifest.yaml",
        "is not valid YAML",
        owner,
        "git reset --hard",
    ):
        assert expected in stderr, f"missing {expected!r} in:\n{stderr}\n{failed.value}"
    git(project, "reset", "-q", "--hard")
    git(project, "clean", "-q", "-fd")
    assert git(project, "rev-parse", "HEAD") == head
    assert tree(project) == before
    assert git(project, "status", "--porcelain") == ""
