"""The generated README's commands work as written and in order (testing layer 7).

The commands are read from the README's own ```bash blocks, so this test follows the README
when it changes. Each line runs in a shell in the committed project, as a new user would
type it after the copy message's `git init`. A block headed `<!-- runs until stopped -->`
(the local server) starts in the background; the blocks after it talk to it, and it is
stopped at the end. The one line not run here is `tox` itself: the generated-checks layer
(`test_generated_tox.py`) runs the same project's tox for these combinations.

Two combinations: REST serving (the default) and batch scoring, the two answers that change
the README's commands; they also use two Python versions and both CI providers.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import (
    DEFAULT_COMBO,
    README_TOX,
    TOX_COMBOS,
    Combo,
    RenderFn,
    git_init_commit,
    tail,
    tool_env,
)

README_COMBOS = [DEFAULT_COMBO, next(c for c in TOX_COMBOS if c.serving_mode == "batch")]
LONG_RUNNING_MARK = "<!-- runs until stopped -->"
BLOCK = re.compile(r"^```bash\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
COMMAND_TIMEOUT_SECONDS = 900
SERVER_START_SECONDS = 120
# What the README says each pipeline step writes, by serving mode.
EXPECTED_OUTPUTS = {
    "common": [
        "uv.lock",
        "models/model.joblib",
        "reports/metrics.json",
        "reports/roc_curve.png",
        "reports/predictions.csv",
        ".git/hooks/pre-commit",
    ],
    "batch": ["reports/batch-predictions.csv"],
    "rest": [],
}


@dataclass(frozen=True)
class Block:
    commands: tuple[str, ...]
    long_running: bool


def readme_blocks(readme: str) -> list[Block]:
    """The README's bash blocks in order: each non-empty line a command."""
    blocks = []
    for match in BLOCK.finditer(readme):
        before = readme[: match.start()].rstrip().splitlines()
        commands = tuple(line for line in match["body"].splitlines() if line.strip())
        blocks.append(Block(commands, bool(before) and before[-1].strip() == LONG_RUNNING_MARK))
    return blocks


def run_line(command: str, project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local http URL
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture
def background() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes started from long-running blocks; their process groups end with the test."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def start_server(
    command: str, project: Path, env: dict[str, str], log: Path
) -> subprocess.Popen[str]:
    """Start a long-running README command and wait until it answers on its `--port`."""
    port = re.search(r"--port (\d+)", command)
    assert port, f"a long-running README command names no --port to wait for: {command}"
    with log.open("w", encoding="utf-8") as output:  # the child keeps its own copy
        process = subprocess.Popen(
            ["bash", "-c", command],
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: uv, uvicorn and bash stop together
        )
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not _answers(f"http://127.0.0.1:{port[1]}/healthz"):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"`{command}` did not start serving:\n{tail(log.read_text())}")
        time.sleep(0.5)
    return process


@pytest.mark.slow
@pytest.mark.parametrize("readme_combo", README_COMBOS, ids=str)
def test_every_readme_command_works_as_written_and_in_order(
    render: RenderFn,
    python_path,
    tmp_path: Path,
    readme_combo: Combo,
    background: list[subprocess.Popen[str]],
) -> None:
    combo = readme_combo
    project = render(combo.data, tmp_path / combo.id)
    git_init_commit(project)
    env = tool_env(PATH=python_path(combo.python_version))
    blocks = readme_blocks((project / "README.md").read_text(encoding="utf-8"))
    commands = [command for block in blocks for command in block.commands]
    assert any(README_TOX.match(c) for c in commands), "the README no longer says how to run tox"
    assert any(c.startswith("uv sync") for c in commands), "the README no longer runs uv sync"

    replies = []
    for block in blocks:
        for command in block.commands:
            if README_TOX.match(command):
                continue
            if block.long_running:
                log = tmp_path / f"background-{len(background)}.log"
                background.append(start_server(command, project, env, log))
                continue
            result = run_line(command, project, env)
            assert result.returncode == 0, (
                f"{combo}: README command failed (exit {result.returncode}): {command}\n"
                f"{tail(result.stdout + result.stderr)}"
            )
            if command.startswith("curl"):
                replies.append(json.loads(result.stdout))

    missing = [
        path
        for path in EXPECTED_OUTPUTS["common"] + EXPECTED_OUTPUTS[combo.serving_mode]
        if not (project / path).is_file()
    ]
    assert not missing, f"{combo}: the README's commands did not write {missing}"
    if combo.serving_mode == "rest":
        assert background, "the README starts no local server"
        assert replies, "the README sends no request to the local server"
        predictions = replies[0]["predictions"]
        assert predictions, replies[0]
        assert 0.0 <= predictions[0]["churn_probability"] <= 1.0, replies[0]


def test_readme_blocks_are_read_with_their_long_running_mark() -> None:
    readme = "\n".join(
        ["```bash", "uv sync", "", "uv run x", "```", LONG_RUNNING_MARK, "```bash", "serve", "```"]
    )
    assert readme_blocks(readme) == [
        Block(("uv sync", "uv run x"), long_running=False),
        Block(("serve",), long_running=True),
    ]
