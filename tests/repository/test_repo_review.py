"""sp-repo-review finds nothing unexplained in this repository either.

The template repository is judged by the same suite as the projects it generates: each
check passes or is listed in this repository's `[tool.repo-review.ignore]` (pyproject.toml)
with the reason a template repository differs (no licence of its own, `uv run pytest`
rather than tox, action pins moved by hand with template/'s).
"""

from __future__ import annotations

from tests.repo_review import assert_nothing_unexplained, review
from tests.support import TEMPLATE_ROOT


def test_repo_review_finds_nothing_unexplained_in_this_repository() -> None:
    judged = review(TEMPLATE_ROOT)
    assert len(judged.passed) > 25, f"too few checks ran: {judged.figures()}"
    assert_nothing_unexplained("this repository", judged)
    fixed = [name for name in ("PP304", "PP305", "PP309", "RF002") if name not in judged.passed]
    assert not fixed, f"no longer pass: {judged.explain(fixed)}"
