"""1.1.0, questionnaire: the answer `serving` is now `serving_mode` (same values).

Convention changed: the question that chooses REST or batch serving was called `serving`,
like the deploy manifest's `serving` section it does not describe; it is now
`serving_mode`. Copier knows nothing of renames: an answer under the old name is ignored,
and `copier update --defaults` would silently switch a batch project to the default, REST.
Running before Copier reads the answers, this migration renames the recorded answer in
`.copier-answers.yml`, keeping its value and every other line.
"""

from __future__ import annotations

from pathlib import Path

from support import ANSWERS_FILE, MigrationError, parse_answers, read_text, run, write_atomically
from yaml_text import YamlEditError, rename_key

OLD, NEW = "serving", "serving_mode"


def rename(text: str) -> tuple[str, list[str]]:
    """The answers file's text with the old key renamed, and what changed."""
    answers = parse_answers(text)
    if OLD not in answers:
        return text, []
    if NEW in answers:
        raise YamlEditError(
            f"holds both `{OLD}: {answers[OLD]}` and `{NEW}: {answers[NEW]}`; delete the one "
            "that is wrong"
        )
    return rename_key(text, (OLD,), NEW), [
        f"{ANSWERS_FILE}: {OLD}: {answers[OLD]} -> {NEW}: {answers[OLD]}"
    ]


def migrate(root: Path) -> list[str]:
    try:
        new, changes = rename(read_text(root, ANSWERS_FILE))
    except YamlEditError as error:
        raise MigrationError(f"{ANSWERS_FILE} {error}, then update again") from error
    if changes:
        write_atomically(root / ANSWERS_FILE, new)
    return changes


if __name__ == "__main__":
    run("1.1.0 rename the serving answer", migrate)
