# Managed by the ML platform template (CI convention): edit through the template.
"""The body of the pull/merge request that the scheduled template update opens.

After `copier update`, the body says which template versions the update spans, lists the
template's CHANGELOG entries in between (read at the new version from the template
repository in `_src_path`) and any conflicts left behind (UPD001/UPD002, see
`check_conflicts.py`). Standard library only.

Usage:
  python tools/template_update_report.py --current-commit
      print `_commit` from .copier-answers.yml (run it before the update to remember it)
  python tools/template_update_report.py --old-commit v0.1.0 [--output body.md]
      after the update: write the body (CHANGELOG from the template repository)
  python tools/template_update_report.py --old-commit v0.1.0 --new-commit v0.3.0
      --changelog CHANGELOG.md
      only the CHANGELOG excerpt between two versions, from a local file
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess  # nosec B404
import sys
import tempfile
from pathlib import Path

from check_conflicts import find_leftovers

ANSWERS = ".copier-answers.yml"
DOCS = "docs/ci.md#scheduled-template-update"
# `_commit` is a tag (`v1.2.0`) or `git describe` output past a tag (`v1.2.0-3-gabc1234`).
COMMIT = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-(\d+)-g[0-9a-f]+)?$")
HEADING = re.compile(r"^##\s+\[?v?(\d+)\.(\d+)\.(\d+)\b")
UNRELEASED = re.compile(r"^##\s+\[?unreleased\b", re.IGNORECASE)
SAFE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")

GIT = shutil.which("git") or "git"

Version = tuple[int, int, int]


def read_answers(text: str) -> dict[str, str]:
    """The top-level scalar answers of a Copier answers file (flat YAML)."""
    answers: dict[str, str] = {}
    for line in text.splitlines():
        if not line or line[0] in " #-":
            continue
        key, _, value = line.partition(":")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1].replace("''", "'")
        elif len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        answers[key.strip()] = value
    return answers


def release_of(commit: str) -> tuple[Version, bool] | None:
    """(version, past the tag?) of a `_commit`, or None if it names no release."""
    match = COMMIT.match(commit.strip())
    if not match:
        return None
    major, minor, patch, ahead = match.groups()
    return (int(major), int(minor), int(patch)), bool(ahead and int(ahead) > 0)


def changelog_excerpt(text: str, old_commit: str, new_commit: str) -> str:
    """The CHANGELOG sections after `old_commit`'s release up to `new_commit`'s, in order.

    A section is a `## <version>` heading with what follows it. "Unreleased" is included
    only when the new commit lies past its release tag (a template HEAD between releases).
    """
    old, new = release_of(old_commit), release_of(new_commit)
    if old is None or new is None:
        return ""
    (old_version, _), (new_version, new_is_past_tag) = old, new
    kept: list[str] = []
    keep = False
    for line in text.splitlines():
        if line.startswith("## "):
            heading = HEADING.match(line)
            if heading:
                version = tuple(int(part) for part in heading.groups())
                keep = old_version < version <= new_version
            else:
                keep = bool(UNRELEASED.match(line)) and new_is_past_tag
        elif line.startswith("# "):
            keep = False
        if keep:
            kept.append(line)
    return "\n".join(kept).strip()


def template_changelog(src_path: str, commit: str) -> str:
    """CHANGELOG.md of the template repository at `commit` (a clone of `_src_path`)."""
    # Argument lists, no shell: the answers' values cannot run as commands.
    with tempfile.TemporaryDirectory() as clone:
        subprocess.run(  # noqa: S603  # nosec B603
            [GIT, "clone", "--quiet", "--no-checkout", "--", src_path, clone],
            check=True,
            capture_output=True,
        )
        return subprocess.run(  # noqa: S603  # nosec B603
            [GIT, "-C", clone, "show", f"{commit}:CHANGELOG.md"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def body(root: Path, old_commit: str) -> str:
    answers = read_answers((root / ANSWERS).read_text(encoding="utf-8"))
    new_commit, src_path = answers.get("_commit", ""), answers.get("_src_path", "")
    try:
        if not SAFE_REF.match(new_commit):
            raise OSError(f"_commit {new_commit!r} in {ANSWERS} names no template version")
        excerpt = changelog_excerpt(
            template_changelog(src_path, new_commit), old_commit, new_commit
        )
    except (OSError, subprocess.CalledProcessError) as error:
        excerpt = f"_Could not read the template's CHANGELOG.md from `{src_path}`: {error}_"
    leftovers = find_leftovers(root)
    lines = [
        f"Template update from `{old_commit}` to `{new_commit}` (`copier update --trust "
        "--defaults --skip-answered`), opened by the scheduled template update.",
        "",
        "## What changed in the template",
        "",
        excerpt
        or f"_The template's CHANGELOG.md has no entries between {old_commit} and {new_commit}._",
        "",
        "## Conflicts",
        "",
    ]
    if leftovers:
        lines.append(
            "copier update left these behind; the conflict gate (CI's first job,"
            " `python3 tools/check_conflicts.py`) fails until each is resolved on this branch:"
        )
        lines.append("")
        lines.extend(
            f"- `{finding.code}` `{finding.where}`: {finding.problem}" for finding in leftovers
        )
    else:
        lines.append("None: the update applied cleanly.")
    lines += ["", f"How to review and finish an update: `{DOCS}`."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--current-commit", action="store_true", help="print _commit and exit")
    parser.add_argument("--old-commit", help="the _commit before the update")
    parser.add_argument("--new-commit", help="with --changelog: the _commit after the update")
    parser.add_argument("--changelog", type=Path, help="read this CHANGELOG.md instead")
    parser.add_argument("--output", type=Path, help="write here instead of standard output")
    parser.add_argument("--root", type=Path, default=Path("."), help="the project (default: .)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.current_commit:
        commit = read_answers((root / ANSWERS).read_text(encoding="utf-8")).get("_commit", "")
        if not SAFE_REF.match(commit):
            print(f"UPD003 {ANSWERS}: no usable _commit ({commit!r}); see {DOCS}", file=sys.stderr)
            return 1
        print(commit)
        return 0
    if not args.old_commit:
        parser.error("--old-commit is required (or --current-commit)")
    if args.changelog:
        if not args.new_commit:
            parser.error("--changelog needs --new-commit")
        text = args.changelog.read_text(encoding="utf-8")
        report = changelog_excerpt(text, args.old_commit, args.new_commit) + "\n"
    else:
        report = body(root, args.old_commit)
    if args.output:
        args.output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
