"""Every link a failure message prints leads to a real page and anchor of a generated project.

The sources are template/ as written and the platform kit's modules, which projects run;
the pages are a default render. Every family of the registry has IDs that this code
prints, each check ID it can print has an anchor on one of the project's docs pages, and
each `docs/<page>.md#<anchor>` string resolves. Planted faults prove the checker catches
both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ml_platform_kit.registry import checks
from tests.docs.support import (
    broken_doc_links,
    check_ids,
    ids_without_anchor,
    kit_sources,
    template_sources,
)
from tests.support import DEFAULT_COMBO, TEMPLATE_DIR

SOURCES = {**template_sources(TEMPLATE_DIR), **kit_sources()}


@pytest.fixture(scope="module")
def project(rendered) -> Path:
    return rendered(DEFAULT_COMBO)


def test_every_family_of_the_registry_prints_its_ids() -> None:
    printed = check_ids(SOURCES)
    families = {check.family for check in checks().values()}
    silent = sorted(
        family
        for family in families
        if not any(c.id in printed for c in checks().values() if c.family == family)
    )
    assert not silent, f"families of the registry whose IDs no code prints: {silent}"
    unregistered = sorted(code for code in printed if _is_kit_id(code) and code not in checks())
    assert not unregistered, f"IDs printed but not in the registry: {unregistered}"


def _is_kit_id(code: str) -> bool:
    """An ID of the kit's families (DC, MOD, ...), not another tool's (sp-repo-review's PY003)."""
    prefixes = {check.id.rstrip("0123456789") for check in checks().values()}
    return code.rstrip("0123456789") in prefixes


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
