"""A freshly generated project is green under its own `tox`, for every option value.

This is the promise of the template: copy, commit, run `tox`, and every check passes on
the first run. Three combinations together use every value of every option.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.generated.rendered_deploy import rendered_deploy_problems
from tests.support import (
    OPTION_VALUES,
    TOX_COMBOS,
    Combo,
    RenderFn,
    git,
    git_init_commit,
    readme_tox_args,
    run_tox,
    tail,
)


def test_tox_combinations_use_every_option_value() -> None:
    for question, values in OPTION_VALUES.items():
        used = {getattr(combo, question) for combo in TOX_COMBOS}
        assert used == set(values), f"{question}: no generated tox run uses {set(values) - used}"


@pytest.mark.slow
def test_generated_project_is_green_under_its_own_tox(
    render: RenderFn, python_path, tmp_path: Path, tox_combo: Combo
) -> None:
    project = render(tox_combo.data, tmp_path / tox_combo.id)
    git_init_commit(project)  # pre-commit (the lint env) needs a git repository
    # As the project's README runs every check: `tox p`, the environments side by side.
    tox = run_tox(project, python_path(tox_combo.python_version), *readme_tox_args(project))
    assert tox.returncode == 0, (
        f"{tox_combo}: the generated project's tox failed (exit {tox.returncode}, "
        f"{tox.seconds:.0f}s) in {project}\n{tail(tox.output, 80)}"
    )
    assert "congratulations" in tox.output, f"{tox_combo}: no success report\n{tail(tox.output)}"
    # Checks report, they never rewrite: no tracked file changed (the secrets baseline, say).
    changed = git(project, "status", "--porcelain", "--untracked-files=no")
    assert not changed, f"{tox_combo}: tox changed tracked files:\n{changed}"
    problems = rendered_deploy_problems(project, tox_combo)  # tox -e deploy's output, judged
    assert not problems, f"{tox_combo}: deploy/rendered/:\n" + "\n".join(problems)
    shutil.rmtree(project / ".tox", ignore_errors=True)  # green: its environments are not needed
