# Managed by the ML platform template (ownership convention): edit through the template.
"""OWN: every path has an owner, every team owns something, managed files say so.

The agreement lives in docs/ways-of-working.md#ownership; the platform team owns it.
Each failure is one finding: ID, file, what broke, the agreement, the owner, the page.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.conventions

ROOT = Path(__file__).resolve().parents[2]
DOCS = "docs/ways-of-working.md#ownership"
TEAM_ANSWERS = ("team_data_engineering", "team_data_science", "team_mlops", "team_platform")
MANAGED_HEADER = "Managed by the ML platform template"
# The platform-managed files and which of them carry the header line: one list, rendered by
# the template into .platform-managed.json (managed_files in the template's copier.yml).
MANAGED_RECORD = ".platform-managed.json"


def _answers() -> dict[str, str]:
    loaded = yaml.safe_load((ROOT / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), ".copier-answers.yml must be a mapping"
    return {str(key): str(value) for key, value in loaded.items()}


def _finding(check_id: str, where: str, what: str) -> str:
    owner = _answers()["team_platform"]
    return f"{check_id} {where}: {what}\n      agreement: ownership · owner: {owner} · {DOCS}"


def _codeowners_path() -> Path:
    provider = _answers()["ci_provider"]
    return ROOT / (".github/CODEOWNERS" if provider == "github" else "CODEOWNERS")


def _codeowners_rules() -> list[tuple[str, list[str]]]:
    """(pattern, handles) per rule; comments and GitLab section headers skipped."""
    rules = []
    for raw in _codeowners_path().read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "[", "^[")):
            continue
        pattern, *handles = line.split()
        rules.append((pattern, handles))
    return rules


def _matches(pattern: str, relpath: str) -> bool:
    """CODEOWNERS matching for the rule shapes this project uses."""
    if pattern == "*":
        return True
    anchored = pattern.lstrip("/")
    if anchored.endswith("/"):
        return relpath.startswith(anchored)
    return relpath == anchored or fnmatch.fnmatch(relpath, anchored)


def _owner_of(relpath: str) -> list[str]:
    owners: list[str] = []
    for pattern, handles in _codeowners_rules():
        if _matches(pattern, relpath):
            owners = handles  # the last matching rule wins
    return owners


def test_codeowners_exists_where_the_ci_provider_reads_it() -> None:
    path = _codeowners_path()
    assert path.is_file(), _finding(
        "OWN001",
        str(path.relative_to(ROOT)),
        "missing; the CI provider reads ownership from here",
    )


def test_every_team_owns_a_path() -> None:
    handles_in_use = {handle for _, handles in _codeowners_rules() for handle in handles}
    answers = _answers()
    missing = [
        f"{key}={answers[key]}" for key in TEAM_ANSWERS if answers[key] not in handles_in_use
    ]
    assert not missing, _finding(
        "OWN002",
        str(_codeowners_path().relative_to(ROOT)),
        f"teams own no path: {', '.join(missing)}",
    )


def test_only_known_teams_own_paths() -> None:
    known = {_answers()[key] for key in TEAM_ANSWERS}
    unknown = sorted({handle for _, handles in _codeowners_rules() for handle in handles} - known)
    assert not unknown, _finding(
        "OWN003",
        str(_codeowners_path().relative_to(ROOT)),
        f"handles {unknown} are not one of the four teams in .copier-answers.yml",
    )


@pytest.mark.parametrize(
    ("relpath", "answer"),
    [
        ("contracts/example.odcs.yaml", "team_data_engineering"),
        ("data/sample/customers.csv", "team_data_engineering"),
        ("src/example.py", "team_data_science"),
        ("notebooks/01-explore.ipynb", "team_data_science"),
        ("config/quality-gates.yaml", "team_data_science"),
        ("deploy/manifest.yaml", "team_mlops"),
        ("tests/conventions/test_ownership.py", "team_platform"),
        ("tox.toml", "team_platform"),
    ],
)
def test_each_area_is_owned_by_the_agreed_team(relpath: str, answer: str) -> None:
    expected = _answers()[answer]
    assert _owner_of(relpath) == [expected], _finding(
        "OWN004",
        relpath,
        f"owned by {_owner_of(relpath)}, but the agreement gives it to {expected} ({answer})",
    )


def test_platform_managed_files_say_so() -> None:
    record = json.loads((ROOT / MANAGED_RECORD).read_text(encoding="utf-8"))
    managed = [str(entry["path"]) for entry in record["files"] if entry["header"]]
    assert len(managed) > 10, f"{MANAGED_RECORD} lists the platform-managed files: {managed}"
    unmarked = [
        relpath
        for relpath in managed
        if (ROOT / relpath).is_file()  # a deleted one is UPD004 (tox -e conventions)
        and not any(
            MANAGED_HEADER in line
            for line in (ROOT / relpath).read_text(encoding="utf-8").splitlines()[:3]
        )
    ]
    assert not unmarked, _finding(
        "OWN005",
        ", ".join(unmarked),
        f"platform-managed files lost their '{MANAGED_HEADER}' header line",
    )
