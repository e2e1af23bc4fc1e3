"""Hostile free-text answers are refused or land verbatim in files that still parse.

Answers travel into YAML, TOML, JSON and Markdown. A quote, a colon, a Jinja delimiter or
a YAML special must not break a file, be evaluated, or run anything.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.support import (
    DEFAULT_COMBO,
    Combo,
    RenderFn,
    git_init_commit,
    read_answers,
    run_tox,
    tail,
    unparseable_files,
)

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
    # Shell quoting and command separators, newlines, and the remaining YAML indicators.
    "'; touch {pwned}; echo '",
    '"; touch {pwned}; echo "',
    "${IFS}touch${IFS}{pwned}",
    "| touch {pwned}",
    "two\nlines",
    "crlf\r\nline",
    "* star ! bang ? key",
    "--- document",
    "key: |",
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


@pytest.mark.slow
def test_hostile_answers_run_nothing_even_when_the_project_runs_its_hooks(
    render: RenderFn, python_path, tmp_path: Path
) -> None:
    """Render with command-running answers, then run the project's own `tox -e lint` (every
    pre-commit hook on every file): nothing the answers hold is ever executed."""
    pwned = tmp_path / "pwned"
    answers = {
        "project_name": f"$(touch {pwned}) `touch {pwned}` {{{{ 7 * 7 }}}}",
        "description": f"'; touch {pwned}; echo ' \"; touch {pwned}; echo \" | touch {pwned}",
    }
    # A slug of its own: the one derived from these answers holds the marker's long path,
    # and the names derived from a project name are the property test's subject.
    data = {**DEFAULT_COMBO.data, **answers, "project_slug": "hostile-answers"}
    project = render(data, tmp_path / "project")
    assert not pwned.exists(), "an answer ran a command while rendering"
    assert read_answers(project)["project_name"] == answers["project_name"]
    git_init_commit(project)
    tox = run_tox(project, python_path(DEFAULT_COMBO.python_version), "-e", "lint")
    assert not pwned.exists(), "an answer ran a command in the generated project's hooks"
    assert tox.returncode == 0, f"tox -e lint fails on a hostile render\n{tail(tox.output)}"
