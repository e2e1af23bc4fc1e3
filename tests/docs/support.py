"""What the docs tests share: the site hook as a module, the links failures print, and the
ID tables that the generated README and docs pages render from the registry of checks."""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import markdown

from ml_platform_kit.registry import Check, checks
from tests.support import TEMPLATE_ROOT, text_of

HOOK_PATH = TEMPLATE_ROOT / "scripts" / "docs_site.py"
# The platform kit's code: the findings it prints name IDs and docs pages too.
KIT_DIR = TEMPLATE_ROOT / "src" / "ml_platform_kit"

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


def kit_sources(kit_dir: Path = KIT_DIR) -> dict[str, str]:
    """The kit's Python modules, by path from the repository root: what projects run.

    The registry itself (checks.yml) is left out: it names every ID by definition, so it
    would hide a check that no code prints."""
    return {
        path.relative_to(TEMPLATE_ROOT).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(kit_dir.rglob("*.py"))
    }


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


# --- the ID tables rendered from the registry -------------------------------------------------

# A docs page's row: `| <a id="dc001"></a>`DC001` | title | owner | fix |`.
PAGE_ROW = re.compile(r'^\| <a id="([^"]*)"></a>`([A-Z]{2,3}\d{3})` \|(.*)$', re.MULTILINE)
# The README's row: `| [`DC001`](docs/data-contracts.md#dc001) | title | owner |`.
README_ROW = re.compile(r"^\| \[`([A-Z]{2,3}\d{3})`\]\(([^)#]*)#([^)]*)\) \|(.*)$", re.MULTILINE)


def _cells(rest: str) -> list[str]:
    """The cells after the ID cell of a table row (`\\|` is a pipe inside a cell)."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", rest)][:-1]


def team_handles(answers: Mapping[str, object]) -> dict[str, str]:
    """Role -> handle, from a project's `.copier-answers.yml` (`team_<role>`)."""
    return {
        key.removeprefix("team_"): str(value)
        for key, value in answers.items()
        if key.startswith("team_")
    }


def _prefix(code: str) -> str:
    return code.rstrip("0123456789")


def _prefixes() -> set[str]:
    """The kit's ID prefixes (DC, MOD, ...): the families of the registry the kit ships."""
    return {_prefix(code) for code in checks()}


def _compare_ids(where: str, got: list[str], expected: list[Check]) -> list[str]:
    want = [check.id for check in expected]
    problems = [f"{where}: no row for the registry's {code}" for code in want if code not in got]
    problems += [
        f"{where}: a row for {code}, which the registry does not give it"
        for code in got
        if code not in want
    ]
    problems += [
        f"{where}: {code} has {got.count(code)} rows"
        for code in dict.fromkeys(got)
        if got.count(code) > 1
    ]
    if not problems and got != want:
        problems.append(f"{where}: rows in the order {got}, the registry's is {want}")
    return problems


def page_table_problems(
    page: str, text: str, registry: Sequence[Check], handles: Mapping[str, str]
) -> list[str]:
    """What a rendered docs page's ID table gets wrong against the registry: a missing,
    extra or repeated row, an anchor that is not the ID's, an owner that is not the role's
    handle, or an ID's anchor that the page defines more than once (a heading `### DC005`
    beside the row)."""
    expected = [check for check in registry if check.page == page]
    by_id = {check.id: check for check in registry}
    # Rows of the kit's families only: a page may list other tools' IDs (sp-repo-review's).
    rows = [row for row in PAGE_ROW.findall(text) if _prefix(row[1]) in _prefixes()]
    problems = _compare_ids(page, [code for _, code, _ in rows], expected)
    for anchor, code, rest in rows:
        if anchor != code.lower():
            problems.append(f"{page}: {code}'s row has the anchor #{anchor}, not #{code.lower()}")
        cells = _cells(rest)
        if code in by_id and (len(cells) < 2 or cells[1] != handles[by_id[code].owner]):
            problems.append(
                f"{page}: {code}'s owner is {cells[1:2]}, not {handles[by_id[code].owner]}"
            )
    html = markdown.markdown(text, extensions=["toc", "attr_list", "md_in_html", "tables"])
    for check in expected:
        count = len(re.findall(rf'\bid="{check.id.lower()}"', html))
        if count > 1:
            problems.append(f"{page}: the anchor #{check.id.lower()} is defined {count} times")
    return problems


def readme_table_problems(
    text: str, registry: Sequence[Check], handles: Mapping[str, str]
) -> list[str]:
    """What the rendered README's checks table gets wrong: every registry ID once, in the
    registry's order, linking to its page's anchor, with the role's handle as owner."""
    section = text.split("\n## Checks\n", 1)[-1].split("\n## ", 1)[0]
    rows = README_ROW.findall(section)
    problems = _compare_ids("README.md", [code for code, _, _, _ in rows], list(registry))
    by_id = {check.id: check for check in registry}
    for code, page, anchor, rest in rows:
        check = by_id.get(code)
        if check is None:
            continue
        if (page, anchor) != (check.page, code.lower()):
            problems.append(f"README.md: {code} links to {page}#{anchor}, not {check.docs}")
        cells = _cells(rest)
        if len(cells) < 2 or cells[1] != handles[check.owner]:
            problems.append(
                f"README.md: {code}'s owner is {cells[1:2]}, not {handles[check.owner]}"
            )
    return problems


def registry_table_problems(
    project: Path, registry: Sequence[Check], answers: Mapping[str, object]
) -> list[str]:
    """Every disagreement between a rendered project's ID tables (each docs page's and the
    README's) and the registry."""
    handles = team_handles(answers)
    pages = {f"docs/{path.name}": path for path in sorted((project / "docs").glob("*.md"))}
    problems = [
        f"{page}: the registry names it, a generated project lacks it"
        for page in dict.fromkeys(check.page for check in registry)
        if page not in pages
    ]
    for page, path in pages.items():
        problems += page_table_problems(page, path.read_text(encoding="utf-8"), registry, handles)
    readme = (project / "README.md").read_text(encoding="utf-8")
    return problems + readme_table_problems(readme, registry, handles)
