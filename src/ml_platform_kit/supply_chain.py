"""SEC009-SEC011, the supply chain: what is inside (the SBOM), who built it (release
provenance), how the repository is run (the OpenSSF Scorecard workflow).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .atomic import atomic_write_bytes
from .finding import Finding, Outcome
from .project import Project
from .scanning import (
    GITLAB_CI,
    SETTINGS,
    Located,
    NothingToScan,
    failed,
    gitlab_documents,
    one_line,
)

RELEASE_WORKFLOW = ".github/workflows/release.yml"
SCORECARD_WORKFLOW = ".github/workflows/scorecard.yml"
SBOM_OUTPUT = "reports/sbom.cdx.json"


# --- SEC010 release provenance, SEC011 OpenSSF Scorecard ----------------------------------------


def _provider(project: Project) -> str | None:
    """The CI provider the answers name, else the one whose files the project has."""
    provider = str(project.answers.get("ci_provider", ""))
    if provider in ("github", "gitlab"):
        return provider
    if (project.root / ".github/workflows").is_dir():
        return "github"
    return "gitlab" if (project.root / GITLAB_CI).is_file() else None


def _workflow(project: Project, relpath: str) -> dict[Any, Any] | str:
    """A GitHub workflow's mapping, or why there is none."""
    text = project.read(relpath)
    if text is None:
        return "missing"
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        return f"not valid YAML: {one_line(error)}"
    return document if isinstance(document, dict) else "not a workflow (no mapping at the top)"


def _jobs_using(workflow: dict[Any, Any], action: str) -> dict[str, dict[str, Any]]:
    """The jobs with a step `uses: <action>@<ref>`, by name."""
    jobs = workflow.get("jobs")
    return {
        str(name): job
        for name, job in (jobs.items() if isinstance(jobs, dict) else ())
        if isinstance(job, dict)
        and any(
            isinstance(step, dict) and str(step.get("uses", "")).startswith(f"{action}@")
            for step in job.get("steps") or ()
        )
    }


def _runs_on_tags(workflow: dict[Any, Any]) -> bool:
    # PyYAML reads the bare key `on` as the boolean true (YAML 1.1).
    events = workflow.get("on", workflow.get(True))
    return isinstance(events, dict) and (
        "release" in events or (isinstance(events.get("push"), dict) and "tags" in events["push"])
    )


def _can_attest(job: dict[str, Any], workflow: dict[Any, Any]) -> bool:
    permissions = job.get("permissions", workflow.get("permissions"))
    if permissions == "write-all":
        return True
    return isinstance(permissions, dict) and all(
        permissions.get(scope) == "write" for scope in ("id-token", "attestations")
    )


def _github_provenance(project: Project) -> list[Located]:
    workflow = _workflow(project, RELEASE_WORKFLOW)
    if isinstance(workflow, str):
        why = "the workflow that attests build provenance on every `vX.Y.Z` tag"
        return [(RELEASE_WORKFLOW, f"{workflow}: {why}; restore it from the template")]
    found: list[Located] = []
    if not _runs_on_tags(workflow):
        found.append((RELEASE_WORKFLOW, "does not run on a pushed tag (`on: push: tags`)"))
    attesting = _jobs_using(workflow, "actions/attest-build-provenance")
    if not attesting:
        problem = "no step attests build provenance (`uses: actions/attest-build-provenance@<sha>`)"
        found.append((RELEASE_WORKFLOW, problem))
    for name, job in attesting.items():
        if not _can_attest(job, workflow):
            problem = (
                f"job `{name}` attests build provenance without the permissions to sign and "
                "store it (`id-token: write`, `attestations: write`)"
            )
            found.append((RELEASE_WORKFLOW, problem))
    return found


# Top-level keys of .gitlab-ci.yml that are not jobs.
_GITLAB_KEYWORDS = {
    "default", "include", "stages", "variables", "workflow", "image", "services", "cache",
    "before_script", "after_script", "pages",
}  # fmt: skip


def _stage_and_variables(
    jobs: dict[Any, Any], name: str, depth: int = 0
) -> tuple[str | None, dict[str, Any]]:
    """A job's `stage` and `variables` after its `extends` chain, as GitLab merges them:
    later parents win, the job's own keys last (GitLab stops at 11 levels, so do we)."""
    job = jobs.get(name)
    if not isinstance(job, dict) or depth > 11:
        return None, {}
    parents = job.get("extends") or []
    stage: str | None = None
    variables: dict[str, Any] = {}
    for parent in [parents] if isinstance(parents, str) else parents:
        parent_stage, parent_variables = _stage_and_variables(jobs, str(parent), depth + 1)
        stage = parent_stage or stage
        variables.update(parent_variables)
    if isinstance(job.get("variables"), dict):
        variables.update(job["variables"])
    own = job.get("stage")
    return (stage if own is None else str(own)), variables


def _is_true(value: Any) -> bool:
    value = value.get("value") if isinstance(value, dict) else value
    return str(value).lower() == "true"


def _gitlab_provenance(project: Project) -> list[Located]:
    documents = gitlab_documents(project)
    if isinstance(documents, str):
        why = "the release jobs that write build provenance on every `vX.Y.Z` tag"
        return [(GITLAB_CI, f"{documents}: {why}; restore them from the template")]
    pipeline: dict[Any, Any] = {}
    for document in documents:
        pipeline.update(document if isinstance(document, dict) else {})
    shared = pipeline.get("variables")
    shared = shared if isinstance(shared, dict) else {}
    found: list[Located] = []
    releases = 0
    for name in pipeline:
        if str(name).startswith(".") or name in _GITLAB_KEYWORDS:
            continue
        stage, variables = _stage_and_variables(pipeline, str(name))
        if stage != "release":
            continue
        releases += 1
        if not _is_true({**shared, **variables}.get("RUNNER_GENERATE_ARTIFACTS_METADATA")):
            problem = (
                f"job `{name}` (stage release) runs without "
                '`RUNNER_GENERATE_ARTIFACTS_METADATA: "true"`, so the runner writes no '
                "provenance of its artifacts"
            )
            found.append((GITLAB_CI, problem))
    if not releases:
        problem = "no job in the `release` stage: a `vX.Y.Z` tag publishes nothing with provenance"
        found.append((GITLAB_CI, problem))
    return found


def release_provenance(project: Project) -> Outcome:
    provider = _provider(project)
    if provider is None:
        raise NothingToScan("no CI provider in .copier-answers.yml and no CI files")
    check = _github_provenance if provider == "github" else _gitlab_provenance
    return failed(project, "SEC010", check(project))


def scorecard(project: Project) -> Outcome:
    provider = _provider(project)
    if provider is None:
        raise NothingToScan("no CI provider in .copier-answers.yml and no CI files")
    if provider != "github":
        raise NothingToScan(
            "not applicable: the Scorecard action runs on GitHub only (docs/security.md#sec011)"
        )
    workflow = _workflow(project, SCORECARD_WORKFLOW)
    if isinstance(workflow, str):
        problem = f"{workflow}: the weekly OpenSSF Scorecard; restore it from the template"
        return failed(project, "SEC011", [(SCORECARD_WORKFLOW, problem)])
    if not _jobs_using(workflow, "ossf/scorecard-action"):
        problem = "no step runs the Scorecard (`uses: ossf/scorecard-action@<sha>`)"
        return failed(project, "SEC011", [(SCORECARD_WORKFLOW, problem)])
    return Outcome()


# --- SEC009 the SBOM ----------------------------------------------------------------------------


def _shown(project: Project, path: Path) -> str:
    """`path` as the project's relative path where it is inside the project."""
    try:
        return path.resolve().relative_to(project.root).as_posix()
    except ValueError:
        return str(path)


def runtime_dependencies(project: Project) -> dict[str, str] | str:
    """`[project].dependencies` that apply to this interpreter, by normalised name, each with
    the requirement as written; or why they cannot be read."""
    try:
        declared = tomllib.loads(project.read(SETTINGS) or "")["project"].get("dependencies", [])
        requirements = [Requirement(text) for text in declared]
    except (
        tomllib.TOMLDecodeError,
        AttributeError,
        KeyError,
        TypeError,
        InvalidRequirement,
    ) as error:
        return f"`[project].dependencies` cannot be read: {one_line(error)}"
    # A dependency for another Python or platform is not installed here, so not listed.
    return {
        canonicalize_name(requirement.name): str(requirement)
        for requirement in requirements
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""})
    }


def _components(bom: bytes) -> list[Any] | str:
    """The SBOM's top-level components, or why it has none."""
    try:
        document = json.loads(bom)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return f"not valid JSON: {error}"
    components = document.get("components") if isinstance(document, dict) else None
    if not isinstance(components, list) or not components:
        return "lists no components: the project's dependencies are missing from it"
    return components


def check_sbom(project: Project, bom: Path) -> tuple[int, list[Finding]]:
    """The SBOM's component count and SEC009's findings on it."""
    where = _shown(project, bom)
    try:
        components = _components(bom.read_bytes())
    except OSError as error:
        components = f"cannot be read: {error.strerror}"
    if isinstance(components, str):
        return 0, [project.finding("SEC009", where, f"the SBOM {components}")]
    dependencies = runtime_dependencies(project)
    if isinstance(dependencies, str):
        return len(components), [project.finding("SEC009", SETTINGS, dependencies)]
    listed = {
        canonicalize_name(str(c["name"])) for c in components if isinstance(c, dict) and "name" in c
    }
    missing = [
        project.finding(
            "SEC009",
            SETTINGS,
            f"`{requirement}` of `[project].dependencies` is not in the SBOM ({where}): "
            "it was not installed where the SBOM was made",
        )
        for name, requirement in dependencies.items()
        if name not in listed
    ]
    return len(components), missing


def keep_sbom(project: Project, bom: Path, output: Path) -> Outcome:
    """SEC009: check the SBOM cyclonedx-py wrote, then write it to `output` atomically, byte
    for byte (it is reproducible), so a failed run never leaves a half-written SBOM."""
    count, findings = check_sbom(project, bom)
    if findings:
        return Outcome(findings=tuple(findings))
    atomic_write_bytes(output, bom.read_bytes())
    return Outcome(passed=(f"{_shown(project, output)}: {count} components",))
