"""Generated CI files pass the outside judges, for every option combination.

One call per judge over the files of all 18 renders: check-jsonschema with its vendored
schemas (GitHub workflows, Dependabot, GitLab CI, Renovate), actionlint and zizmor
`--offline` (pedantic: zero findings). Beside them, what the judges do not know: the
conflict gate is the first job, runs with plain Python and nothing that reads the files it
may have to report, and every other job waits for it; the check jobs are exactly tox's
env_list; the internet/heavy jobs call their tox environment and stay off pull requests;
and every action is pinned to a commit with its version. The supply chain: the sbom job keeps
the SBOM, the release attests the wheel, the SBOM and the image it pushes where the manifest
pulls from, only the release and Scorecard jobs may publish or sign, and Scorecard gets no
more than it needs.
Each judge is also shown a planted fault, so a green verdict means something: an unpinned
action and an injectable `run:` in ci.yml, `permissions: write-all` and an action pinned to
a tag in the release and Scorecard workflows.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.ci_judges import (
    actionlint,
    insecure_settings,
    schema_check,
    unpinned_uses,
    zizmor,
)
from tests.support import ALL_COMBOS, COPIER_CONFIG, DEFAULT_COMBO, Combo

GITHUB = [combo for combo in ALL_COMBOS if combo.ci_provider == "github"]
GITLAB = [combo for combo in ALL_COMBOS if combo.ci_provider == "gitlab"]
# CI-only jobs: (GitHub job, GitLab job, the one tox environment each runs, its label).
# Nothing the gate runs may read pyproject.toml, tox.toml or .pre-commit-config.yaml: uv
# alone runs the platform kit, with --no-config.
NOT_IN_THE_GATE = re.compile(r"\b(tox|pip|pre-commit|pyproject\.toml|tox\.toml)\b")


def gate_command(project: Path) -> str:
    """The conflict gate as docs/ci.md#conflict-gate tells a person to run it."""
    page = (project / "docs" / "ci.md").read_text("utf-8")
    section = page.split("\n## Conflict gate\n", 1)[1].split("\n## ", 1)[0]
    command = section.split("```bash\n", 1)[1].split("\n```", 1)[0]
    assert command.startswith("uvx --no-config --from 'ml-platform-kit"), command
    assert command.endswith(" ml-platform conflicts"), command
    assert not NOT_IN_THE_GATE.search(command), command
    return command


CI_ONLY_JOBS = [
    ("audit", "dependency-audit", "audit", "needs the internet"),
    ("posture", "posture-scan", "posture", "heavy"),
    ("contract-reference", "contract-reference", "contract-reference", "heavy"),
]


GITHUB_WORKFLOWS = ["ci.yml", "release.yml", "scorecard.yml", "template-update.yml"]


def workflows(project: Path) -> list[Path]:
    return sorted((project / ".github" / "workflows").glob("*.yml"))


def _yaml(path: Path) -> dict:
    loaded = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(loaded, dict), f"{path.name} is a mapping"
    return loaded


@pytest.fixture(scope="module")
def github_projects(rendered) -> list[Path]:
    return [rendered(combo) for combo in GITHUB]


@pytest.fixture(scope="module")
def gitlab_projects(rendered) -> list[Path]:
    return [rendered(combo) for combo in GITLAB]


def test_matrix_has_both_providers() -> None:
    assert GITHUB, "the render matrix must cover GitHub"
    assert GITLAB, "the render matrix must cover GitLab"


# --- outside judges, one call each over every render ----------------------------------------


def test_github_workflows_match_the_official_schema(github_projects: list[Path]) -> None:
    for project in github_projects:
        assert [w.name for w in workflows(project)] == GITHUB_WORKFLOWS, project.name
    files = [w for project in github_projects for w in workflows(project)]
    verdict = schema_check("github-workflows", files)
    assert verdict.passed, f"check-jsonschema (github-workflows):\n{verdict}"


def test_dependabot_config_matches_the_official_schema(github_projects: list[Path]) -> None:
    files = [project / ".github" / "dependabot.yml" for project in github_projects]
    verdict = schema_check("dependabot", files)
    assert verdict.passed, f"check-jsonschema (dependabot):\n{verdict}"


def test_gitlab_ci_matches_the_official_schema(gitlab_projects: list[Path]) -> None:
    verdict = schema_check("gitlab-ci", [p / ".gitlab-ci.yml" for p in gitlab_projects])
    assert verdict.passed, f"check-jsonschema (gitlab-ci):\n{verdict}"


def test_renovate_config_matches_the_official_schema(
    github_projects: list[Path], gitlab_projects: list[Path]
) -> None:
    files = [project / "renovate.json" for project in github_projects + gitlab_projects]
    verdict = schema_check("renovate", files)
    assert verdict.passed, f"check-jsonschema (renovate):\n{verdict}"


def test_actionlint_finds_nothing_in_generated_workflows(github_projects: list[Path]) -> None:
    verdict = actionlint(w for project in github_projects for w in workflows(project))
    assert verdict.passed, f"actionlint:\n{verdict}"


def test_zizmor_offline_finds_nothing_in_generated_workflows(
    github_projects: list[Path],
) -> None:
    verdict = zizmor(project / ".github" for project in github_projects)
    assert verdict.passed, f"zizmor --offline:\n{verdict}"
    assert "No findings to report" in verdict.output, f"zizmor:\n{verdict}"


# --- what the judges do not know ----------------------------------------------------------


def _env_list(project: Path) -> list[str]:
    return tomllib.loads((project / "tox.toml").read_text("utf-8"))["env_list"]


def _check_jobs(project: Path, provider: str) -> list[str]:
    if provider == "github":
        ci = _yaml(project / ".github/workflows/ci.yml")
        return ci["jobs"]["check"]["strategy"]["matrix"]["environment"]
    ci = _yaml(project / ".gitlab-ci.yml")
    (matrix,) = ci["check"]["parallel"]["matrix"]
    return matrix["TOX_ENV"]


def test_conflict_gate_runs_first_with_uv_alone_and_every_job_waits(rendered, combo: Combo) -> None:
    """Outside the check matrix on purpose: it must run when tox cannot read tox.toml."""
    project = rendered(combo)
    command = gate_command(project)
    if combo.ci_provider == "github":
        jobs = _yaml(project / ".github/workflows/ci.yml")["jobs"]
        gate = jobs["conflict-gate"]
        assert "needs" not in gate, "the gate waits for nothing"
        uses = [step["uses"].split("@")[0] for step in gate["steps"] if "uses" in step]
        assert uses == ["actions/checkout", "astral-sh/setup-uv"], f"the gate sets up uv: {uses}"
        setup_uv = next(step for step in gate["steps"] if "setup-uv" in step.get("uses", ""))
        assert setup_uv["with"]["enable-cache"] is False, "no cache keyed on pyproject.toml"
        runs = [step["run"] for step in gate["steps"] if "run" in step]
        assert runs == [command], runs
        for name, job in jobs.items():
            if name != "conflict-gate":
                needs = job.get("needs")
                needs = [needs] if isinstance(needs, str) else needs or []
                assert "conflict-gate" in needs, f"{name} does not wait for the conflict gate"
    else:
        ci = _yaml(project / ".gitlab-ci.yml")
        gate = ci["conflict-gate"]
        assert gate["stage"] == ".pre", "the gate runs first"
        assert ci["stages"][0] == ".pre", "the gate's stage comes first"
        assert not {"extends", "cache", "needs", "before_script", "after_script"} & set(gate)
        assert gate["script"] == [command], gate["script"]
        assert gate["rules"] == ci["check"]["rules"], "wherever a check runs, the gate runs"
        jobs = {n: j for n, j in ci.items() if isinstance(j, dict) and ("script" in j)}
        for name, job in jobs.items():
            if name in ("conflict-gate", "template-update"):
                continue
            assert job.get("stage", "test") != ".pre", f"{name} runs beside the gate"
            if "needs" in job:  # without needs, a job waits for every earlier stage
                assert "conflict-gate" in job["needs"], f"{name} does not wait for the gate"
        assert "conflict-gate" not in ci["template-update"].get("needs", [])


def test_template_update_job_runs_the_gate_on_the_updated_tree(rendered, combo: Combo) -> None:
    project = rendered(combo)
    if combo.ci_provider == "github":
        workflow = project / ".github/workflows/template-update.yml"
        steps = _yaml(workflow)["jobs"]["update"]["steps"]
        script = "\n".join(step.get("run", "") for step in steps)
        lines = script.splitlines()
    else:
        ci = _yaml(project / ".gitlab-ci.yml")
        lines = [line for item in ci["template-update"]["script"] for line in item.splitlines()]
    lines = [line.strip() for line in lines]
    update = next(i for i, line in enumerate(lines) if "copier update" in line)
    gate = next(i for i, line in enumerate(lines) if line.startswith(gate_command(project)))
    assert update < gate, "the gate runs on the updated tree"
    assert gate < next(i for i, line in enumerate(lines) if "git commit" in line)


def test_docs_give_the_gate_command_ci_runs(rendered, combo: Combo) -> None:
    project = rendered(combo)
    readme = (project / "README.md").read_text("utf-8").split("\n## Staying current\n", 1)[1]
    command = gate_command(project)
    assert f"```bash\n{command}\n```" in readme, "README.md#staying-current: the command"


def test_every_tox_environment_has_a_ci_job_and_vice_versa(rendered, combo: Combo) -> None:
    project = rendered(combo)
    env_list, jobs = _env_list(project), _check_jobs(project, combo.ci_provider)
    assert set(env_list) - set(jobs) == set(), f"tox envs without a CI job: {env_list} vs {jobs}"
    assert set(jobs) - set(env_list) == set(), f"CI jobs that tox does not run: {jobs}"
    assert env_list == jobs, f"tox runs {env_list}, CI {jobs}: same list, same order"
    assert env_list == yaml.safe_load(COPIER_CONFIG["check_environments"]["default"])


def test_check_environments_is_one_computed_value() -> None:
    spec = COPIER_CONFIG["check_environments"]
    assert spec["when"] is False, "check_environments is derived, never asked"
    environments = yaml.safe_load(spec["default"])
    assert {"lint", "type", "test", "conventions"} <= set(environments)


def test_ci_only_jobs_run_their_tox_environment_off_pull_requests(rendered, combo: Combo) -> None:
    project = rendered(combo)
    if combo.ci_provider == "github":
        jobs = _yaml(project / ".github/workflows/ci.yml")["jobs"]
        for job, _, environment, label in CI_ONLY_JOBS:
            runs = [step["run"] for step in jobs[job]["steps"] if "run" in step]
            assert runs[-1].endswith(f'"$TOX" -e {environment}'), f"{job}: runs {runs[-1]!r}"
            assert f"({label})" in jobs[job]["name"], f"{job}: not labelled {label!r}"
            assert jobs[job]["if"] == "github.event_name != 'pull_request'", f"{job} runs on PRs"
    else:
        ci = _yaml(project / ".gitlab-ci.yml")
        rules = ci[".main-schedule-or-manual"]["rules"]
        assert not any("merge_request" in rule.get("if", "") for rule in rules)
        text = (project / ".gitlab-ci.yml").read_text("utf-8")
        for _, job, environment, label in CI_ONLY_JOBS:
            assert ci[job]["script"] == [f'uvx --with "$TOX_UV" "$TOX" -e {environment}']
            assert ".main-schedule-or-manual" in ci[job]["extends"], f"{job} runs on MRs"
            block = text.split(f"\n{job}:\n", 1)[1].split("\n\n", 1)[0]
            assert label in block.lower(), f"{job}: not labelled {label!r}"


def test_image_job_builds_the_dockerfile_without_pushing(rendered, combo: Combo) -> None:
    project = rendered(combo)
    if combo.ci_provider == "github":
        jobs = _yaml(project / ".github/workflows/ci.yml")["jobs"]
        build = next(s for s in jobs["image"]["steps"] if "build-push-action" in s["uses"])
        assert build["with"]["push"] is False
        assert build["with"]["file"] == "./Dockerfile"
        assert any("setup-buildx-action" in s.get("uses", "") for s in jobs["image"]["steps"])
    else:
        ci = _yaml(project / ".gitlab-ci.yml")
        script = " ".join(ci["serving-image"]["script"])
        assert "docker build" in script
        assert "--file Dockerfile" in script
        assert "docker push" not in script


def test_ci_uses_the_answered_python_version(rendered, combo: Combo) -> None:
    project = rendered(combo)
    if combo.ci_provider == "github":
        ci = _yaml(project / ".github/workflows/ci.yml")
        assert ci["env"]["PYTHON_VERSION"] == combo.python_version
    else:
        ci = _yaml(project / ".gitlab-ci.yml")
        assert ci["variables"]["PYTHON_VERSION"] == combo.python_version
        assert ci[".uv"]["image"].endswith(f":python{combo.python_version}-bookworm")


def test_actions_are_pinned_and_workflows_keep_the_secure_defaults(
    github_projects: list[Path],
) -> None:
    problems = [
        problem
        for project in github_projects
        for workflow in workflows(project)
        for problem in unpinned_uses(workflow) + insecure_settings(workflow)
    ]
    assert not problems, "\n".join(problems)


def test_ci_files_end_with_exactly_one_newline(
    github_projects: list[Path], gitlab_projects: list[Path]
) -> None:
    """A second newline (a template ending in a newline after its last tag) is rewritten by
    the project's own lint hooks, and the managed file then shows as drift (UPD005)."""
    files = [w for p in github_projects for w in workflows(p)]
    files += [p / ".gitlab-ci.yml" for p in gitlab_projects]
    wrong = [f"{f.parent.name}/{f.name}" for f in files if not _ends_with_one_newline(f)]
    assert not wrong, f"not ending in exactly one newline: {wrong}"


def _ends_with_one_newline(path: Path) -> bool:
    text = path.read_text("utf-8")
    return text.endswith("\n") and not text.endswith("\n\n")


# --- supply chain: SBOM, release provenance, Scorecard ------------------------------------

SBOM = "reports/sbom.cdx.json"
ATTEST = "actions/attest-build-provenance@"
# Write permissions that publish or sign, and the one job of each workflow that may hold them.
PUBLISHING = {"attestations", "id-token", "packages"}
MAY_PUBLISH = {("release.yml", "release"): PUBLISHING, ("scorecard.yml", "analysis"): {"id-token"}}


def _image_repository(project: Path) -> str:
    """The registry path the template named: the manifest's image without its tag."""
    manifest = _yaml(project / "deploy" / "manifest.yaml")
    return manifest["serving"]["container"]["image"].rsplit(":", 1)[0]


def _steps_using(job: dict, action: str) -> list[dict]:
    return [step for step in job["steps"] if step.get("uses", "").startswith(action)]


def test_sbom_job_builds_the_sbom_and_keeps_it(rendered, combo: Combo) -> None:
    project = rendered(combo)
    if combo.ci_provider == "github":
        job = _yaml(project / ".github/workflows/ci.yml")["jobs"]["sbom"]
        assert job["needs"] == "conflict-gate"
        assert job["permissions"] == {"contents": "read"}
        runs = [step["run"] for step in job["steps"] if "run" in step]
        assert runs[-1] == 'uvx --with "$TOX_UV" "$TOX" -c tox.toml -e sbom', runs
        [upload] = _steps_using(job, "actions/upload-artifact@")
        assert upload["with"]["path"] == SBOM
        assert upload["with"]["if-no-files-found"] == "error", "no SBOM is a failed job"
    else:
        job = _yaml(project / ".gitlab-ci.yml")["sbom"]
        assert job["script"] == ['uvx --with "$TOX_UV" "$TOX" -c tox.toml -e sbom']
        assert job["needs"] == ["conflict-gate"]
        assert job["artifacts"]["reports"]["cyclonedx"] == [SBOM]


def test_release_attests_the_wheel_sbom_and_image_it_pushes(rendered, combo: Combo) -> None:
    project = rendered(combo)
    image = _image_repository(project)
    if combo.ci_provider == "github":
        release = _yaml(project / ".github/workflows/release.yml")
        assert release[True] == {"push": {"tags": ["v*"]}}, "releases run on version tags"
        assert release["env"]["IMAGE"] == image, "pushed where deploy/manifest.yaml pulls"
        [job] = release["jobs"].values()
        assert job["permissions"] == {
            "contents": "write",
            "packages": "write",
            "id-token": "write",
            "attestations": "write",
        }
        files, image_attestation = _steps_using(job, ATTEST)
        assert files["with"]["subject-path"].split() == ["dist/*.whl", "dist/sbom.cdx.json"]
        [build] = _steps_using(job, "docker/build-push-action@")
        assert build["with"]["push"] is True
        assert build["with"]["tags"].startswith("${{ env.IMAGE }}:")
        assert image_attestation["with"]["subject-name"] == "${{ env.IMAGE }}"
        digest = image_attestation["with"]["subject-digest"]
        assert digest == f"${{{{ steps.{build['id']}.outputs.digest }}}}", digest
        assert image_attestation["with"]["push-to-registry"] is True
        [setup_uv] = _steps_using(job, "astral-sh/setup-uv@")
        assert setup_uv["with"]["enable-cache"] is False, "a release builds without caches"
        cosign = [s for s in job["steps"] if "cosign" in json.dumps(s)]
        assert len(cosign) == 2, "install and sign"
        assert all(s["if"] == "vars.SIGN_IMAGE == 'true'" for s in cosign), "the team's switch"
        runs = "\n".join(step.get("run", "") for step in job["steps"])
        assert "uv build --wheel --out-dir dist" in runs
        assert "-e sbom" in runs
        assert "gh release" in runs
    else:
        ci = _yaml(project / ".gitlab-ci.yml")
        stages = ci["stages"]
        assert stages.index("check") < stages.index("build") < stages.index("release")
        rules = ci[".release"]["rules"]
        assert rules[-1] == {"if": r"$CI_COMMIT_TAG =~ /^v[0-9]+\.[0-9]+\.[0-9]+$/"}
        assert ci[".release"]["variables"] == {"RUNNER_GENERATE_ARTIFACTS_METADATA": "true"}
        for name in ("release-wheel", "release-image"):
            job = ci[name]
            extends = job["extends"] if isinstance(job["extends"], list) else [job["extends"]]
            assert ".release" in extends, f"{name}: provenance and the tag rule"
            assert job["stage"] == "release"
            assert "needs" not in job, f"{name} waits for every check of the tag's pipeline"
            assert "rules" not in job, f"{name} keeps the release rules"
        assert ci["release-wheel"]["cache"] == [], "a release builds without caches"
        wheel = "\n".join(ci["release-wheel"]["script"])
        assert "uv build --wheel --out-dir dist" in wheel
        assert "-e sbom" in wheel
        assert ci["release-wheel"]["artifacts"]["paths"] == ["dist/*.whl", "dist/sbom.cdx.json"]
        assert ci["release-image"]["variables"]["IMAGE"] == image
        pushed = "\n".join(ci["release-image"]["script"])
        assert 'docker push "$IMAGE:$version"' in pushed
        assert "dist/image.txt" in pushed, "the provenance names the image by digest"


def test_only_the_release_and_scorecard_jobs_may_publish_or_sign(
    github_projects: list[Path],
) -> None:
    """`id-token`, `attestations` and `packages` write stay in the job that needs them."""
    for project in github_projects:
        found = {}
        for workflow in workflows(project):
            for name, job in _yaml(workflow)["jobs"].items():
                granted = {k for k, v in job.get("permissions", {}).items() if v == "write"}
                if granted & PUBLISHING:
                    found[(workflow.name, name)] = granted & PUBLISHING
        assert found == MAY_PUBLISH, f"{project.name}: {found}"


def test_scorecard_publishes_sarif_with_only_what_it_needs(github_projects: list[Path]) -> None:
    workflow = _yaml(github_projects[0] / ".github/workflows/scorecard.yml")
    assert workflow["permissions"] == {}
    assert not {"env", "defaults"} & set(workflow), "Scorecard refuses published results"
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {
        "security-events": "write",
        "id-token": "write",
        "contents": "read",
        "actions": "read",
    }
    assert not {"env", "defaults", "container", "services"} & set(job)
    approved = (
        "actions/checkout@",
        "actions/upload-artifact@",
        "github/codeql-action/upload-sarif@",
        "ossf/scorecard-action@",
    )
    assert all(step["uses"].startswith(approved) for step in job["steps"]), job["steps"]
    [analysis] = _steps_using(job, "ossf/scorecard-action@")
    assert analysis["with"]["results_format"] == "sarif"
    assert analysis["with"]["publish_results"] is True
    [upload] = _steps_using(job, "github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == analysis["with"]["results_file"]


# --- each judge catches a planted fault --------------------------------------------------


@pytest.fixture
def insecure_copy(rendered, tmp_path: Path) -> Path:
    """A default render's .github with an unpinned action and an injectable `run:`."""
    target = tmp_path / ".github"
    shutil.copytree(rendered(DEFAULT_COMBO) / ".github", target)
    ci = target / "workflows" / "ci.yml"
    text = ci.read_text("utf-8")
    text = text.replace(
        "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
        "actions/checkout@v4",
        1,
    )
    text = text.replace(
        'run: uv python install "$PYTHON_VERSION"',
        "run: echo ${{ github.event.pull_request.title }}",
        1,
    )
    ci.write_text(text, "utf-8")
    return target


def test_judges_catch_an_unpinned_action_and_an_injectable_run(insecure_copy: Path) -> None:
    workflow = insecure_copy / "workflows" / "ci.yml"
    verdict = zizmor([insecure_copy])
    assert not verdict.passed, "zizmor passed an unpinned action and a template injection"
    assert "unpinned-uses" in verdict.output
    assert "template-injection" in verdict.output
    assert unpinned_uses(workflow)
    assert insecure_settings(workflow)


def test_judges_catch_an_invalid_workflow_and_gitlab_ci(rendered, tmp_path: Path) -> None:
    workflow = tmp_path / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    source = rendered(DEFAULT_COMBO) / ".github/workflows/ci.yml"
    workflow.write_text(
        source.read_text("utf-8").replace("runs-on: ubuntu-24.04", "runs_on: ubuntu-24.04", 1),
        "utf-8",
    )
    assert not schema_check("github-workflows", [workflow]).passed
    lint = actionlint([workflow])
    assert not lint.passed, "actionlint passed a job without runs-on"
    assert "runs-on" in lint.output, f"actionlint:\n{lint}"
    gitlab = next(c for c in GITLAB if c.python_version == DEFAULT_COMBO.python_version)
    broken = tmp_path / ".gitlab-ci.yml"
    text = (rendered(gitlab) / ".gitlab-ci.yml").read_text("utf-8")
    assert "- when: on_success" in text, "cannot plant the fault"
    broken.write_text(text.replace("- when: on_success", "- when: sometimes", 1), "utf-8")
    assert not schema_check("gitlab-ci", [broken]).passed


def _write_all_at_the_top(text: str) -> str:
    return text.replace("\npermissions: {}\n", "\npermissions: write-all\n", 1)


def _write_all_in_the_first_job(text: str) -> str:
    return re.sub(
        r"\n    permissions:\n(?:      .*\n)+", "\n    permissions: write-all\n", text, count=1
    )


def _pinned_to_its_tag(action: str) -> Callable[[str], str]:
    """`uses: action@<sha> # vX.Y.Z` becomes `uses: action@vX.Y.Z`."""

    def plant(text: str) -> str:
        return re.sub(rf"{re.escape(action)}@[0-9a-f]{{40}} # (v[\d.]+)", rf"{action}@\1", text)

    return plant


# (workflow, fault, how to plant it, zizmor's audit that must fire, the data check that must)
PLANTED_WORKFLOW_FAULTS = [
    (
        "release.yml",
        "write-all at the top",
        _write_all_at_the_top,
        "excessive-permissions",
        insecure_settings,
    ),
    (
        "release.yml",
        "write-all in the job",
        _write_all_in_the_first_job,
        "excessive-permissions",
        None,
    ),
    (
        "scorecard.yml",
        "write-all at the top",
        _write_all_at_the_top,
        "excessive-permissions",
        insecure_settings,
    ),
    (
        "release.yml",
        "attestation pinned to a tag",
        _pinned_to_its_tag("actions/attest-build-provenance"),
        "unpinned-uses",
        unpinned_uses,
    ),
    (
        "scorecard.yml",
        "Scorecard pinned to a tag",
        _pinned_to_its_tag("ossf/scorecard-action"),
        "unpinned-uses",
        unpinned_uses,
    ),
]


@pytest.mark.parametrize(
    ("name", "fault", "plant", "audit", "data_check"),
    PLANTED_WORKFLOW_FAULTS,
    ids=[f"{name}-{fault.replace(' ', '-')}" for name, fault, *_ in PLANTED_WORKFLOW_FAULTS],
)
def test_judges_catch_a_planted_fault_in_the_supply_chain_workflows(
    rendered,
    tmp_path: Path,
    name: str,
    fault: str,
    plant: Callable[[str], str],
    audit: str,
    data_check: Callable[[Path], list[str]] | None,
) -> None:
    """Each fault on a copy of a default render's .github; the rest stays as rendered."""
    target = tmp_path / ".github"
    shutil.copytree(rendered(DEFAULT_COMBO) / ".github", target)
    workflow = target / "workflows" / name
    text = workflow.read_text("utf-8")
    planted = plant(text)
    assert planted != text, f"cannot plant {fault!r} in {name}"
    workflow.write_text(planted, "utf-8")
    verdict = zizmor([target])
    assert not verdict.passed, f"zizmor passed {name} with {fault}"
    assert audit in verdict.output, f"zizmor did not name {audit}:\n{verdict}"
    if data_check is not None:
        assert data_check(workflow), f"{data_check.__name__} passed {name} with {fault}"
