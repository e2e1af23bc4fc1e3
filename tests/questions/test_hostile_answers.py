"""Hostile free-text answers land verbatim in files that still parse, or are refused.

Answers travel into YAML, TOML, JSON and Markdown. A quote, a colon, a Jinja delimiter or
a YAML special must not break a file, be evaluated, or run anything. Which answers are
refused is pinned: a control character (tab, newline, carriage return), with the
validator's message; every other hostile answer must render, verbatim.
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
    "\"\"\"triple\"\"\" and '''triple'''",
    "<script>alert(1)</script>",
    "100%",
    "@acme",
    # Shell quoting and command separators, and the remaining YAML indicators.
    "'; touch {pwned}; echo '",
    '"; touch {pwned}; echo "',
    "${IFS}touch${IFS}{pwned}",
    "| touch {pwned}",
    "* star ! bang ? key",
    "--- document",
    "key: |",
]
# The only hostile answers the questionnaire refuses: control characters.
REFUSED = ["tab\there", "two\nlines", "crlf\r\nline"]
# What each question's validator says of them (copier.yml).
REFUSAL = {
    "project_name": "project_name must be one line without control characters (newlines, "
    "tabs), e.g. `Customer Churn Model`",
    "description": "description must be one line of text without control characters "
    "(newlines, tabs), e.g. `Predicts which customers are likely to churn next month.`; "
    "put longer text in the README",
}


# Two combinations that between them render every CI provider, serving mode and target.
SIDES = [Combo("3.12", "github", "rest", "kserve"), Combo("3.11", "gitlab", "batch", "kubernetes")]


@pytest.mark.parametrize("side", SIDES, ids=str)
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_answer_renders_parseable_files_verbatim(
    render: RenderFn, tmp_path: Path, hostile: str, side: Combo
) -> None:
    """Both free-text questions get the answer in one render: each lands in its own places."""
    pwned = tmp_path / "pwned"
    answer = hostile.replace("{pwned}", str(pwned))
    try:
        project = render(
            {**side.data, "project_name": answer, "description": answer}, tmp_path / "project"
        )
    except ValueError as refused:
        pytest.fail(f"the answer {answer!r} must render, but was refused: {refused}")
    assert not pwned.exists(), f"the answer {answer!r} ran a command while rendering"

    broken = unparseable_files(project)
    assert not broken, "files no longer parse:\n" + "\n".join(broken)

    answers = read_answers(project)
    for question in ("project_name", "description"):
        assert answers[question] == answer, f".copier-answers.yml changed the {question}"
    readme = (project / "README.md").read_text(encoding="utf-8").splitlines()
    assert readme[0] == f"# {answer}", "README.md's title changed the project name"
    assert readme[2] == answer, "README.md changed the description"
    pyproject = project / "pyproject.toml"
    metadata = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    assert metadata["description"] == answer, "pyproject.toml changed the description"


@pytest.mark.parametrize("question", ["project_name", "description"])
@pytest.mark.parametrize("hostile", REFUSED)
def test_control_characters_are_refused_with_the_validators_message(
    render: RenderFn, tmp_path: Path, question: str, hostile: str
) -> None:
    project = tmp_path / "project"
    with pytest.raises(ValueError, match="Validation error") as refused:
        render({question: hostile}, project)
    expected = f"Validation error for question '{question}': {REFUSAL[question]}"
    assert str(refused.value) == expected
    assert not project.exists() or not any(project.iterdir()), "a refused answer left files"


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
