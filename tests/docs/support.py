"""What the docs tests share: the site hook as a module, and the links failures print."""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import markdown

from tests.support import TEMPLATE_ROOT, text_of

HOOK_PATH = TEMPLATE_ROOT / "scripts" / "docs_site.py"

# `docs/<page>.md` or `README.md`, with an optional `#anchor`, as failure messages print them.
DOC_LINK = re.compile(r"(?<![\w/.-])((?:docs/[\w.-]+\.md|README\.md)(?:#[\w-]+)?)")
# A check's ID: a family of two or three capitals and three digits (DC005, MOD001, OWN003).
CHECK_ID = re.compile(r"\b[A-Z]{2,3}\d{3}\b")
# Files that are data, not messages: sample data and vendored schemas.
NOT_SOURCES = (re.compile(r"\.csv$"), re.compile(r"(^|/)schema/"))


def load_hook() -> ModuleType:
    """scripts/docs_site.py, imported as MkDocs imports it."""
    if "docs_site" in sys.modules:
        return sys.modules["docs_site"]
    spec = importlib.util.spec_from_file_location("docs_site", HOOK_PATH)
    assert spec is not None, f"cannot load {HOOK_PATH}"
    assert spec.loader is not None, f"cannot load {HOOK_PATH}"
    module = importlib.util.module_from_spec(spec)
    sys.modules["docs_site"] = module
    spec.loader.exec_module(module)
    return module


def template_sources(template_dir: Path) -> dict[str, str]:
    """Every text file of template/ that can print or hold a message, by relative path."""
    sources = {}
    for path in sorted(template_dir.rglob("*")):
        relative = path.relative_to(template_dir).as_posix()
        if not path.is_file() or any(p.search(relative) for p in NOT_SOURCES):
            continue
        text = text_of(path)
        if text is not None:
            sources[relative] = text
    return sources


@functools.cache
def anchors(markdown_text: str) -> frozenset[str]:
    """The ids a page has once rendered: headings (as MkDocs slugs them) and raw `id=`."""
    html = markdown.markdown(markdown_text, extensions=["toc", "attr_list", "md_in_html", "tables"])
    return frozenset(re.findall(r'\bid="([^"]+)"', html))


@dataclass(frozen=True)
class BrokenLink:
    source: str
    link: str
    problem: str

    def __str__(self) -> str:
        return f"{self.source}: {self.link}: {self.problem}"


def broken_doc_links(sources: dict[str, str], project: Path) -> list[BrokenLink]:
    """Each `docs/<page>.md#<anchor>` in the sources that a rendered `project` lacks."""
    broken = []
    for source, text in sources.items():
        for link in sorted(set(DOC_LINK.findall(text))):
            page, _, anchor = link.partition("#")
            target = project / page
            if not target.is_file():
                broken.append(BrokenLink(source, link, f"{page} is not in a generated project"))
            elif anchor and anchor not in anchors(target.read_text(encoding="utf-8")):
                broken.append(BrokenLink(source, link, f"{page} has no anchor #{anchor}"))
    return broken


def check_ids(sources: dict[str, str]) -> dict[str, list[str]]:
    """Each check ID in the sources, with the files that mention it."""
    found: dict[str, list[str]] = {}
    for source, text in sources.items():
        for code in sorted(set(CHECK_ID.findall(text))):
            found.setdefault(code, []).append(source)
    return found


def ids_without_anchor(sources: dict[str, str], project: Path) -> dict[str, list[str]]:
    """Check IDs that no page of the project's `docs/` has an anchor for (`#dc005`)."""
    documented: set[str] = set()
    for page in sorted((project / "docs").glob("*.md")):
        documented |= anchors(page.read_text(encoding="utf-8"))
    return {
        code: files for code, files in check_ids(sources).items() if code.lower() not in documented
    }
