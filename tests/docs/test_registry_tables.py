"""The generated README's checks table and each docs page's ID table hold exactly the
registry's IDs: the template renders them from `platform_checks` (the kit's checks.yml),
and no file of template/ types an ID's row or anchor.

Each docs page of a render has one row per ID the registry gives that page, in the
registry's order, anchored `#<id>` once, with the owning role's handle; the README lists
every ID once, linking to that anchor. Planted faults (a row gone from a page, a row typed
on the wrong page, a heading beside the row, a wrong owner) prove the comparison sees them.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from ml_platform_kit.registry import Check, checks
from tests.docs.support import registry_table_problems, template_sources
from tests.support import ALL_COMBOS, DEFAULT_COMBO, TEMPLATE_DIR, Combo, read_answers

REGISTRY = list(checks().values())
# The default project and one on the other CI provider with batch serving: the pages that
# differ by answers render the same tables.
COMBOS = [
    DEFAULT_COMBO,
    next(
        c
        for c in ALL_COMBOS
        if c.ci_provider != DEFAULT_COMBO.ci_provider
        and c.serving_mode != DEFAULT_COMBO.serving_mode
    ),
]


@pytest.fixture(scope="module")
def project(rendered) -> Path:
    return rendered(DEFAULT_COMBO)


@pytest.mark.parametrize("two_combos", COMBOS, ids=str)
def test_each_tables_ids_are_the_registrys(rendered, two_combos: Combo) -> None:
    project = rendered(two_combos)
    problems = registry_table_problems(project, REGISTRY, read_answers(project))
    assert not problems, "\n".join(problems)


def test_no_template_file_types_an_id_row_or_anchor() -> None:
    ids = {check.id.lower() for check in REGISTRY}
    typed = {}
    for source, text in template_sources(TEMPLATE_DIR).items():
        anchors = sorted(set(re.findall(r'id="([a-z]{2,3}\d{3})"', text)) & ids)
        if anchors:
            typed[source] = anchors
    assert not typed, f"anchors of registry IDs typed by hand (render them from it): {typed}"


def _copy(project: Path, tmp_path: Path) -> Path:
    return shutil.copytree(project, tmp_path / "project")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _row(text: str, code: str) -> str:
    line = next(line for line in text.splitlines() if f"`{code}`" in line and "| " in line)
    return line + "\n"


def test_a_row_gone_from_its_page_is_reported(project: Path, tmp_path: Path) -> None:
    planted = _copy(project, tmp_path)
    page = planted / "docs/data-contracts.md"
    _edit(page, _row(page.read_text(encoding="utf-8"), "DC005"), "")
    problems = registry_table_problems(planted, REGISTRY, read_answers(planted))
    assert problems == ["docs/data-contracts.md: no row for the registry's DC005"], problems


def test_a_registry_entry_moved_to_another_page_is_reported(project: Path) -> None:
    """The render against a registry whose DC005 belongs elsewhere: the fault is seen on
    both pages and in the README's link."""
    moved = [
        dataclasses.replace(check, page="docs/deploy.md") if check.id == "DC005" else check
        for check in REGISTRY
    ]
    problems = registry_table_problems(project, moved, read_answers(project))
    assert problems == [
        "docs/data-contracts.md: a row for DC005, which the registry does not give it",
        "docs/deploy.md: no row for the registry's DC005",
        "README.md: DC005 links to docs/data-contracts.md#dc005, not docs/deploy.md#dc005",
    ], problems


def test_a_row_typed_on_another_page_and_a_heading_beside_a_row_are_reported(
    project: Path, tmp_path: Path
) -> None:
    planted = _copy(project, tmp_path)
    contracts = (planted / "docs/data-contracts.md").read_text(encoding="utf-8")
    _edit(
        planted / "docs/notebooks.md",
        "## How to comply\n",
        _row(contracts, "DC005") + "\n## How to comply\n",
    )
    _edit(planted / "docs/deploy.md", "## Serving\n", "### DEP004\n\nPin it.\n\n## Serving\n")
    problems = registry_table_problems(planted, REGISTRY, read_answers(planted))
    assert problems == [
        "docs/deploy.md: the anchor #dep004 is defined 2 times",
        "docs/notebooks.md: a row for DC005, which the registry does not give it",
    ], problems


def test_a_wrong_owner_is_reported(project: Path) -> None:
    answers = {**read_answers(project), "team_mlops": "@acme/someone-else"}
    problems = registry_table_problems(project, REGISTRY, answers)
    deploy = [check.id for check in REGISTRY if check.owner == "mlops"]
    assert len(problems) == 2 * len(deploy), problems
    assert f"README.md: {deploy[0]}'s owner is ['@acme/mlops'], not @acme/someone-else" in problems


def test_every_registry_check_is_checked(project: Path) -> None:
    """The comparison sees every ID: dropping one from the registry shows on its page."""
    for check in (REGISTRY[0], REGISTRY[-1]):
        fewer: list[Check] = [other for other in REGISTRY if other is not check]
        problems = registry_table_problems(project, fewer, read_answers(project))
        assert f"{check.page}: a row for {check.id}, which the registry does not give it" in (
            problems
        ), problems
