"""Copier tasks and migrations never put an answer into a shell string.

A command written as a string goes through a shell after Jinja has pasted the answers in, so
an answer such as `$(touch x)` would run. Written as a list, each item is one argument and no
shell parses it. The checker below refuses string commands and lists that hand a string to a
shell (`sh -c "...{{ answer }}..."`); it runs on copier.yml and on planted variants of it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.support import COPIER_CONFIG

SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "cmd", "cmd.exe", "powershell", "pwsh"}
JINJA = re.compile(r"\{\{|\{%")


def _commands(config: dict[str, Any]) -> list[tuple[str, Any]]:
    """(where, command) for every task and migration, whichever of Copier's forms it uses."""
    found = []
    for key in ("_tasks", "_migrations"):
        for index, item in enumerate(config.get(key) or []):
            command = item.get("command") if isinstance(item, dict) else item
            found.append((f"{key}[{index}]", command))
    return found


def unsafe_commands(config: dict[str, Any]) -> list[str]:
    """One message per task or migration whose command could run an answer through a shell."""
    problems = []
    for where, command in _commands(config):
        if isinstance(command, str):
            problems.append(
                f"{where}: the command is a string ({command!r}); write it as a list, "
                'e.g. ["{{ _copier_python }}", "hooks/x.py", "--name", "{{ project_name }}"]'
            )
        elif isinstance(command, list):
            words = [str(word) for word in command]
            for position, word in enumerate(words[:-1]):
                name = word.rsplit("/", 1)[-1].lower()
                flag, *script = words[position + 1 :]
                runs_a_string = name in SHELLS and flag in ("-c", "/c", "-Command")
                if runs_a_string and any(JINJA.search(w) for w in script):
                    problems.append(
                        f"{where}: {' '.join(words[: position + 2])} runs a string with "
                        "answers in it through a shell; call the program directly"
                    )
        else:
            problems.append(f"{where}: the command is neither a list nor a string: {command!r}")
    return problems


def test_copier_yml_tasks_and_migrations_are_lists_without_a_shell() -> None:
    assert not unsafe_commands(COPIER_CONFIG), "\n".join(unsafe_commands(COPIER_CONFIG))


SAFE = """
_tasks:
  - ["{{ _copier_python }}", "hooks/setup.py", "--name", "{{ project_name }}"]
  - command: ["git", "init", "-b", "main"]
    when: "{{ _copier_operation == 'copy' }}"
_migrations:
  - version: v0.2.0
    command: ["{{ _copier_python }}", "{{ _copier_conf.src_path }}/hooks/migrations/m.py"]
    when: "{{ _stage == 'after' }}"
"""

PLANTED = {
    "task-string": ('_tasks:\n  - "echo {{ project_name }} > name.txt"\n', "_tasks[0]"),
    "task-dict-string": (
        "_tasks:\n  - command: \"git commit -m '{{ description }}'\"\n    when: true\n",
        "_tasks[0]",
    ),
    "migration-string": (
        '_migrations:\n  - version: v0.2.0\n    command: "python hooks/m.py {{ project_name }}"\n',
        "_migrations[0]",
    ),
    "task-shell-list": ('_tasks:\n  - ["sh", "-c", "echo {{ project_name }}"]\n', "_tasks[0]"),
    "migration-bash-list": (
        "_migrations:\n  - version: v0.2.0\n"
        '    command: ["/bin/bash", "-c", "mv {{ package_name }} src/"]\n',
        "_migrations[0]",
    ),
}


def test_the_checker_accepts_list_commands() -> None:
    assert unsafe_commands(yaml.safe_load(SAFE)) == []


@pytest.mark.parametrize("variant", PLANTED)
def test_the_checker_refuses_a_planted_string_command(variant: str) -> None:
    text, where = PLANTED[variant]
    problems = unsafe_commands({**COPIER_CONFIG, **yaml.safe_load(text)})
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{where}: "), problems
