"""Every link a failure message prints leads to a real page and anchor of a generated project.

The sources are template/ as written; the pages are a default render. Each check ID a
generated project can print has an anchor on one of its docs pages, and each
`docs/<page>.md#<anchor>` string resolves. Planted faults prove the checker catches both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.support import (
    broken_doc_links,
    check_ids,
    ids_without_anchor,
    template_sources,
)
from tests.support import DEFAULT_COMBO, TEMPLATE_DIR

SOURCES = template_sources(TEMPLATE_DIR)


@pytest.fixture(scope="module")
def project(rendered) -> Path:
    return rendered(DEFAULT_COMBO)


def test_the_template_prints_check_ids_of_every_landed_family() -> None:
    families = {code.rstrip("0123456789") for code in check_ids(SOURCES)}
    assert {"DC", "MOD", "OWN"} <= families, f"check ID families found: {sorted(families)}"


def test_every_check_id_has_an_anchor_on_a_docs_page(project: Path) -> None:
    missing = ids_without_anchor(SOURCES, project)
    listing = "\n".join(f"  {code} (in {', '.join(files)})" for code, files in missing.items())
    assert not missing, (
        "check IDs without an anchor on a page of the generated project's docs/ "
        f'(add <a id="{{id in lowercase}}"></a> where the ID is described):\n{listing}'
    )


def test_every_docs_link_in_the_template_resolves(project: Path) -> None:
    links = sum(text.count("docs/") for text in SOURCES.values())
    assert links > 10, "the template's failure messages link to their docs pages"
    broken = broken_doc_links(SOURCES, project)
    assert not broken, "links to pages or anchors that do not exist:\n" + "\n".join(
        f"  {b}" for b in broken
    )


@pytest.mark.parametrize(
    ("planted", "expected"),
    [
        ("see docs/data-contracts.md#dc999", "docs/data-contracts.md has no anchor #dc999"),
        ("see docs/ways-of-working.md#definition-of-ready", "has no anchor #definition-of-ready"),
        ("see docs/no-such-page.md", "docs/no-such-page.md is not in a generated project"),
        ("see README.md#no-such-section", "README.md has no anchor #no-such-section"),
    ],
    ids=["unknown-check-anchor", "unknown-section", "missing-page", "readme-anchor"],
)
def test_a_planted_broken_link_is_reported(project: Path, planted: str, expected: str) -> None:
    sources = {**SOURCES, "src/planted.py": f'DOCS = "{planted.split()[-1]}"  # {planted}\n'}
    broken = [str(b) for b in broken_doc_links(sources, project)]
    assert any(b.startswith("src/planted.py:") and expected in b for b in broken), broken


def test_a_planted_check_id_without_anchor_is_reported(project: Path) -> None:
    sources = {**SOURCES, "src/planted.py": 'raise AGREEMENT.error("DC099", path, "planted")\n'}
    missing = ids_without_anchor(sources, project)
    assert missing == {"DC099": ["src/planted.py"]}, missing
