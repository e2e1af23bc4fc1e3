"""Which engine keeps a project up to date with the template, if any.

Updates run at scale in two ways: Renovate's `copier` manager, or a scheduled job in the
project that runs `copier update` (the template's `template-update` workflow or GitLab job).
The report names the projects that have neither.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

# Where Renovate looks for its configuration in a repository.
RENOVATE_FILES = (
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
)


def renovate_copier(root: Path) -> bool:
    """Renovate is configured and its copier manager is on (managers are on by default)."""
    for name in RENOVATE_FILES:
        path = root / name
        if not path.is_file():
            continue
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False  # a configuration Renovate itself may refuse (or JSON5 we cannot read)
        if not isinstance(config, dict):
            return False
        enabled = config.get("enabledManagers")
        if isinstance(enabled, list) and "copier" not in enabled:
            return False
        manager = config.get("copier")
        return not (isinstance(manager, dict) and manager.get("enabled") is False)
    return False


def _runs_copier_update(job: Any) -> bool:
    return "copier update" in json.dumps(job)


def _github_scheduled_update(root: Path) -> bool:
    for path in sorted((root / ".github" / "workflows").glob("*.y*ml")):
        try:
            workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(workflow, dict):
            continue
        # PyYAML reads the key `on` as the boolean True (YAML 1.1).
        triggers = workflow.get("on", workflow.get(True))
        scheduled = isinstance(triggers, dict) and "schedule" in triggers
        if scheduled and _runs_copier_update(workflow.get("jobs")):
            return True
    return False


def _gitlab_scheduled_update(root: Path) -> bool:
    try:
        pipeline = yaml.safe_load((root / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    if not isinstance(pipeline, dict):
        return False
    # GitLab keeps schedules in the project's settings; a job that runs copier update only
    # in scheduled pipelines is what the repository itself can show.
    return any(
        isinstance(job, dict)
        and _runs_copier_update(job.get("script"))
        and "schedule" in json.dumps(job.get("rules", job.get("only", "")))
        for job in pipeline.values()
    )


def update_engines(root: Path) -> dict[str, bool]:
    return {
        "renovate_copier": renovate_copier(root),
        "scheduled_update": _github_scheduled_update(root) or _gitlab_scheduled_update(root),
    }
