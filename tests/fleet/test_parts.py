"""The report's parts on small inputs: update-engine detection, the bounded pool, the
template's migrations as copier.yml declares them, and a relative template source."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from platform_fleet.engines import update_engines
from platform_fleet.inventory import Repository
from platform_fleet.pool import bounded_map
from platform_fleet.project import inspect
from platform_fleet.template_source import Templates, parse_migrations
from tests.support import TEMPLATE_ROOT, git, git_init_commit


@pytest.mark.parametrize(
    ("config", "on"),
    [
        ({"extends": ["config:recommended"]}, True),  # every manager is on by default
        ({"enabledManagers": ["copier", "pep621"]}, True),
        ({"enabledManagers": ["pep621"]}, False),
        ({"copier": {"enabled": False}}, False),
        ([], False),
    ],
)
def test_renovate_counts_only_with_its_copier_manager_on(
    tmp_path: Path, config: object, on: bool
) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github/renovate.json").write_text(json.dumps(config), encoding="utf-8")
    assert update_engines(tmp_path) == {"renovate_copier": on, "scheduled_update": False}


def test_a_scheduled_workflow_counts_only_if_it_runs_copier_update(tmp_path: Path) -> None:
    workflows = tmp_path / ".github/workflows"
    workflows.mkdir(parents=True)
    job = {"runs-on": "ubuntu-24.04", "steps": [{"run": "uvx copier update --trust --defaults"}]}
    manual = {"on": {"workflow_dispatch": {}}, "jobs": {"update": job}}
    (workflows / "manual.yml").write_text(json.dumps(manual), encoding="utf-8")
    assert update_engines(tmp_path)["scheduled_update"] is False
    scheduled = {"on": {"schedule": [{"cron": "0 5 * * 1"}]}, "jobs": {"update": job}}
    (workflows / "weekly.yml").write_text(json.dumps(scheduled), encoding="utf-8")
    assert update_engines(tmp_path)["scheduled_update"] is True


def test_the_pool_keeps_order_and_bounds_the_work_in_flight() -> None:
    started: list[int] = []
    lock = threading.Lock()

    def work(item: int) -> int:
        with lock:
            started.append(item)
        time.sleep(0.001 * (item % 3))
        return item * 2

    results = bounded_map(work, range(100), workers=3)
    first = [next(results) for _ in range(5)]
    with lock:
        in_flight = len(started)
    assert first == [0, 2, 4, 6, 8]
    assert in_flight <= 5 + 2 * 3  # taken, plus at most twice the workers submitted
    assert [*first, *results] == [item * 2 for item in range(100)]


def test_migrations_are_read_as_copier_yml_declares_them() -> None:
    text = (TEMPLATE_ROOT / "copier.yml").read_text(encoding="utf-8")
    found = [(str(v), m.stage, m.command) for v, m in parse_migrations(text)]
    assert found == [
        ("1.1.0", "before", "hooks/v1_1_0_rename_serving_answer.py"),
        ("1.1.0", "after", "hooks/v1_1_0_manifest_api_v2.py"),
        ("1.1.0", "after", "hooks/v1_1_0_move_checkov_config.py"),
        ("2.0.0", "after", "hooks/v2_0_0_keep_edited_platform_code.py"),
    ]


def test_a_relative_template_source_is_the_projects(tmp_path: Path) -> None:
    """Copier records `_src_path` as it was given; a relative one is read from the project."""
    template = tmp_path / "template"
    template.mkdir()
    (template / "copier.yml").write_text("_migrations: []\n", encoding="utf-8")
    (template / "CHANGELOG.md").write_text("# Changelog\n\n## 1.0.0\n", encoding="utf-8")
    git_init_commit(template)
    git(template, "tag", "v1.0.0")
    project = tmp_path / "projects" / "churn"
    project.mkdir(parents=True)
    answers = "_commit: v1.0.0\n_src_path: ../../template\n"
    (project / ".copier-answers.yml").write_text(answers, encoding="utf-8")
    record = inspect(
        Repository("churn", "churn", path=project),
        Templates(tmp_path / "cache"),
        tmp_path / "cache",
        date(2026, 11, 30),
        30,
    )
    assert record["template"]["source"] == str(template)
    assert (record["template"]["latest"], record["template"]["releases_behind"]) == ("1.0.0", 0)
