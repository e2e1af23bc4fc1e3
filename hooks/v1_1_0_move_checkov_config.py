"""1.1.0, security baseline: `.checkov.yaml` moves to `config/security/checkov.yaml`.

Convention changed: the posture scan's settings (platform-managed, but teams add skips with
their reasons) now sit with the other security settings under `config/security/`, which
CODEOWNERS gives to the platform team, so every new skip is reviewed by it.

Copier alone would delete the old file and write the new one from the template, dropping
the team's skips with exit code 0. Running after Copier, this migration takes the team's
file from the last commit (Copier starts from a clean tree, so that is exactly what the team
had) and merges the team's changes into the new file, three ways: base = what template
1.0.x rendered there, theirs = what 1.1.0 renders. Changes that touch the same lines are
left as conflict markers, which the conflict gate (UPD001 in `tox -e conventions`) fails
on until someone resolves them. Nothing the team wrote is dropped.
"""

from __future__ import annotations

from pathlib import Path

from support import (
    ANSWERS_FILE,
    MigrationError,
    git_show,
    merge_three_way,
    parse_answers,
    run,
    write_atomically,
)

OLD = ".checkov.yaml"
NEW = "config/security/checkov.yaml"
TEMPLATE_ROOT = Path(__file__).resolve().parent.parent  # the template at the new version
LABELS = (
    f"{OLD} as the team had it",
    f"{OLD} as the template rendered it",
    f"{NEW} from the template",
)


def old_template_text(old_commit: str) -> str:
    """What the template rendered at `old_commit` for the old path (a plain, unrendered file)."""
    text = git_show(TEMPLATE_ROOT, old_commit, f"template/{OLD}")
    if text is None:
        raise MigrationError(
            f"cannot read {OLD} of template version {old_commit!r} from the template's "
            f"history; the team's {OLD} is still in the last commit: copy its changes into "
            f"{NEW} by hand"
        )
    return text


def carry(root: Path) -> list[str]:
    team = (
        (root / OLD).read_text(encoding="utf-8")
        if (root / OLD).is_file()
        else git_show(root, "HEAD", OLD)
    )
    if team is None:
        return []  # the project had no such file: nothing to carry
    target = root / NEW
    fresh = (TEMPLATE_ROOT / "template" / NEW).read_text(encoding="utf-8")
    if target.is_file() and target.read_text(encoding="utf-8") != fresh:
        return []  # already carried, or edited since: either way the team's text is there
    answers = parse_answers(git_show(root, "HEAD", ANSWERS_FILE) or "{}")
    old_commit = str(answers.get("_commit") or "")
    if not old_commit:
        raise MigrationError(
            f"the last commit's {ANSWERS_FILE} names no template version (_commit)"
        )
    base = old_template_text(old_commit)
    changes: list[str] = []
    if team == base:
        if not target.is_file():  # run outside an update: put the template's file in place
            write_atomically(target, fresh)
        changes.append(f"{OLD} was as the template rendered it; {NEW} is the template's")
    else:
        merged, conflicted = merge_three_way(team, base, fresh, LABELS)
        write_atomically(target, merged)
        if conflicted:
            changes.append(
                f"{NEW}: your changes to {OLD} and the template's overlap; resolve the conflict "
                "markers (the conflict gate, `tox -e conventions`, fails until you do)"
            )
        else:
            changes.append(f"{NEW}: your changes to {OLD} carried over")
    if (root / OLD).is_file():
        (root / OLD).unlink()  # its content lives on in NEW
        changes.append(f"{OLD} removed")
    return changes


if __name__ == "__main__":
    run("1.1.0 move .checkov.yaml", carry)
