"""The questionnaire works for a person at a terminal, including a wrong answer and its fix.

`copier copy` runs in a pseudo-terminal as a new user would run it. The user accepts the
defaults, picks GitLab CI with the arrow keys, types a package name with a hyphen, reads
the validator's message on screen, corrects the name, and gets the project.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from tests.support import COPIER_CONFIG, TEMPLATE_ROOT, choice_values, read_answers

ARROW_DOWN = "\x1b[B"
ENTER = "\r"
SCREEN = (60, 220)  # rows, columns: wide enough that no help text or message wraps


def asked_questions() -> list[str]:
    """Questions in the order Copier asks them: not settings, not hidden computed values."""
    return [
        name
        for name, spec in COPIER_CONFIG.items()
        if not name.startswith("_")
        and isinstance(spec, dict)
        and "help" in spec
        and spec.get("when") is not False
    ]


def prompt_text(question: str) -> str:
    """A stretch of the question's help that the prompt shows verbatim (before any Jinja)."""
    return str(COPIER_CONFIG[question]["help"]).split("{{")[0].split("{%")[0][:40]


def test_user_fixes_a_refused_package_name_and_gets_the_project(tmp_path: Path) -> None:
    destination = tmp_path / "churn"
    env = dict(os.environ, TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="220")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "copier", "copy", "--vcs-ref", "HEAD", str(TEMPLATE_ROOT), str(destination)],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=SCREEN,
    )
    screen: list[str] = []
    child.logfile_read = _Recorder(screen)
    try:
        for question in asked_questions():
            child.expect_exact(prompt_text(question))
            if question == "package_name":
                child.sendcontrol("u")  # clear the pre-filled default
                child.send("churn-model" + ENTER)
                child.expect_exact("must be a lowercase Python identifier")
                child.expect_exact("`churn_model` instead of `churn-model`")
                child.sendcontrol("u")
                child.send("churn_model" + ENTER)
            elif question == "ci_provider":
                steps = choice_values(COPIER_CONFIG[question]).index("gitlab")
                child.send(ARROW_DOWN * steps + ENTER)
            else:
                child.send(ENTER)  # accept the default
        child.expect_exact("is ready in")
        child.expect(pexpect.EOF)
    except (pexpect.TIMEOUT, pexpect.EOF) as stuck:
        pytest.fail(f"the questionnaire stalled: {type(stuck).__name__}\n{''.join(screen)[-3000:]}")
    finally:
        child.close()

    assert child.exitstatus == 0, "".join(screen)[-3000:]
    answers = read_answers(destination)
    assert answers["package_name"] == "churn_model"
    assert answers["ci_provider"] == "gitlab"
    assert answers["project_slug"] == "customer-churn-model", "defaults were not accepted"
    assert not (destination / ".github").exists(), "a GitLab project has no .github/"
    assert (destination / "src" / "churn_model" / "__init__.py").is_file()
    assert not (destination / "src" / "customer_churn_model").exists()


class _Recorder:
    """Keeps what the terminal showed, for the failure message."""

    def __init__(self, sink: list[str]) -> None:
        self._sink = sink

    def write(self, text: str) -> None:
        self._sink.append(text)

    def flush(self) -> None:
        pass
