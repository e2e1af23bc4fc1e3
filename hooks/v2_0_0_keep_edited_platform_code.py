"""2.0.0, the platform kit: copied platform code leaves the project; a team's edit of it stays.

Convention changed: the checks that projects carried in `tools/` and in their own package
(`src/<package>/contract_check.py`, `deploy.py`, ...) run from the platform kit, a package
pinned to the template version. Copier deletes every file the new template no longer
renders, with exit code 0, even one the team edited. Running after Copier, this migration
compares each removed file as the team had it (the last commit: Copier starts from a clean
tree) with what the old template version rendered for this project's answers: an unedited
copy stays deleted; an edited one is written back and named, so nothing the team wrote is
lost. `ml-platform conventions` then reports it (UPD008) until its change is proposed to
the template and the file is deleted (or a waiver covers it while that happens).
The files: `src/ml_platform_kit/retired.yml` of the new template version.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import copier
import yaml
from support import ANSWERS_FILE, MigrationError, git_show, parse_answers, run, write_atomically

RELEASE = "2.0.0"
TEMPLATE_ROOT = Path(__file__).resolve().parent.parent  # the template at the new version
RETIRED = TEMPLATE_ROOT / "src" / "ml_platform_kit" / "retired.yml"


def retired_paths(package_name: str) -> list[str]:
    listed = yaml.safe_load(RETIRED.read_text(encoding="utf-8"))[RELEASE]
    return [str(path).format(package_name=package_name) for path in listed]


def rendered_before(answers: dict[str, object], dst: Path) -> Path:
    """The project as the old template version rendered it for these answers."""
    old_commit = str(answers.get("_commit") or "")
    if not old_commit:
        raise MigrationError(
            f"the last commit's {ANSWERS_FILE} names no template version (_commit)"
        )
    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    try:
        copier.run_copy(
            str(TEMPLATE_ROOT), dst, data=data, vcs_ref=old_commit, defaults=True, quiet=True
        )
    except Exception as error:  # any failure means the comparison is impossible
        raise MigrationError(
            f"cannot render template version {old_commit} to tell edited platform files from "
            f"unedited ones ({error}); the files are still in the last commit: "
            "`git show HEAD:<file>` for each one the update deleted"
        ) from error
    return dst


def keep_edited(root: Path) -> list[str]:
    answers = parse_answers(git_show(root, "HEAD", ANSWERS_FILE) or "{}")
    removed = [
        path
        for path in retired_paths(str(answers.get("package_name", "")))
        if not (root / path).exists() and git_show(root, "HEAD", path) is not None
    ]
    if not removed:
        return []
    changes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ml-platform-old-render-") as scratch:
        before = rendered_before(answers, Path(scratch) / "project")
        for path in removed:
            team = git_show(root, "HEAD", path)
            template = (
                (before / path).read_text(encoding="utf-8") if (before / path).is_file() else None
            )
            if team is None or team == template:
                changes.append(f"{path}: removed (unedited; the platform kit runs it now)")
                continue
            write_atomically(root / path, team)
            changes.append(
                f"{path}: kept, because the team edited it; nothing reads it any more (the "
                "platform kit runs the checks). Propose the change to the platform team, then "
                "delete the file; until then `ml-platform conventions` reports it as UPD008 "
                "(docs/ci.md#upd008)"
            )
    return changes


if __name__ == "__main__":
    run("2.0.0 keep edited platform code", keep_edited)
