"""`fleet/inventory.yaml`, the inventory the scheduled fleet report reads, is valid.

It lists no repository (this repository has no projects of its own), so its commented
examples show each kind of entry: they must load too once uncommented, or the file teaches
the wrong thing. The report on it must keep the policy with 0 projects.
"""

from __future__ import annotations

import json
import subprocess
import sysconfig
from pathlib import Path

import pytest

from platform_fleet import inventory as inventories
from tests.support import TEMPLATE_ROOT

INVENTORY = TEMPLATE_ROOT / "fleet" / "inventory.yaml"
FLEET = Path(sysconfig.get_path("scripts")) / "ml-platform-fleet"


def _uncommented_examples(text: str) -> str:
    """The file with its example entries under `repositories:` taken out of their comments."""
    head, _, examples = text.partition("repositories: []\n")
    assert examples, "fleet/inventory.yaml: `repositories: []` not found"
    entries = [
        line.replace("  # ", "  ", 1)
        for line in examples.splitlines()
        if line.lstrip("# ").startswith(("- ", "path:", "url:", "ref:", "team:", "name:"))
    ]
    return head + "repositories:\n" + "\n".join(entries) + "\n"


def test_inventory_loads_with_the_scheduled_policy_and_no_repositories() -> None:
    loaded = inventories.load(INVENTORY)
    assert loaded.repositories == ()
    assert loaded.policy == inventories.Policy(
        max_releases_behind=2,
        expired_waivers="fail",
        update_leftovers="fail",
        drift="report",
        unreachable="report",
        no_update_engine="report",
        expiry_window_days=30,
    )


def test_the_commented_examples_are_valid_entries_of_each_kind(tmp_path: Path) -> None:
    example = tmp_path / "inventory.yaml"
    example.write_text(_uncommented_examples(INVENTORY.read_text("utf-8")), "utf-8")
    loaded = inventories.load(example)
    kinds = {
        ("path" if r.path else "url", r.ref is not None, r.team is not None)
        for r in loaded.repositories
    }
    assert ("path", False, True) in kinds, loaded.repositories
    assert ("url", True, True) in kinds, loaded.repositories
    assert len({r.name for r in loaded.repositories}) == len(loaded.repositories) >= 3


def test_an_entry_against_the_schema_is_refused_with_its_place(tmp_path: Path) -> None:
    """The same check the examples pass can fail: a `ref` without a `url`."""
    broken = tmp_path / "inventory.yaml"
    text = _uncommented_examples(INVENTORY.read_text("utf-8"))
    broken.write_text(text.replace("  - path: ../", "  - ref: main\n    path: ../", 1), "utf-8")
    with pytest.raises(inventories.InventoryError, match=r"repositories/0: .*url"):
        inventories.load(broken)


def test_the_report_on_the_inventory_keeps_the_policy_with_no_projects(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(FLEET),
            "--inventory",
            str(INVENTORY),
            "--format",
            "json",
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["passed"] is True
    assert report["projects"] == []
    assert report["summary"]["projects"] == 0
    assert report["policy"]["max_releases_behind"] == 2
