"""The security convention's settings in every render: pinned, offline, stable, documented.

The scanners themselves are proven by the planted faults (tests/planted); here the settings
they run with are checked where a mistake would be silent: a scanner left unpinned, a CI-only
environment slipped into the default run, a secrets baseline that differs per render or
would verify findings online, a waiver nobody listed.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

from tests.support import DEFAULT_COMBO, TEMPLATE_DIR, Combo, project_files

BASELINE = ".secrets.baseline"


def _pyproject(project: Path) -> dict:
    return tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))


def _tox(project: Path) -> dict:
    return tomllib.loads((project / "tox.toml").read_text(encoding="utf-8"))


def _pre_commit_hooks(project: Path) -> dict[str, dict]:
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def test_secrets_baseline_is_the_same_in_every_render_and_never_verifies(
    rendered, combo: Combo
) -> None:
    project = rendered(combo)
    text = (project / BASELINE).read_text(encoding="utf-8")
    assert text == (TEMPLATE_DIR / BASELINE).read_text(encoding="utf-8"), (
        f"{BASELINE} must be rendered verbatim: a per-render difference breaks copier update"
    )
    assert str(project) not in text, f"{BASELINE} holds the project's path"
    assert not re.search(r'"(/|[A-Za-z]:\\\\)', text), f"{BASELINE} holds an absolute path"
    baseline = json.loads(text)
    assert baseline["results"] == {}, f"a clean render has no secrets: {baseline['results']}"
    filters = [f["path"] for f in baseline["filters_used"]]
    assert not [f for f in filters if "verification" in f], (
        "the baseline enables detect-secrets' verification, which sends candidate secrets "
        f"to their providers: {filters}"
    )
    assert not [f for f in filters if "regex" in f], "no per-machine exclude patterns"


def test_secrets_baseline_is_created_once_and_then_the_teams() -> None:
    from tests.support import COPIER_CONFIG

    assert BASELINE in COPIER_CONFIG.get("_skip_if_exists", []), (
        f"copier update must not overwrite the audited entries of {BASELINE}"
    )


def test_every_scanner_is_pinned_exactly(rendered) -> None:
    groups = _pyproject(rendered(DEFAULT_COMBO))["dependency-groups"]
    loose = [
        f"{group}: {requirement}"
        for group in ("security", "posture", "audit")
        for requirement in groups[group]
        if "==" not in requirement and not requirement.startswith("pyyaml")
    ]
    assert not loose, f"scanners must be pinned with == so findings are reproducible: {loose}"


def test_pre_commit_hooks_use_the_same_pins_and_settings_as_tox(rendered) -> None:
    project = rendered(DEFAULT_COMBO)
    pins = dict(
        r.split("==", 1) for r in _pyproject(project)["dependency-groups"]["security"] if "==" in r
    )
    hooks = _pre_commit_hooks(project)
    runner = (project / "tools/security.py").read_text(encoding="utf-8")
    for hook_id in ("detect-secrets", "bandit", "hadolint", "zizmor"):
        hook = hooks[hook_id]
        for dependency in hook["additional_dependencies"]:
            name, version = dependency.split("==", 1)
            assert pins.get(name) == version, (
                f"{hook_id}: pre-commit pins {dependency}, tox {pins.get(name)}"
            )
        constant = hook_id.upper().replace("-", "_")
        match = re.search(rf"^{constant} = (\[.*\])$", runner, re.MULTILINE)
        assert match, f"tools/security.py has no {constant} setting"
        words = [w.strip(' "') for w in match.group(1).strip("[]").split(",")]
        words = [".secrets.baseline" if "SECRETS_BASELINE" in w else w for w in words]
        assert hook["entry"].split()[: len(words)] == words, (
            f"{hook_id}: pre-commit runs `{hook['entry']}`, tox -e security `{' '.join(words)}`"
        )


def test_ci_only_environments_are_separate_and_say_why(rendered, combo: Combo) -> None:
    tox = _tox(rendered(combo))
    envs = tox["env"]
    assert "internet" in envs["audit"]["description"], "the audit says it needs the internet"
    assert "heavy" in envs["posture"]["description"], "the posture scan says it is heavy"
    for name in ("audit", "posture"):
        assert name not in tox["env_list"], f"{name} is CI-only, not part of a plain `tox`"
    for name in ("security", "posture", "audit"):
        commands = envs[name]["commands"]
        assert all(isinstance(c, list) for c in commands), f"{name}: commands are lists"


def test_bandit_runs_every_test_including_the_ml_ones(rendered) -> None:
    bandit = _pyproject(rendered(DEFAULT_COMBO))["tool"]["bandit"]
    assert bandit.get("skips", []) == [], "bandit skips nothing; a waiver is a reviewed # nosec"
    assert "tests" not in bandit, "no allow-list of tests: every bandit test runs"
    assert not {"src", "tools"} & set(bandit["exclude_dirs"])


def test_every_check_id_has_its_section_in_the_docs(rendered) -> None:
    project = rendered(DEFAULT_COMBO)
    runner = (project / "tools/security.py").read_text(encoding="utf-8")
    codes = sorted(set(re.findall(r'Scanner\(\s*"(SEC\d{3})"', runner)))
    assert codes == [f"SEC{n:03d}" for n in range(1, 9)], codes
    docs = (project / "docs/security.md").read_text(encoding="utf-8")
    undocumented = [code for code in codes if f'<a id="{code.lower()}"></a>`{code}`' not in docs]
    assert not undocumented, f"docs/security.md has no anchor for {undocumented}"
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "docs/security.md" in readme, "the README's checks table links the convention"


def test_every_waiver_in_a_clean_render_is_listed_with_its_reason(rendered, combo: Combo) -> None:
    project = rendered(combo)
    waived = set()
    for path in project_files(project):
        if path.suffix != ".py":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            waived.update(re.findall(r"# nosec (B\d{3})", line))
            waived.update(re.findall(r"# noqa: (S\d{3})", line))
    docs = (project / "docs/security.md").read_text(encoding="utf-8")
    skips = docs.split("## Skips in force", 1)[1].split("\n## ", 1)[0]
    unlisted = sorted(rule for rule in waived if rule not in skips)
    assert not unlisted, f"waived in code but not in docs/security.md's skips table: {unlisted}"
