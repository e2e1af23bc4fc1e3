"""sp-repo-review finds nothing unexplained in any generated project.

Scientific Python's conventions suite judges every valid combination: each check either
passes or is listed in the project's `[tool.repo-review.ignore]` with the reason it does
not fit (hooks that must install without GitHub, no pre-commit.ci), and the project's
code-quality page names each listed check. Planted gaps in the table (a failure it does not
list, an ignore without a reason, an ignore whose check passes) are reported.
"""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import pytest

from tests.repo_review import Review, assert_nothing_unexplained, review
from tests.support import DEFAULT_COMBO, Combo

# The checks the template fixes rather than ignores: a licence, pytest's log level and
# warnings as errors, mypy's extra error codes, one place for the Python version.
FIXED = ("PY003", "PP304", "PP309", "MY104", "MY105", "MY106", "RF002")


@functools.cache
def _review(project: Path) -> Review:
    """One repo-review run per rendered combination, shared by the tests below."""
    return review(project)


def test_repo_review_finds_nothing_unexplained(rendered, combo: Combo) -> None:
    judged = _review(rendered(combo))
    assert len(judged.passed) > 30, f"{combo}: too few checks ran: {judged.figures()}"
    assert_nothing_unexplained(str(combo), judged)


def test_the_licence_and_the_tool_settings_pass_their_checks(rendered, combo: Combo) -> None:
    """What the template fixes rather than ignores stays fixed."""
    judged = _review(rendered(combo))
    not_passing = [name for name in FIXED if name not in judged.passed]
    assert not not_passing, f"{combo}: no longer pass: {judged.explain(not_passing)}"


def test_the_code_quality_page_names_every_ignored_check(rendered, combo: Combo) -> None:
    project = rendered(combo)
    page = (project / "docs" / "code-quality.md").read_text(encoding="utf-8")
    listed = set(_review(project).ignore)
    named = set(re.findall(r"`([A-Z]{2,3}\d{3})`", page))
    assert listed <= named, f"{combo}: docs/code-quality.md does not name {sorted(listed - named)}"


@pytest.mark.parametrize(
    ("drop", "add", "said"),
    [
        ("PC160", None, "fails checks that are neither fixed nor listed"),
        ("PC160", 'PC160 = ""', "ignored without a reason: ['PC160']"),
        (None, 'PY001 = "planted: this check passes"', "remove them: ['PY001']"),
    ],
    ids=["failure-not-listed", "ignore-without-reason", "stale-ignore"],
)
def test_a_planted_gap_in_the_ignore_table_is_reported(
    rendered, tmp_path: Path, drop: str | None, add: str | None, said: str
) -> None:
    project = shutil.copytree(rendered(DEFAULT_COMBO), tmp_path / "project")
    pyproject = project / "pyproject.toml"
    planted = []
    for line in pyproject.read_text(encoding="utf-8").splitlines(keepends=True):
        if drop is None or not line.startswith(f"{drop} = "):
            planted.append(line)
        if add is not None and line.strip() == "[tool.repo-review.ignore]":
            planted.append(add + "\n")
    pyproject.write_text("".join(planted), encoding="utf-8")
    with pytest.raises(AssertionError, match=re.escape(said)):
        assert_nothing_unexplained("planted", review(project))
