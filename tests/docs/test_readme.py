"""README.md says what is there: its Layout names every top-level folder and nothing else, and
its count of tox environments is the generated project's.
"""

from __future__ import annotations

import json
import re

from tests.support import COPIER_CONFIG, TEMPLATE_ROOT, working_tree_files

README = (TEMPLATE_ROOT / "README.md").read_text(encoding="utf-8")


def layout_entries(readme: str) -> dict[str, str]:
    """Name -> description for each line of the code block under `## Layout`."""
    section = readme.split("\n## Layout\n", 1)[1]
    block = re.search(r"^```\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert block, "README.md's Layout section has no code block"
    entries = {}
    for line in block[1].splitlines():
        name, _, description = line.partition(" ")
        entries[name] = description.strip()
    return entries


def top_level_folders() -> set[str]:
    """The repository's top-level folders, as a commit holds them."""
    return {
        name.split("/", 1)[0] + "/" for name in working_tree_files(TEMPLATE_ROOT) if "/" in name
    }


def layout_problems(readme: str) -> list[str]:
    """What the Layout gets wrong about this repository's top-level folders."""
    named = set(layout_entries(readme))
    absent = sorted(n for n in named if not (TEMPLATE_ROOT / n.rstrip("/")).exists())
    left_out = sorted(top_level_folders() - named)
    return [f"names what does not exist: {name}" for name in absent] + [
        f"leaves out the folder {name}" for name in left_out
    ]


def test_layout_names_every_top_level_folder_and_only_existing_ones() -> None:
    problems = layout_problems(README)
    assert not problems, "README.md's Layout " + "; ".join(problems)


def test_layout_check_fails_on_a_renamed_folder() -> None:
    planted = README.replace("\nfleet/ ", "\nflotilla/ ")
    assert layout_problems(planted) == [
        "names what does not exist: flotilla/",
        "leaves out the folder fleet/",
    ]


def test_readme_counts_the_tox_environments_a_project_runs() -> None:
    environments = json.loads(COPIER_CONFIG["check_environments"]["default"])
    counts = {int(n) for n in re.findall(r"\((\d+) environments\)", README)}
    assert counts == {len(environments)}, f"README.md says {counts}, tox runs {environments}"
