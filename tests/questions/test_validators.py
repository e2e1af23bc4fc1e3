"""Every validator refuses bad answers with a message that names the question and shows a fix.

A person who mistypes an answer reads the message once and knows what to type instead,
so each refusal must name the question and carry an example (`e.g. ...`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import RenderFn

TEAM_QUESTIONS = ("team_data_engineering", "team_data_science", "team_mlops", "team_platform")

BAD_ANSWERS: list[tuple[str, str, str]] = [
    # (question, answer, words the message must contain besides the question and "e.g.")
    ("project_name", "", "must not be empty"),
    ("project_name", "   ", "must not be empty"),
    ("project_slug", "Churn_Model", "kebab-case"),
    ("project_slug", "-x", "kebab-case"),
    ("project_slug", "a--b", "kebab-case"),
    ("project_slug", "1abc", "kebab-case"),
    ("project_slug", "", "kebab-case"),
    ("package_name", "churn-model", "lowercase Python identifier"),
    ("package_name", "Churn", "lowercase Python identifier"),
    ("package_name", "1x", "lowercase Python identifier"),
    ("package_name", "class", "Python keyword"),
    ("package_name", "os", "standard-library"),
    ("package_name", "json", "standard-library"),
    ("package_name", "pandas", "shadow"),
    ("package_name", "numpy", "shadow"),
    ("package_name", "sklearn", "shadow"),
    ("package_name", "tests", "shadow"),
    ("organisation", "acme corp", "organisation"),
    ("organisation", "@acme", "organisation"),
    ("organisation", "", "organisation"),
    ("description", "", "must not be empty"),
    ("description", "Predicts churn.\nAnd more.", "one line"),
    ("description", "Predicts\tchurn.", "control characters"),
    ("platform_kit_source", "github.com/acme/ml-platform-template", "git URL"),
    ("platform_kit_source", "https://example.com/it's.git", "git URL"),  # quoted in shell
    ("platform_kit_source", "https://example.com/repo.git/", "git URL"),
    ("platform_kit_source", "", "`index`"),
    *[
        (team, bad, "handle")
        for team in TEAM_QUESTIONS
        for bad in ("acme/team", "@", "@ space", "team")
    ],
]


def _id(case: tuple[str, str, str]) -> str:
    question, answer, _ = case
    return f"{question}={answer!r}"


@pytest.mark.parametrize(("question", "answer", "words"), BAD_ANSWERS, ids=map(_id, BAD_ANSWERS))
def test_validator_refuses_bad_answer_with_a_fix_hint(
    render: RenderFn, tmp_path: Path, question: str, answer: str, words: str
) -> None:
    with pytest.raises(ValueError, match=r"(?s)Validation error") as refused:
        render({question: answer}, tmp_path / "project")
    message = str(refused.value)
    assert f"'{question}'" in message, f"the message does not name the question: {message}"
    assert words in message, f"the message does not say what is wrong ({words!r}): {message}"
    assert "e.g." in message, f"the message shows no example of a valid answer: {message}"
    assert not (tmp_path / "project").exists(), "a refused answer must not leave a project behind"


def test_kserve_is_refused_for_batch_serving(render: RenderFn, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="deploy_target") as refused:
        render({"serving_mode": "batch", "deploy_target": "kserve"}, tmp_path / "project")
    message = str(refused.value)
    assert "KServe" in message, message
    assert "`kubernetes`" in message, f"the message does not name the working choice: {message}"
    assert not (tmp_path / "project").exists()


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("python_version", "3.10"),
        ("ci_provider", "jenkins"),
        ("serving_mode", "stream"),
        ("deploy_target", "lambda"),
        ("license", "GPL-3.0-only"),
        ("license", "mit"),
    ],
)
def test_choice_questions_refuse_unknown_values(
    render: RenderFn, tmp_path: Path, question: str, answer: str
) -> None:
    with pytest.raises(ValueError, match=f"Invalid choice for '{question}'"):
        render({question: answer}, tmp_path / "project")


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("project_slug", "churn-model-2"),
        ("package_name", "churn_model"),
        ("package_name", "os_tools"),
        ("organisation", "acme/ml"),
        ("team_data_engineering", "@jane"),
        ("team_mlops", "@acme/ml/mlops"),
        ("license", "Apache-2.0"),
    ],
)
def test_validator_accepts_good_answers(
    render: RenderFn, tmp_path: Path, question: str, answer: str
) -> None:
    project = render({question: answer}, tmp_path / "project")
    assert (project / ".copier-answers.yml").is_file()
