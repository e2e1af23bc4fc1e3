"""Each migration of hooks/ on small trees: what it rewrites, what it keeps, twice = once."""

from __future__ import annotations

from pathlib import Path

import pytest
import v1_1_0_manifest_api_v2 as manifest_v2
import v1_1_0_move_checkov_config as checkov_move
import v1_1_0_rename_serving_answer as serving_rename
import yaml
from support import MigrationError, run
from yaml_text import YamlEditError

from tests.support import COPIER_CONFIG, TEMPLATE_ROOT, git
from tests.updates.history import recorded_releases

V1 = """\
# Team-owned by MLOps.
apiVersion: ml-platform/v1
kind: ModelDeployment

owners:
  team: "@acme/mlops"
  # our rota
  onCall: churn-primary  # paged at night

model:
  name: churn
  version: 2.3.1  # retrained in June

serving:
  runtime: fastapi
  target: kubernetes
  # pinned by the release job
  image: "ghcr.io/acme/churn:2.3.1"
  port: 8080
  resources:
    requests: {cpu: 500m, memory: 1Gi}
    limits:
      cpu: "2"   # load test
      memory: 2Gi
"""


# --- deploy manifest v1 -> v2 ---------------------------------------------------------------


def test_manifest_v2_moves_values_and_keeps_every_comment() -> None:
    v2, changes = manifest_v2.upgrade(V1)
    data = yaml.safe_load(v2)
    assert data["apiVersion"] == "ml-platform/v2"
    assert data["metadata"] == {
        "name": "churn",
        "owners": {"team": "@acme/mlops", "onCall": "churn-primary"},
    }
    assert data["serving"]["container"] == {
        "image": "ghcr.io/acme/churn:2.3.1",
        "resources": {
            "requests": {"cpu": "500m", "memory": "1Gi"},
            "limits": {"cpu": "2", "memory": "2Gi"},
        },
    }
    assert "owners" not in data
    assert "name" not in data["model"]
    assert "image" not in data["serving"]
    comments = [line.split("#", 1)[1] for line in V1.splitlines() if "#" in line]
    assert all(comment in v2 for comment in comments), v2
    assert "requests: {cpu: 500m, memory: 1Gi}" in v2, "flow style kept as written"
    assert len(changes) == 5


def test_manifest_v2_twice_is_once() -> None:
    once, _ = manifest_v2.upgrade(V1)
    twice, changes = manifest_v2.upgrade(once)
    assert twice == once
    assert changes == []


def test_manifest_v2_notes_a_section_the_team_removed() -> None:
    without_resources = V1.split("  resources:")[0]
    v2, changes = manifest_v2.upgrade(without_resources)
    assert "serving.resources is absent; nothing to move" in changes
    assert yaml.safe_load(v2)["serving"]["container"] == {"image": "ghcr.io/acme/churn:2.3.1"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (V1.replace("ml-platform/v1", "ml-platform/v0"), "has apiVersion 'ml-platform/v0'"),
        (V1.replace("kind: ModelDeployment", "kind: [ModelDeployment"), "is not valid YAML"),
        (V1 + "metadata:\n  owners: {}\n", "has both `owners` and `metadata.owners`"),
    ],
)
def test_manifest_v2_refuses_what_it_cannot_rewrite(text: str, message: str) -> None:
    with pytest.raises(YamlEditError, match=message):
        manifest_v2.upgrade(text)


def test_manifest_v2_writes_nothing_when_it_refuses(tmp_path: Path) -> None:
    broken = V1.replace("ml-platform/v1", "ml-platform/v0")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy/manifest.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(MigrationError, match="rewrite it to ml-platform/v2 by hand"):
        manifest_v2.migrate(tmp_path)
    assert (tmp_path / "deploy/manifest.yaml").read_text(encoding="utf-8") == broken
    assert [p.name for p in (tmp_path / "deploy").iterdir()] == ["manifest.yaml"], (
        "no temporary left"
    )


def test_manifest_v2_has_nothing_to_do_without_a_manifest(tmp_path: Path) -> None:
    assert manifest_v2.migrate(tmp_path) == []


# --- the `serving` answer becomes `serving_mode` ----------------------------------------------

ANSWERS = """\
# Changes here will be overwritten by Copier; do not edit by hand. Use `copier update`.
_commit: v1.0.0
_src_path: gh:acme/ml-platform-template
project_name: Churn
serving: batch
team_platform: '@acme/ml-platform'
"""


def test_serving_answer_is_renamed_and_every_other_line_kept() -> None:
    renamed, changes = serving_rename.rename(ANSWERS)
    assert renamed == ANSWERS.replace("serving: batch", "serving_mode: batch")
    assert changes == [".copier-answers.yml: serving: batch -> serving_mode: batch"]
    assert serving_rename.rename(renamed) == (renamed, []), "twice = once"


def test_serving_answer_rename_refuses_two_answers(tmp_path: Path) -> None:
    (tmp_path / ".copier-answers.yml").write_text(
        ANSWERS + "serving_mode: rest\n", encoding="utf-8"
    )
    with pytest.raises(
        MigrationError, match="holds both `serving: batch` and `serving_mode: rest`"
    ):
        serving_rename.migrate(tmp_path)


def test_serving_answer_rename_needs_the_answers_file(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match=r"\.copier-answers\.yml: cannot be read"):
        serving_rename.migrate(tmp_path)


def test_the_renamed_question_exists_and_the_old_one_does_not() -> None:
    assert serving_rename.NEW in COPIER_CONFIG
    assert serving_rename.OLD not in COPIER_CONFIG


# --- .checkov.yaml moves to config/security/checkov.yaml ---------------------------------------

OLD_RELEASE = recorded_releases()[0][1]  # 1.0.0, which still had .checkov.yaml
TEAM_SKIP = "  # NFS volumes need it (approved)\n  - CKV_K8S_35\n"


def _old_text() -> str:
    return checkov_move.old_template_text(OLD_RELEASE)


@pytest.fixture
def updated(tmp_path: Path):
    """A project as Copier leaves it after updating from 1.0.0: the old file's last
    committed version in git, the old file deleted, the new one as the template renders it."""

    def make(team_text: str) -> Path:
        root = tmp_path / "project"
        root.mkdir()
        (root / ".copier-answers.yml").write_text(f"_commit: {OLD_RELEASE}\n", encoding="utf-8")
        (root / ".checkov.yaml").write_text(team_text, encoding="utf-8")
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "--no-verify", "-m", "before the update")
        (root / ".checkov.yaml").unlink()
        fresh = (TEMPLATE_ROOT / "template" / checkov_move.NEW).read_text(encoding="utf-8")
        (root / "config/security").mkdir(parents=True)
        (root / checkov_move.NEW).write_text(fresh, encoding="utf-8")
        return root

    return make


def test_checkov_move_carries_a_teams_new_skip(updated) -> None:
    root = updated(_old_text() + TEAM_SKIP)
    changes = checkov_move.carry(root)
    moved = (root / checkov_move.NEW).read_text(encoding="utf-8")
    assert moved.endswith(TEAM_SKIP), moved
    assert "serving.container.image" in moved, "the template's own change is there too"
    assert changes == [f"{checkov_move.NEW}: your changes to .checkov.yaml carried over"]
    assert checkov_move.carry(root) == []
    assert (root / checkov_move.NEW).read_text("utf-8") == moved


def test_checkov_move_leaves_conflict_markers_where_both_changed_a_line(updated) -> None:
    root = updated(_old_text().replace("pin `serving.image`", "pin `serving.image` (ticket OPS-7)"))
    changes = checkov_move.carry(root)
    moved = (root / checkov_move.NEW).read_text(encoding="utf-8")
    assert "<<<<<<< .checkov.yaml as the team had it" in moved
    assert "OPS-7" in moved
    assert ">>>>>>> config/security/checkov.yaml from the template" in moved
    assert "resolve the conflict markers" in changes[0]


def test_checkov_move_has_nothing_to_carry_from_an_unedited_file(updated) -> None:
    root = updated(_old_text())
    fresh = (root / checkov_move.NEW).read_text(encoding="utf-8")
    (change,) = checkov_move.carry(root)
    assert change.startswith(".checkov.yaml was as the template rendered it")
    assert (root / checkov_move.NEW).read_text(encoding="utf-8") == fresh


def test_checkov_move_says_what_to_do_when_the_old_version_is_unknown(updated) -> None:
    root = updated(_old_text() + TEAM_SKIP)
    (root / ".copier-answers.yml").write_text("_commit: v0.0.0-missing\n", encoding="utf-8")
    git(root, "commit", "-q", "--no-verify", "-m", "unknown version", "--", ".copier-answers.yml")
    with pytest.raises(
        MigrationError, match=r"copy its changes into config/security/checkov\.yaml by hand"
    ):
        checkov_move.carry(root)


# --- how every migration reports -------------------------------------------------------------


def test_a_migration_that_cannot_proceed_says_who_to_ask_and_how_to_recover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".copier-answers.yml").write_text("team_platform: '@acme/ml-platform'\n", "utf-8")
    monkeypatch.chdir(tmp_path)

    def refuse(root: Path) -> list[str]:
        raise MigrationError("deploy/manifest.yaml is not valid YAML")

    with pytest.raises(SystemExit) as exited:
        run("example", refuse)
    assert exited.value.code == 1
    err = capsys.readouterr().err
    for expected in ("migration example cannot proceed", "@acme/ml-platform", "git reset --hard"):
        assert expected in err


def test_every_migration_in_copier_yml_runs_a_script_of_hooks() -> None:
    declared = list(COPIER_CONFIG["_migrations"])
    scripts = sorted(p.name for p in (TEMPLATE_ROOT / "hooks").glob("v*_*.py"))
    named = sorted(Path(m["command"][1].split("/hooks/", 1)[1]).name for m in declared)
    assert named == scripts
    for migration in declared:
        assert migration["command"][0] == "{{ _copier_python }}"
        assert migration["when"] in ("{{ _stage == 'before' }}", "{{ _stage == 'after' }}")
        assert migration["version"].startswith("v")
