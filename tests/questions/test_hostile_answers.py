"""Hostile free-text answers are refused or land verbatim in files that still parse.

Answers travel into YAML, TOML, JSON and Markdown. A quote, a colon, a Jinja delimiter or
a YAML special must not break a file, be evaluated, or run anything.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.support import Combo, RenderFn, read_answers, unparseable_files

HOSTILE = [
    'He said "hi"',
    "it's O'Brien's model",
    "key: value",
    "a: b: c",
    "{{ 7 * 7 }}",
    "{{ _copier_conf.dst_path }}",
    "{% raw %}x{% endraw %}",
    "{% if true %}evaluated{% endif %}",
    "{# comment #}",
    "$(touch {pwned})",
    "`touch {pwned}`",
    "; touch {pwned} #",
    "Prévision Çhurn — 日本語 🚀",
    "yes",
    "null",
    "- a",
    "# c",
    "[1, 2]",
    "{a: 1}",
    "&anchor *alias",
    "!!python/object:os.system",
    "back\\slash \\n \\u0041",
    "tab\there",
    "\"\"\"triple\"\"\" and '''triple'''",
    "<script>alert(1)</script>",
    "100%",
    "@acme",
]


# Two combinations that between them render every CI provider, serving mode and target.
SIDES = [Combo("3.12", "github", "rest", "kserve"), Combo("3.11", "gitlab", "batch", "kubernetes")]


@pytest.mark.parametrize("side", SIDES, ids=str)
@pytest.mark.parametrize("question", ["project_name", "description"])
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_answer_is_refused_or_renders_parseable_files_verbatim(
    render: RenderFn, tmp_path: Path, question: str, hostile: str, side: Combo
) -> None:
    pwned = tmp_path / "pwned"
    answer = hostile.replace("{pwned}", str(pwned))
    project = tmp_path / "project"
    refusal = None
    try:
        render({**side.data, question: answer}, project)
    except ValueError as refused:
        refusal = str(refused)
    assert not pwned.exists(), f"the answer {answer!r} ran a command while rendering"
    if refusal is not None:
        assert "Validation error" in refusal, f"refused without a validator message: {refusal}"
        return

    broken = unparseable_files(project)
    assert not broken, "files no longer parse:\n" + "\n".join(broken)

    assert read_answers(project)[question] == answer, ".copier-answers.yml changed the answer"
    if question == "description":
        pyproject = project / "pyproject.toml"
        metadata = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        assert metadata["description"] == answer, "pyproject.toml changed the description"
