"""``ml-platform update-report``: the body of the scheduled template update's pull request.

After ``copier update``, the body says which template versions the update spans, lists the
template's CHANGELOG entries in between (read at the new version from the template
repository in ``_src_path``) and any conflicts left behind (UPD001/UPD002, see
:mod:`.conflicts`). Template versions are compared with ``packaging.version``; the fleet
report reads ``_commit`` with the same :func:`release_of`.

    ml-platform update-report --current-commit
        print ``_commit`` of .copier-answers.yml (run it before the update to remember it);
        UPD003 when there is no usable one
    ml-platform update-report --old-commit v1.0.0 [--output body.md]
        after the update: the body (CHANGELOG from the template repository)
    ml-platform update-report --old-commit v1.0.0 --new-commit v1.1.0 --changelog CHANGELOG.md
        only the CHANGELOG excerpt between two versions, from a local file
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess  # nosec B404
import tempfile
from pathlib import Path

from packaging.version import InvalidVersion, Version

from .conflicts import leftovers
from .finding import Outcome
from .project import ANSWERS, Project

DOCS = "docs/ci.md#scheduled-template-update"
# `_commit` is a tag (`v1.2.0`) or `git describe` output past a tag (`v1.2.0-3-gabc1234`).
DESCRIBED = re.compile(r"^(?P<tag>.+?)(?:-(?P<ahead>\d+)-g[0-9a-f]+)?$")
HEADING = re.compile(r"^##\s+\[?(?P<version>v?[0-9][^\s\]]*)")
UNRELEASED = re.compile(r"^##\s+\[?unreleased\b", re.IGNORECASE)
SAFE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")

GIT = shutil.which("git") or "git"


def release(text: str) -> Version | None:
    """The release a tag or heading names: ``X.Y.Z``, with or without ``v``; None otherwise
    (a pre-release, a two-part version or a branch name is no release)."""
    try:
        version = Version(text.strip().removeprefix("v"))
    except InvalidVersion:
        return None
    is_release = len(version.release) == 3 and str(version) == version.base_version
    return version if is_release and not version.epoch else None


def release_of(commit: str) -> tuple[Version, bool] | None:
    """(version, past the tag?) of a ``_commit``, or None if it names no release."""
    match = DESCRIBED.match(commit.strip())
    version = release(match.group("tag")) if match else None
    if match is None or version is None:
        return None
    return version, bool(match.group("ahead") and int(match.group("ahead")) > 0)


def _heading_keeps(line: str, old: Version, new: Version, new_is_past_tag: bool) -> bool:
    heading = HEADING.match(line)
    version = release(heading.group("version")) if heading else None
    if version is not None:
        return old < version <= new
    return bool(UNRELEASED.match(line)) and new_is_past_tag


def changelog_excerpt(text: str, old_commit: str, new_commit: str) -> str:
    """The CHANGELOG sections after ``old_commit``'s release up to ``new_commit``'s, in order.

    A section is a ``## <version>`` heading with what follows it. "Unreleased" is included
    only when the new commit lies past its release tag (a template HEAD between releases).
    """
    old, new = release_of(old_commit), release_of(new_commit)
    if old is None or new is None:
        return ""
    kept: list[str] = []
    keep = False
    for line in text.splitlines():
        if line.startswith("## "):
            keep = _heading_keeps(line, old[0], new[0], new[1])
        elif line.startswith("# "):
            keep = False
        if keep:
            kept.append(line)
    return "\n".join(kept).strip()


def template_changelog(project: Project, src_path: str, commit: str) -> str:
    """CHANGELOG.md of the template repository at ``commit`` (a clone of ``_src_path``, a
    relative path read from the project, as Copier records it)."""
    # Argument lists, no shell: the answers' values cannot run as commands.
    with tempfile.TemporaryDirectory() as clone:
        subprocess.run(  # noqa: S603  # nosec B603
            [GIT, "clone", "--quiet", "--no-checkout", "--", src_path, clone],
            check=True,
            capture_output=True,
            cwd=project.root,
        )
        return subprocess.run(  # noqa: S603  # nosec B603
            [GIT, "-C", clone, "show", f"{commit}:CHANGELOG.md"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def _excerpt(project: Project, old_commit: str, new_commit: str) -> str:
    src_path = str(project.answers.get("_src_path") or "")
    try:
        if not SAFE_REF.match(new_commit):
            raise OSError(f"_commit {new_commit!r} in {ANSWERS} names no template version")
        text = template_changelog(project, src_path, new_commit)
    except (OSError, subprocess.CalledProcessError) as error:
        return f"_Could not read the template's CHANGELOG.md from `{src_path}`: {error}_"
    return changelog_excerpt(text, old_commit, new_commit) or (
        f"_The template's CHANGELOG.md has no entries between {old_commit} and {new_commit}._"
    )


def _conflicts_section(project: Project) -> list[str]:
    found = leftovers(project)
    if not found:
        return ["None: the update applied cleanly."]
    return [
        "copier update left these behind; the conflict gate (CI's first job,"
        " `ml-platform conflicts`) fails until each is resolved on this branch:",
        "",
        *(f"- `{finding.code}` `{finding.where}`: {finding.problem}" for finding in found),
    ]


def body(project: Project, old_commit: str, new_commit: str) -> str:
    """The pull request's body, Markdown."""
    lines = [
        f"Template update from `{old_commit}` to `{new_commit}` (`copier update --trust "
        "--defaults --skip-answered`), opened by the scheduled template update.",
        "",
        "## What changed in the template",
        "",
        _excerpt(project, old_commit, new_commit),
        "",
        "## Conflicts",
        "",
        *_conflicts_section(project),
        "",
        f"How to review and finish an update: `{DOCS}`.",
    ]
    return "\n".join(lines) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--current-commit", action="store_true", help="print _commit and exit")
    mode.add_argument("--old-commit", help="the _commit before the update")
    parser.add_argument(
        "--new-commit", help="the _commit after the update (default: the answers' _commit)"
    )
    parser.add_argument("--changelog", type=Path, help="only the excerpt of this CHANGELOG.md")
    parser.add_argument("--output", type=Path, help="write here instead of standard output")


def current_commit(project: Project) -> Outcome:
    """``_commit`` as the one passed line, or UPD003."""
    commit = str(project.answers.get("_commit") or "")
    if not SAFE_REF.match(commit):
        problem = (
            f"no usable _commit ({commit!r}), so the update cannot say which template version "
            "it starts from; run `copier update --trust` once by hand on a clean tree"
        )
        return Outcome(findings=(project.finding("UPD003", ANSWERS, problem),))
    return Outcome(passed=(commit,))


def run(project: Project, options: argparse.Namespace) -> Outcome:
    if options.current_commit:
        return current_commit(project)
    new_commit = options.new_commit or str(project.answers.get("_commit") or "")
    if options.changelog:
        text = options.changelog.read_text(encoding="utf-8")
        report = changelog_excerpt(text, options.old_commit, new_commit) + "\n"
    else:
        report = body(project, options.old_commit, new_commit)
    if options.output:
        options.output.write_text(report, encoding="utf-8")
        return Outcome()
    return Outcome(passed=(report.rstrip("\n"),))
