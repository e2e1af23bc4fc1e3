"""Print the CHANGELOG.md entry of a release tag; fail if the tag has none.

The release workflow runs it on every `vX.Y.Z` tag, so a version cannot be released
without its entry (conventions changed, migration, what teams do by hand):

    python3 scripts/release_notes.py v1.2.0 [--changelog CHANGELOG.md]

Standard library only.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TAG = re.compile(r"^v(\d+\.\d+\.\d+)$")


def release_notes(changelog: str, tag: str) -> str | None:
    """The body of the `## vX.Y.Z` (or `## X.Y.Z`) section for `tag`, or None."""
    match = TAG.match(tag)
    if not match:
        return None
    heading = re.compile(rf"^##\s+\[?v?{re.escape(match.group(1))}\]?(?:\s|$)")
    lines = changelog.splitlines()
    for start, line in enumerate(lines):
        if heading.match(line):
            end = next(
                (i for i in range(start + 1, len(lines)) if lines[i].startswith(("## ", "# "))),
                len(lines),
            )
            return "\n".join(lines[start + 1 : end]).strip()
    return None


RELEASE_HEADING = re.compile(r"^##\s+\[?v?(\d+\.\d+\.\d+)\]?(?:\s|$)")
RELEASE_COMMIT = re.compile(r"^Release commit: `([0-9a-f]{40})`")


def releases(changelog: str) -> list[tuple[str, str | None]]:
    """(version, release commit or None) for every release entry, oldest first.

    An entry records its commit once the release is tagged, so a clone without tags can
    rebuild them: `git tag v<version> <commit>`.
    """
    found: list[tuple[str, str | None]] = []
    for line in changelog.splitlines():
        if heading := RELEASE_HEADING.match(line):
            found.append((heading.group(1), None))
        elif found and found[-1][1] is None and (commit := RELEASE_COMMIT.match(line)):
            found[-1] = (found[-1][0], commit.group(1))
    return found[::-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a release tag's CHANGELOG entry.")
    parser.add_argument("tag", help="the release tag, e.g. v1.2.0")
    parser.add_argument("--changelog", type=Path, default=Path("CHANGELOG.md"))
    args = parser.parse_args(argv)
    notes = release_notes(args.changelog.read_text(encoding="utf-8"), args.tag)
    if not notes:
        print(
            f"{args.changelog} has no entry for {args.tag!r}: release tags are vX.Y.Z and "
            f"each needs a '## {args.tag} — <date>' section with what changed "
            "(see docs/platform-team.md)",
            file=sys.stderr,
        )
        return 1
    print(notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
