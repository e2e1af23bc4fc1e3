"""The security convention's settings in every render: pinned, offline, stable, documented.

The scanners themselves are proven by the kit's unit tests (tests/kit/test_security.py) and
the planted faults (tests/planted); here the settings a project runs them with are checked
where a mistake would be silent: a scanner left unpinned, a CI-only
environment slipped into the default run, a secrets baseline that differs per render or
would verify findings online, a waiver nobody listed.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from ml_platform_kit import security
from ml_platform_kit.registry import family
from tests.support import DEFAULT_COMBO, TEMPLATE_DIR, Combo, project_files

BASELINE = ".secrets.baseline"
# Waiver comments: `nosec` then bandit IDs (`B404 B603`, or `: B603, B607`), `noqa:` then
# ruff codes (`S603, S607`, `E501,S603`); a line may name several, and every one counts.
NOSEC = re.compile(r"#\s*nosec\b:?([\sB\d,]*)")
NOQA = re.compile(r"#\s*noqa:\s*([A-Z]+\d+(?:[\s,]+[A-Z]+\d+)*)")


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
        # Exactly: `==`, or the platform kit at the template's release tag (a git source).
        if "==" not in requirement and not re.search(r"@v\d+\.\d+\.\d+$", requirement)
    ]
    assert not loose, f"scanners must be pinned exactly so findings are reproducible: {loose}"


def test_pre_commit_hooks_use_the_same_pins_and_settings_as_tox(rendered) -> None:
    """Each hook runs its scanner with the settings `ml-platform security scan` gives it (the
    kit's constants, e.g. `security.ZIZMOR`), pinned as the `security` group pins it."""
    project = rendered(DEFAULT_COMBO)
    pins = dict(
        r.split("==", 1) for r in _pyproject(project)["dependency-groups"]["security"] if "==" in r
    )
    hooks = _pre_commit_hooks(project)
    for hook_id in ("detect-secrets", "bandit", "hadolint", "zizmor"):
        hook = hooks[hook_id]
        for dependency in hook["additional_dependencies"]:
            name, version = dependency.split("==", 1)
            assert pins.get(name) == version, (
                f"{hook_id}: pre-commit pins {dependency}, tox {pins.get(name)}"
            )
        words = getattr(security, hook_id.upper().replace("-", "_"))
        assert hook["entry"].split()[: len(words)] == words, (
            f"{hook_id}: pre-commit runs `{hook['entry']}`, tox -e security `{' '.join(words)}`"
        )
    bandit_files = f"^({'|'.join(security.PYTHON_DIRS)})/"
    assert hooks["bandit"]["files"] == bandit_files, (
        f"the bandit hook scans {hooks['bandit']['files']}, tox -e security {bandit_files}"
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
    assert not set(security.PYTHON_DIRS) & set(bandit["exclude_dirs"])


def test_every_check_id_has_its_section_in_the_docs(rendered) -> None:
    """Every security check of the kit's registry, and every ID its scanners report, has its
    anchor on the project's docs/security.md."""
    project = rendered(DEFAULT_COMBO)
    codes = sorted(entry.id for entry in family("security"))
    assert codes == [f"SEC{n:03d}" for n in range(1, 12)], codes
    assert {scanner.code for scanner in security.SCANNERS} <= set(codes)
    docs = (project / "docs/security.md").read_text(encoding="utf-8")
    undocumented = [code for code in codes if f'<a id="{code.lower()}"></a>`{code}`' not in docs]
    assert not undocumented, f"docs/security.md has no anchor for {undocumented}"
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "docs/security.md" in readme, "the README's checks table links the convention"


def waived_rules(line: str) -> set[str]:
    """Every bandit and ruff security rule a line waives, not only the first one named."""
    rules = {code for group in NOSEC.findall(line) for code in re.findall(r"B\d{3}", group)}
    ruff = {code for group in NOQA.findall(line) for code in re.findall(r"[A-Z]+\d+", group)}
    return rules | {code for code in ruff if re.fullmatch(r"S\d{3}", code)}


def unlisted_waivers(project: Path) -> list[str]:
    """Rules waived in the project's Python but missing from docs/security.md's skips table."""
    waived: set[str] = set()
    for path in project_files(project):
        if path.suffix == ".py":
            for line in path.read_text(encoding="utf-8").splitlines():
                waived |= waived_rules(line)
    docs = (project / "docs/security.md").read_text(encoding="utf-8")
    skips = docs.split("## Skips in force", 1)[1].split("\n## ", 1)[0]
    return sorted(rule for rule in waived if rule not in skips)


@pytest.mark.parametrize(
    ("line", "rules"),
    [
        ("run(argv)  # nosec B603 B607", {"B603", "B607"}),
        ("run(argv)  # nosec: B603, B607", {"B603", "B607"}),
        ("run(argv)  # noqa: S603  # nosec B603", {"S603", "B603"}),
        ("run(argv)  # noqa: S603, S607", {"S603", "S607"}),
        ("run(argv)  # noqa: E501,S608", {"S608"}),
        ("import subprocess  # nosec B404", {"B404"}),
        ("x = 1  # a plain comment naming B603", set()),
    ],
)
def test_a_waiver_comment_yields_every_rule_it_names(line: str, rules: set[str]) -> None:
    assert waived_rules(line) == rules


def test_the_second_rule_of_a_waiver_must_be_listed_too(tmp_path: Path) -> None:
    """A planted line waives B603 (listed) and B607 (not): the check names B607."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/security.md").write_text(
        "## Skips in force\n\n| `src/x.py` | bandit B603, ruff S603 | why |\n\n## Next\nB607\n",
        encoding="utf-8",
    )
    (tmp_path / "x.py").write_text(
        'run(["git", "log"])  # noqa: S603  # nosec B603 B607\n', encoding="utf-8"
    )
    assert unlisted_waivers(tmp_path) == ["B607"]


def test_every_waiver_in_a_clean_render_is_listed_with_its_reason(rendered, combo: Combo) -> None:
    unlisted = unlisted_waivers(rendered(combo))
    assert not unlisted, f"waived in code but not in docs/security.md's skips table: {unlisted}"
