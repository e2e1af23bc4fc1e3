"""A fleet of real projects for the fleet report: generated from three releases of this
template (its 1.0.0 and 1.1.0, and the working tree released as the latest), some updated, with
conflicts left in, drift, waivers valid and expired, remote clones and an unreachable entry.

Six projects are made with Copier (copies at each release, two of the 1.0.0 ones then
updated to the latest); the others are git copies of those with one deliberate change each,
committed as a team would. `FleetProject` records what was built, which is what the report
must say.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from template_repository import recorded_releases, release_in_preparation

from tests.support import git
from tests.updates.history import copy_at, update
from tests.updates.test_updates import MANAGED_PAGE_ROW

TODAY = "2026-11-30"
OWNERS = {
    "data_engineering": "@acme/data-engineering",
    "data_science": "@acme/data-science",
    "mlops": "@acme/mlops",
    "platform": "@acme/ml-platform",
}
PLATFORM = OWNERS["platform"]
GITLAB = {"ci_provider": "gitlab", "serving_mode": "batch"}
WAIVER_ROW = (
    "  - rule: {rule}\n    path: {path}\n    reason: {reason}\n"
    '    approved_by: "{by}"\n    expires: {expires}\n'
)


def _no_waivers(**given: Any) -> dict[str, Any]:
    return {"valid": 0, "expiring": [], "expired": [], "malformed": [], **given}


@dataclass
class FleetProject:
    """One inventory entry and what was built into it."""

    name: str
    base: str  # which Copier-made project it starts from
    team: str | None = None
    remote: bool = False
    ref: str | None = None
    change: Callable[[Path], None] | None = None
    leftovers: list[dict[str, str]] = field(default_factory=list)
    drift_failing: list[dict[str, str]] = field(default_factory=list)
    drift_waived: list[dict[str, str]] = field(default_factory=list)
    waivers: dict[str, Any] = field(default_factory=_no_waivers)
    engines: tuple[bool, bool] = (True, True)
    violations: list[str] = field(default_factory=list)
    unreachable: str | None = None  # the location of an entry that cannot be read


def _latest() -> str:
    """The version the working tree is released as: the release CHANGELOG.md is preparing,
    else the next minor version after the newest recorded one."""
    if preparing := release_in_preparation():
        return preparing
    major, minor, _patch = recorded_releases()[-1][0].split(".")
    return f"{major}.{int(minor) + 1}.0"


LATEST = _latest()
# Releases after each base's version up to LATEST: the v100 bases are on 1.0.0, the v110
# bases on 1.1.0. The inventory's policy allows the v110 bases' lag, not the v100 ones'.
RELEASES = [version for version, _ in recorded_releases() if version != LATEST] + [LATEST]
BEHIND = {version: len(RELEASES) - 1 - RELEASES.index(version) for version in RELEASES}
MAX_BEHIND = BEHIND["1.1.0"]
V100_LAG = f"{BEHIND['1.0.0']} releases behind (at most {MAX_BEHIND})"


def release_template(template_repo: Path, dst: Path) -> Path:
    """A clone of the tagged template whose working tree is released as LATEST: already tagged
    when CHANGELOG.md prepares that release; else its Unreleased section gets the version, as
    a release does, and the commit is tagged."""
    git(dst.parent, "clone", "-q", str(template_repo), str(dst))
    if release_in_preparation():
        return dst
    changelog = dst / "CHANGELOG.md"
    text = changelog.read_text("utf-8")
    changelog.write_text(
        text.replace("## Unreleased", f"## {LATEST} — {TODAY}", 1), encoding="utf-8"
    )
    git(dst, "commit", "-q", "--no-verify", "-am", f"Release {LATEST}")
    git(dst, "tag", f"v{LATEST}")
    return dst


def _write_waivers(project: Path, *rows: str) -> None:
    (project / "config/waivers.yaml").write_text("waivers:\n" + "".join(rows), encoding="utf-8")


def _waiver(rule: str, path: str, expires: str) -> str:
    return WAIVER_ROW.format(
        rule=rule,
        path=path,
        reason="measured need, tracked in OPS-12",
        by=PLATFORM,
        expires=expires,
    )


def _edit_tox(project: Path) -> None:
    path = project / "tox.toml"
    path.write_text(path.read_text("utf-8") + "\n# the team's local tweak\n", encoding="utf-8")


def _delete(relpath: str) -> Callable[[Path], None]:
    return lambda project: (project / relpath).unlink()


def _both(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(project: Path) -> None:
        for one in changes:
            one(project)

    return change


def _edit_managed_page(project: Path) -> None:
    path = project / "docs/security.md"
    text = path.read_text("utf-8")
    assert MANAGED_PAGE_ROW in text, "docs/security.md changed: choose another line to edit"
    path.write_text(text.replace(MANAGED_PAGE_ROW, "and drop it (OPS-7) |", 1), "utf-8")


def _drift(code: str, path: str) -> dict[str, str]:
    return {"id": code, "path": path, "owner": PLATFORM}


EDITED_TOX = [_drift("UPD005", "tox.toml")]
EXPIRED_ROW = {"id": "UPD006", "where": "config/waivers.yaml:2"}


def projects() -> list[FleetProject]:
    """The fleet: 22 entries. Bases: v100 (1.0.0, GitHub), v110 (1.1.0, GitLab batch), v120
    (the latest, GitHub), v120-gitlab, updated (1.0.0 updated to the latest cleanly),
    conflicted (1.0.0 with a managed page edited on a line 1.1.0 changes, updated, committed
    with the markers)."""
    expiring = "2026-12-20"  # within the 30-day window from TODAY
    return [
        FleetProject("churn-v100", "v100", team="payments", violations=[V100_LAG]),
        FleetProject("fraud-v100", "v100", team="risk", violations=[V100_LAG]),
        FleetProject("pricing-v110", "v110", team="growth"),
        FleetProject("ranking-v110", "v110", team="growth"),
        FleetProject("churn-v120", "v120", team="payments"),
        FleetProject("batch-v120", "v120-gitlab", team="risk"),
        FleetProject("updated-clean", "updated", team="payments"),
        FleetProject(
            "updated-conflict",
            "conflicted",
            team="risk",
            drift_failing=[_drift("UPD005", "docs/security.md")],  # leftovers: as git finds them
        ),
        FleetProject(
            "rejected-hunk",
            "v120",
            team="growth",
            change=lambda p: (p / "tox.toml.rej").write_text("@@ -1 +1 @@\n", "utf-8"),
            leftovers=[{"id": "UPD002", "where": "tox.toml.rej"}],
            violations=["1 update leftovers (UPD001/UPD002)"],
        ),
        FleetProject(
            "edited-tox", "v120", team="payments", change=_edit_tox, drift_failing=EDITED_TOX
        ),
        FleetProject(
            "deleted-dockerignore",
            "v120",
            change=_delete(".dockerignore"),
            drift_failing=[_drift("UPD004", ".dockerignore")],
        ),
        FleetProject(
            "waived-tox",
            "v120",
            team="risk",
            change=_both(
                _edit_tox, lambda p: _write_waivers(p, _waiver("UPD005", "tox.toml", "2027-06-30"))
            ),
            drift_waived=[{"id": "UPD005", "path": "tox.toml", "expires": "2027-06-30"}],
            waivers=_no_waivers(valid=1),
        ),
        FleetProject(
            "expiring-waiver",
            "v120",
            team="growth",
            change=_both(
                _delete(".dockerignore"),
                lambda p: _write_waivers(p, _waiver("UPD004", ".dockerignore", expiring)),
            ),
            drift_waived=[{"id": "UPD004", "path": ".dockerignore", "expires": expiring}],
            waivers=_no_waivers(
                valid=1,
                expiring=[
                    {
                        "rule": "UPD004",
                        "path": ".dockerignore",
                        "approved_by": PLATFORM,
                        "expires": expiring,
                    }
                ],
            ),
        ),
        FleetProject(
            "expired-waiver",
            "v120",
            team="payments",
            change=_both(
                _edit_tox, lambda p: _write_waivers(p, _waiver("UPD005", "tox.toml", "2026-10-01"))
            ),
            drift_failing=EDITED_TOX,
            waivers=_no_waivers(expired=[EXPIRED_ROW]),
            violations=["1 expired waivers (UPD006)"],
        ),
        FleetProject(
            "malformed-waiver",
            "v120",
            team="risk",
            change=lambda p: _write_waivers(p, "  - rule: UPD005\n    path: tox.toml\n"),
            waivers=_no_waivers(
                malformed=[
                    {
                        "id": "UPD007",
                        "where": "config/waivers.yaml:2",
                        "problem": "waiver 1: missing field 'reason'; missing field "
                        "'approved_by'; missing field 'expires'",
                    }
                ]
            ),
        ),
        FleetProject(
            "no-update-engine",
            "v120",
            team="growth",
            change=_both(
                _delete("renovate.json"), _delete(".github/workflows/template-update.yml")
            ),
            drift_failing=[
                _drift("UPD004", "renovate.json"),
                _drift("UPD004", ".github/workflows/template-update.yml"),
            ],
            engines=(False, False),
        ),
        FleetProject(
            "renovate-only",
            "v120-gitlab",
            team="growth",
            change=_remove_gitlab_update_job,
            drift_failing=[_drift("UPD005", ".gitlab-ci.yml")],
            engines=(True, False),
        ),
        FleetProject(
            "remote-v100",
            "v100",
            team="risk",
            remote=True,
            violations=[V100_LAG],
        ),
        FleetProject("remote-v120-release", "v120", team="payments", remote=True, ref="release"),
        FleetProject("remote-updated", "updated", remote=True),
        FleetProject(
            "decommissioned",
            "v120",
            team="risk",
            unreachable="file:///nonexistent/fleet/decommissioned.git",
        ),
        FleetProject("pricing-v110-copy", "v110"),
    ]


def _remove_gitlab_update_job(project: Path) -> None:
    """The GitLab project keeps Renovate but drops its scheduled template-update job."""
    path = project / ".gitlab-ci.yml"
    text = path.read_text("utf-8")
    start = text.index("\ntemplate-update:\n")
    end = text.find("\n\n", start + 1)
    path.write_text(text[:start] + ("\n" if end < 0 else text[end:]), encoding="utf-8")


def _commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "--no-verify", "--allow-empty", "-m", message)


def build_bases(template: Path, root: Path) -> dict[str, Path]:
    """The six projects made with Copier."""
    bases = {
        "v100": copy_at(template, "1.0.0", root / "v100"),
        "v110": copy_at(template, "1.1.0", root / "v110", GITLAB),
        "v120": copy_at(template, LATEST, root / "v120"),
        "v120-gitlab": copy_at(template, LATEST, root / "v120-gitlab", GITLAB),
        "updated": copy_at(template, "1.0.0", root / "updated"),
        "conflicted": copy_at(template, "1.0.0", root / "conflicted"),
    }
    update(bases["updated"])
    _commit_all(bases["updated"], f"Update to the template's {LATEST}")
    _edit_managed_page(bases["conflicted"])
    _commit_all(bases["conflicted"], "Our own security page note")
    update(bases["conflicted"])
    _commit_all(bases["conflicted"], f"Update to the template's {LATEST} (conflicts left in)")
    return bases


def conflict_markers(project: Path) -> list[dict[str, str]]:
    """The markers the last commit left, as git itself finds them (`git diff --check`),
    without the `=======` separators, which the gate leaves out (also a Markdown underline)."""
    checked = subprocess.run(
        ["git", "diff", "--check", "HEAD~1", "HEAD"], cwd=project, capture_output=True, text=True
    )
    found = []
    for line in checked.stdout.splitlines():
        if match := re.match(r"^(.+):(\d+): leftover conflict marker$", line):
            path, number = match.group(1), int(match.group(2))
            marked = (project / path).read_text("utf-8").splitlines()[number - 1]
            if not marked.startswith("======="):
                found.append({"id": "UPD001", "where": f"{path}:{number}"})
    return found


def build_fleet(template: Path, root: Path) -> tuple[Path, list[FleetProject]]:
    """Every project on disk and the inventory file listing them."""
    bases = build_bases(template, root / "bases")
    entries: list[dict[str, Any]] = []
    fleet = projects()
    for project in fleet:
        entry: dict[str, Any] = {"name": project.name}
        if project.team:
            entry["team"] = project.team
        if project.unreachable:
            entry["url"] = project.unreachable
            entries.append(entry)
            continue
        dst = root / "projects" / project.name
        shutil.copytree(bases[project.base], dst, symlinks=True)
        if project.change:
            project.change(dst)
            _commit_all(dst, f"Team change in {project.name}")
        if project.base == "conflicted":
            project.leftovers = conflict_markers(dst)
            project.violations = [f"{len(project.leftovers)} update leftovers (UPD001/UPD002)"]
        if project.ref:
            git(dst, "branch", project.ref)
            # main moves on past the release branch; the report must read the branch
            (dst / ".dockerignore").unlink()
            _commit_all(dst, "Work after the release branch")
        if project.remote:
            entry["url"] = dst.as_uri()
            if project.ref:
                entry["ref"] = project.ref
        else:
            entry["path"] = f"projects/{project.name}"
        entries.append(entry)
    inventory = root / "inventory.yaml"
    inventory.write_text(
        yaml.safe_dump(
            {"policy": {"max_releases_behind": MAX_BEHIND}, "repositories": entries},
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    return inventory, fleet
