"""SEC: the security baseline's scanners, each on the files it understands.

    ml-platform security scan      SEC001-SEC006, SEC010, SEC011: offline, seconds (tox -e security)
    ml-platform security posture   SEC007: checkov --skip-download, heavy (tox -e posture)
    ml-platform security audit [--ignore-vuln ID ...]
                                   SEC008: pip-audit --strict, needs the internet (tox -e audit)
    ml-platform security sbom --bom PATH [--output PATH]
                                   SEC009: checks the SBOM cyclonedx-py wrote and keeps it
                                   (tox -e sbom; default output reports/sbom.cdx.json)

The external scanners are the project's pinned ones, found on ``PATH`` (the tox
environment's). Each runs as a fixed argument list, never a shell string, and its own output
(file, line, rule) streams to stderr as it runs. Its lines are then read back into findings,
one per problem, each on the file the scanner names, so a finding names the team CODEOWNERS
gives that file (a Dockerfile finding names MLOps, a finding in ``src/`` data science). A
scanner that fails without naming a file (a broken setting) gives one finding on the file
that holds its settings. The convention: docs/security.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess  # nosec B404
import sys
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .atomic import atomic_write_bytes
from .finding import Finding, Outcome
from .project import Project

# Where `tox -e deploy` writes the rendered Kubernetes/KServe objects: the one setting to
# change if they move.
RENDERED_MANIFESTS = "deploy/rendered"
# The deploy manifest they are rendered from: when it exists, its rendered objects must too.
DEPLOY_MANIFEST = "deploy/manifest.yaml"
# Python code bandit scans (ruff scans every Python file with its S rules). Platform code
# lives in the kit, not in the project, so there is no tools/ to scan.
PYTHON_DIRS = ("src", "scripts")
SECRETS_BASELINE = ".secrets.baseline"
# checkov's settings, with the reason for every skip; the platform team reviews them.
CHECKOV_CONFIG = "config/security/checkov.yaml"
GITLAB_CI = ".gitlab-ci.yml"
RELEASE_WORKFLOW = ".github/workflows/release.yml"
SCORECARD_WORKFLOW = ".github/workflows/scorecard.yml"
SBOM_OUTPUT = "reports/sbom.cdx.json"
# The file holding the scanners' pins and settings: where a scanner's failure without a
# file of its own is reported.
SETTINGS = "pyproject.toml"

# The scanners' settings, shared with the pre-commit hooks of .pre-commit-config.yaml.
# zizmor: the pedantic persona at severity >= medium also reports `permissions: write-all`,
# which the regular persona leaves out; --offline: no GitHub API calls.
ZIZMOR = ["zizmor", "--offline", "--persona", "pedantic", "--min-severity", "medium"]
# --no-verify: never send a candidate secret to its provider to check it.
DETECT_SECRETS = ["detect-secrets-hook", "--no-verify", "--baseline", SECRETS_BASELINE]
BANDIT = ["bandit", "-c", "pyproject.toml", "-q"]
HADOLINT = ["hadolint", "--no-color"]
RUFF = ["ruff", "check", "--select", "S", "--output-format", "concise", "--no-cache"]
KUBERNETES_VALIDATE = ["kubernetes-validate", "--strict", "--quiet"]
CHECKOV = ["checkov", "--skip-download", "--config-file", CHECKOV_CONFIG, "--compact"]
# Resolves the dependencies declared in pyproject.toml and looks each one up in the
# vulnerability database: needs the internet; --strict fails if any cannot be audited.
PIP_AUDIT = ["pip-audit", "--strict", "--progress-spinner", "off"]

# API groups whose kinds kubernetes-validate has schemas for: the core ("" or "v1") group,
# the unqualified built-in groups (apps, batch, policy, ...) and the *.k8s.io groups.
_CORE_GROUP = re.compile(r"^([a-z0-9]+|[a-z0-9.-]+\.k8s\.io)$")
# Kinds whose pod template is checked by SEC006, and where it sits in the object.
_POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
# Long-running workloads need liveness and readiness probes; jobs run to completion.
_LONG_RUNNING = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}
_KSERVE_COMPONENTS = ("predictor", "transformer", "explainer")

# What a scanner's output names: (where, problem), where is `path` or `path:line`.
Located = tuple[str, str]
Parse = Callable[[Sequence[str]], list[Located]]


class NothingToScan(Exception):
    """A scanner found none of the files it reads: it is skipped, saying where it looked."""

    def __init__(self, *notes: str) -> None:
        super().__init__("; ".join(notes))
        self.notes = notes


@dataclass(frozen=True)
class Scanner:
    """One scanner: its check ID, what it covers, the mode it runs in, how it runs."""

    code: str
    title: str
    mode: str  # scan, posture or audit
    run: Callable[[Project], Outcome]


def _say(text: str) -> None:
    """Progress a person watching the run needs; stderr, so `--format json` stays clean."""
    print(text, file=sys.stderr, flush=True)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _failed(project: Project, check_id: str, located: Sequence[Located]) -> Outcome:
    return Outcome(findings=tuple(project.finding(check_id, w, p) for w, p in located))


# --- running the external scanners -------------------------------------------------------------


def _stream(argv: list[str], root: Path) -> tuple[int, list[str]]:
    """Run `argv` in `root`, echo its output to stderr as it comes, and keep its lines."""
    env = {"NO_COLOR": "1", **os.environ}
    lines: list[str] = []
    # The command is a fixed list built in this module and file names are arguments, never
    # parsed by a shell: bandit's B603 and ruff's S603 do not apply.
    with subprocess.Popen(  # noqa: S603  # nosec B603
        argv,
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as process:
        for line in process.stdout or ():
            sys.stderr.write(line)
            lines.append(line.rstrip("\n"))
        returncode = process.wait()
    sys.stderr.flush()
    return returncode, lines


def _external(
    project: Project,
    check_id: str,
    command: list[str],
    files: Sequence[str],
    parse: Parse,
    settings: str = SETTINGS,
) -> Outcome:
    """Run a scanner on `files`; a failure is one finding per problem its output names,
    else one on `settings`, the file that decides how the scanner runs."""
    executable = shutil.which(command[0])
    if executable is None:
        problem = (
            f"`{command[0]}` is not installed: run the scanners through tox, which installs "
            "them pinned from the dependency groups here"
        )
        return _failed(project, check_id, [(SETTINGS, problem)])
    shown = list(files) if len(files) <= 10 else [f"<{len(files)} files>"]
    _say("$ " + " ".join([*command, *shown]))
    returncode, lines = _stream([executable, *command[1:], *files], project.root)
    if returncode == 0:
        return Outcome()
    located = parse(lines) or [
        (
            settings,
            f"{command[0]} failed (exit code {returncode}) without naming a file; "
            "its output is printed above",
        )
    ]
    return _failed(project, check_id, located)


def _project_files(project: Project) -> list[str]:
    """Files git would commit that are on disk (a deleted tracked file is left out)."""
    return [name for name in project.files if (project.root / name).is_file()]


def _yaml_files(project: Project, directory: str) -> list[str]:
    root = project.root / directory
    if not root.is_dir():
        return []
    found = (p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return sorted(p.relative_to(project.root).as_posix() for p in found)


# --- reading the scanners' output ---------------------------------------------------------------

# `path:line:col: RULE message`: ruff's concise format and the template bandit is given.
_PATH_LINE_RULE = re.compile(
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?:\d+:)? (?P<rule>[A-Z]+\d+) (?P<message>.*)$"
)
# hadolint's default: `Dockerfile:1 DL3007 warning: message`.
_HADOLINT = re.compile(
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+) (?P<rule>(?:DL|SC)\d+) (?P<message>.*)$"
)
# zizmor's plain format: `error[unpinned-uses]: message`, then `--> path:line:col`.
_ZIZMOR_HEAD = re.compile(r"^(?P<level>[a-z]+)\[(?P<rule>[a-z0-9-]+)\]: (?P<message>.*)$")
_ZIZMOR_AT = re.compile(r"^\s*--> (?P<path>[^:]+):(?P<line>\d+)(?::\d+)?\s*$")
_KUBERNETES_VALIDATE = re.compile(r"^ERROR (?P<path>\S+) (?P<message>.+)$")
_CHECKOV_CHECK = re.compile(r'^Check: (?P<id>[A-Z0-9_]+): "(?P<title>.*)"\s*$')
_CHECKOV_FAILED = re.compile(r"^\s*FAILED for resource: (?P<resource>.+)$")
_CHECKOV_FILE = re.compile(r"^\s*File: (?P<path>.+):(?P<start>\d+)-\d+\s*$")


def _by_pattern(pattern: re.Pattern[str], tool: str) -> Parse:
    def parse(lines: Sequence[str]) -> list[Located]:
        found = (pattern.match(line) for line in lines)
        return [
            (f"{m['path']}:{m['line']}", f"{m['rule']} {m['message']} ({tool})") for m in found if m
        ]

    return parse


parse_ruff = _by_pattern(_PATH_LINE_RULE, "ruff")
parse_bandit = _by_pattern(_PATH_LINE_RULE, "bandit")
parse_hadolint = _by_pattern(_HADOLINT, "hadolint")


def parse_detect_secrets(lines: Sequence[str]) -> list[Located]:
    """detect-secrets-hook: a `Secret Type:` line, then the `Location:` it was found at."""
    found: list[Located] = []
    kind = "a secret"
    for line in lines:
        name, _, value = line.partition(":")
        if name == "Secret Type":
            kind = value.strip()
        elif name == "Location":
            found.append((value.strip(), f"a potential secret: {kind} (detect-secrets)"))
    return found


def parse_zizmor(lines: Sequence[str]) -> list[Located]:
    found: list[Located] = []
    head: re.Match[str] | None = None
    for line in lines:
        if match := _ZIZMOR_HEAD.match(line):
            head = match
        elif head and (at := _ZIZMOR_AT.match(line)):
            problem = f"[{head['rule']}] {head['message']} (zizmor, {head['level']})"
            found.append((f"{at['path']}:{at['line']}", problem))
            head = None
    return found


def parse_kubernetes_validate(lines: Sequence[str]) -> list[Located]:
    found = (_KUBERNETES_VALIDATE.match(line) for line in lines)
    return [(m["path"], f"{m['message']} (kubernetes-validate)") for m in found if m]


def parse_checkov(lines: Sequence[str]) -> list[Located]:
    """checkov --compact: `Check: ID: "title"`, `FAILED for resource: R`, `File: /path:a-b`."""
    found: list[Located] = []
    check: re.Match[str] | None = None
    resource = ""
    for line in lines:
        if match := _CHECKOV_CHECK.match(line):
            check, resource = match, ""
        elif check and (failed := _CHECKOV_FAILED.match(line)):
            resource = failed["resource"]
        elif check and resource and (file := _CHECKOV_FILE.match(line)):
            problem = f"{check['id']} {check['title']} (checkov, resource {resource})"
            # `/deploy/x.yaml` for a Kubernetes file: the project's path with a slash in front.
            found.append((f"{file['path'].lstrip('/')}:{file['start']}", problem))
            check = None
    return found


_PIP_AUDIT_ROW = re.compile(
    r"^(?P<name>[A-Za-z0-9][\w.-]*) +(?P<version>\d\S*) +(?P<id>\S+)(?P<fix>.*)$"
)


def parse_pip_audit(lines: Sequence[str]) -> list[Located]:
    """pip-audit's columns (`Name Version ID Fix Versions`) and the dependencies `--strict`
    refuses because they could not be audited; every one is declared in pyproject.toml."""
    found: list[Located] = []
    in_table = False
    for line in lines:
        if "could not be audited:" in line:
            what = line.rsplit("could not be audited:", 1)[1].strip()
            found.append((SETTINGS, f"{what}: could not be audited (pip-audit --strict)"))
        elif line.split()[:3] == ["Name", "Version", "ID"]:
            in_table = True
        elif in_table and (row := _PIP_AUDIT_ROW.match(line)):
            fixes = row["fix"].split()
            fix = f"fix: {', '.join(fixes)}" if fixes else "no fixed version yet"
            problem = f"{row['name']} {row['version']}: {row['id']} ({fix}; pip-audit)"
            found.append((SETTINGS, problem))
        elif not set(line) <= {"-", " "}:  # the rule under the header keeps the table open
            in_table = False
    return found


# --- SEC001 python code -------------------------------------------------------------------------


def ruff_security(project: Project) -> Outcome:
    return _external(project, "SEC001", [*RUFF, "."], [], parse_ruff)


def bandit(project: Project) -> Outcome:
    targets = [name for name in PYTHON_DIRS if (project.root / name).is_dir()]
    if not targets:
        raise NothingToScan(f"no Python code in {', '.join(PYTHON_DIRS)}")
    template = (
        "{relpath}:{line}:{col}: {test_id} {msg} [severity {severity}, confidence {confidence}]"
    )
    command = [*BANDIT, "--format", "custom", "--msg-template", template, "-r", *targets]
    return _external(project, "SEC001", command, [], parse_bandit)


# --- SEC002 secrets -----------------------------------------------------------------------------


def detect_secrets(project: Project) -> Outcome:
    if not (project.root / SECRETS_BASELINE).is_file():
        problem = (
            "missing; restore it from the template (`copier update`) so reviewed false "
            "positives stay recorded"
        )
        return _failed(project, "SEC002", [(SECRETS_BASELINE, problem)])
    files = [name for name in _project_files(project) if name != SECRETS_BASELINE]
    return _external(project, "SEC002", DETECT_SECRETS, files, parse_detect_secrets)


# --- SEC003 CI files ----------------------------------------------------------------------------


def zizmor(project: Project) -> Outcome:
    if not _yaml_files(project, ".github"):
        raise NothingToScan("no GitHub Actions files in .github/")
    command = [*ZIZMOR, "--color", "never", "--no-progress", ".github"]
    return _external(project, "SEC003", command, [], parse_zizmor)


class TaggedLoader(yaml.SafeLoader):
    """Safe loading that accepts GitLab's `!reference [...]` and other application tags."""


def _construct_tagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


TaggedLoader.add_multi_constructor("!", _construct_tagged)


def _image_is_pinned(image: str) -> bool:
    """`name:tag` (not `latest`) or `name@sha256:...`; a registry port is not a tag."""
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")


def _gitlab_images(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """(where, image) for every `image:` in a GitLab CI document, in either of its forms."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "image":
                image = value.get("name") if isinstance(value, dict) else value
                if isinstance(image, str):
                    yield f"{where}.image" if where else "image", image
            else:
                yield from _gitlab_images(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _gitlab_images(item, f"{where}[{index}]")


def _gitlab_documents(project: Project) -> list[Any] | str:
    """The documents of .gitlab-ci.yml, or why there are none."""
    text = project.read(GITLAB_CI)
    if text is None:
        return "missing"
    try:
        return list(yaml.load_all(text, Loader=TaggedLoader))
    except yaml.YAMLError as error:
        return f"not valid YAML: {_one_line(error)}"


def gitlab_ci(project: Project) -> Outcome:
    documents = _gitlab_documents(project)
    if documents == "missing":
        raise NothingToScan(f"no {GITLAB_CI}")
    if isinstance(documents, str):
        return _failed(project, "SEC003", [(GITLAB_CI, documents)])
    unpinned = [
        (
            GITLAB_CI,
            f"{where}: image `{image}` is not pinned to a version tag or digest"
            " (rule: pinned-image; `latest` and untagged images change under you)",
        )
        for document in documents
        for where, image in _gitlab_images(document, "")
        if "$" not in image and not _image_is_pinned(image)
    ]
    return _failed(project, "SEC003", unpinned)


# --- SEC004 Dockerfile --------------------------------------------------------------------------


def _dockerfiles(project: Project) -> list[str]:
    return [
        name
        for name in _project_files(project)
        if (base := Path(name).name) == "Dockerfile"
        or base.startswith("Dockerfile.")
        or base.endswith(".Dockerfile")
    ]


def hadolint(project: Project) -> Outcome:
    files = _dockerfiles(project)
    if not files:
        raise NothingToScan("no Dockerfile")
    return _external(project, "SEC004", HADOLINT, files, parse_hadolint)


def _final_user(text: str) -> str | None:
    """The user the final build stage runs as (the last USER after the last FROM), if set."""
    user = None
    for raw in re.sub(r"\\\n", " ", text).splitlines():
        words = raw.strip().split()
        if not words or words[0].startswith("#"):
            continue
        instruction = words[0].upper()
        if instruction == "FROM":
            user = None
        elif instruction == "USER" and len(words) > 1:
            user = words[1].split(":", 1)[0]
    return user


def image_user(project: Project) -> Outcome:
    files = _dockerfiles(project)
    if not files:
        raise NothingToScan("no Dockerfile")
    found: list[Located] = []
    for name in files:
        user = _final_user((project.root / name).read_text(encoding="utf-8"))
        if user is None:
            problem = (
                "the final stage sets no USER, so the image runs as root"
                " (rule: non-root-user; add `USER <uid>` with a non-zero uid)"
            )
            found.append((name, problem))
        elif user in ("root", "0"):
            found.append((name, f"the final stage runs as `USER {user}` (rule: non-root-user)"))
    return _failed(project, "SEC004", found)


# --- SEC005 manifest schema, SEC006 workload security baseline ----------------------------------


@dataclass(frozen=True)
class Manifest:
    """One object of a rendered manifest file."""

    path: str
    obj: dict[str, Any]

    @property
    def api_version(self) -> str:
        return str(self.obj.get("apiVersion", ""))

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def name(self) -> str:
        metadata = self.obj.get("metadata")
        return str(metadata.get("name", "?")) if isinstance(metadata, dict) else "?"

    @property
    def is_core(self) -> bool:
        group = self.api_version.rsplit("/", 1)[0] if "/" in self.api_version else ""
        return group == "" or bool(_CORE_GROUP.match(group))


def _manifests(project: Project) -> tuple[list[Manifest], list[Located]]:
    """Every object of every rendered manifest file, and the files that do not parse."""
    objects: list[Manifest] = []
    broken: list[Located] = []
    for relpath in _yaml_files(project, RENDERED_MANIFESTS):
        try:
            text = (project.root / relpath).read_text(encoding="utf-8")
            documents = list(yaml.safe_load_all(text))
        except yaml.YAMLError as error:
            broken.append((relpath, f"not valid YAML: {_one_line(error)}"))
            continue
        objects.extend(Manifest(relpath, doc) for doc in documents if isinstance(doc, dict))
    return objects, broken


def kubernetes_validate(project: Project) -> Outcome:
    objects, broken = _manifests(project)
    if broken:
        return _failed(project, "SEC005", broken)
    if not objects and (project.root / DEPLOY_MANIFEST).is_file():
        problem = f"no rendered objects to check for {DEPLOY_MANIFEST}"
        return _failed(
            project,
            "SEC005",
            [(f"{RENDERED_MANIFESTS}/", f"{problem}; run `tox -e deploy,security`")],
        )
    if not objects:
        raise NothingToScan(f"no rendered manifests in {RENDERED_MANIFESTS}/")
    notes = tuple(
        f"{m.path}: {m.kind} {m.name} ({m.api_version}) skipped: kubernetes-validate has no "
        "schema for this kind; `tox -e deploy` validates it against its vendored CRD schema"
        for m in objects
        if not m.is_core
    )
    files = sorted({m.path for m in objects if m.is_core})
    if not files:
        raise NothingToScan(*notes)
    outcome = _external(project, "SEC005", KUBERNETES_VALIDATE, files, parse_kubernetes_validate)
    return Outcome(passed=notes) + outcome


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _pod_specs(manifest: Manifest) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(label, pod spec, needs probes) for each pod the object runs."""
    if manifest.kind in _POD_SPEC_PATHS:
        spec = _get(manifest.obj, *_POD_SPEC_PATHS[manifest.kind])
        if isinstance(spec, dict):
            yield f"{manifest.kind} {manifest.name}", spec, manifest.kind in _LONG_RUNNING
    elif manifest.kind == "InferenceService":
        for component in _KSERVE_COMPONENTS:
            spec = _get(manifest.obj, "spec", component)
            if isinstance(spec, dict):
                # KServe's own model server and probes apply to model-format predictors;
                # custom containers are checked like any other container.
                yield f"InferenceService {manifest.name} {component}", spec, False


def _context_findings(where: str, context: dict[str, Any], pod: dict[str, Any]) -> Iterator[str]:
    non_root = context.get("runAsNonRoot", pod.get("runAsNonRoot"))
    if non_root is not True:
        yield f"{where}: runAsNonRoot is not true (rule: run-as-non-root)"
    if context.get("readOnlyRootFilesystem") is not True:
        yield f"{where}: readOnlyRootFilesystem is not true (rule: read-only-root-filesystem)"
    if context.get("allowPrivilegeEscalation") is not False:
        yield f"{where}: allowPrivilegeEscalation is not false (rule: no-privilege-escalation)"
    if context.get("privileged") is True:
        yield f"{where}: privileged is true (rule: no-privileged)"
    if "ALL" not in (_get(context, "capabilities", "drop") or []):
        yield f"{where}: capabilities.drop does not include ALL (rule: drop-all-capabilities)"


def _container_findings(label: str, pod: dict[str, Any], probes: bool) -> Iterator[str]:
    pod_context = pod.get("securityContext")
    if not isinstance(pod_context, dict):
        pod_context = {}
    containers = [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]
    for container in containers:
        if not isinstance(container, dict):
            continue
        where = f"{label} container '{container.get('name', '?')}'"
        context = container.get("securityContext")
        if not isinstance(context, dict):
            yield f"{where}: no securityContext (rule: security-context)"
            context = {}
        yield from _context_findings(where, context, pod_context)
        for kind in ("requests", "limits"):
            resources = _get(container, "resources", kind) or {}
            missing = [r for r in ("cpu", "memory") if r not in resources]
            if missing:
                yield f"{where}: no resources.{kind} for {', '.join(missing)} (rule: resources)"
        if probes:
            for probe in ("livenessProbe", "readinessProbe"):
                if probe not in container:
                    yield f"{where}: no {probe} (rule: probes)"


def workload_security(project: Project) -> Outcome:
    objects, broken = _manifests(project)
    if broken:
        return _failed(project, "SEC006", broken)
    pods = [(m, pod) for m in objects for pod in _pod_specs(m)]
    if not pods:
        raise NothingToScan(f"no workloads in {RENDERED_MANIFESTS}/")
    found = [
        (manifest.path, problem)
        for manifest, (label, pod, probes) in pods
        for problem in _container_findings(label, pod, probes)
    ]
    return _failed(project, "SEC006", found)


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
        return f"not valid YAML: {_one_line(error)}"
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
    documents = _gitlab_documents(project)
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
    return _failed(project, "SEC010", check(project))


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
        return _failed(project, "SEC011", [(SCORECARD_WORKFLOW, problem)])
    if not _jobs_using(workflow, "ossf/scorecard-action"):
        problem = "no step runs the Scorecard (`uses: ossf/scorecard-action@<sha>`)"
        return _failed(project, "SEC011", [(SCORECARD_WORKFLOW, problem)])
    return Outcome()


# --- SEC007 posture, SEC008 dependency audit ----------------------------------------------------


def checkov(project: Project) -> Outcome:
    frameworks: set[str] = set()
    files: list[str] = []
    gitlab = [GITLAB_CI] if (project.root / GITLAB_CI).is_file() else []
    for framework, found in (
        ("kubernetes", _yaml_files(project, RENDERED_MANIFESTS)),
        ("dockerfile", _dockerfiles(project)),
        ("github_actions", _yaml_files(project, ".github/workflows")),
        ("gitlab_ci", gitlab),
    ):
        if found:
            frameworks.add(framework)
            files.extend(found)
    if not files:
        raise NothingToScan("no manifests, Dockerfile or CI files to scan")
    command = [*CHECKOV, "--framework", *sorted(frameworks)]
    # checkov takes one `-f` per file; each file is its own argument.
    arguments = [arg for name in files for arg in ("-f", name)]
    return _external(project, "SEC007", command, arguments, parse_checkov, CHECKOV_CONFIG)


def pip_audit(project: Project, ignored: Sequence[str] = ()) -> Outcome:
    """SEC008; `ignored`: advisories waived where the audit's command is written (tox.toml,
    which the platform team reviews), each with its reason beside it."""
    waivers = [argument for advisory in ignored for argument in ("--ignore-vuln", advisory)]
    return _external(project, "SEC008", [*PIP_AUDIT, *waivers, "."], [], parse_pip_audit)


SCANNERS = (
    Scanner("SEC001", "python code: ruff S rules", "scan", ruff_security),
    Scanner("SEC001", "python code: bandit", "scan", bandit),
    Scanner("SEC002", "secrets: detect-secrets", "scan", detect_secrets),
    Scanner("SEC003", "CI workflows: zizmor (GitHub Actions)", "scan", zizmor),
    Scanner("SEC003", "CI workflows: pinned images (GitLab CI)", "scan", gitlab_ci),
    Scanner("SEC004", "Dockerfile: hadolint", "scan", hadolint),
    Scanner("SEC004", "Dockerfile: non-root user", "scan", image_user),
    Scanner("SEC005", "manifest schema: kubernetes-validate --strict", "scan", kubernetes_validate),
    Scanner("SEC006", "workload security baseline", "scan", workload_security),
    Scanner("SEC010", "supply chain: release provenance", "scan", release_provenance),
    Scanner("SEC011", "supply chain: OpenSSF Scorecard workflow", "scan", scorecard),
    Scanner("SEC007", "posture: checkov", "posture", checkov),
    Scanner("SEC008", "dependency audit: pip-audit (needs the internet)", "audit", pip_audit),
)
MODES = {
    "scan": "offline scanners, seconds (SEC001-SEC006, SEC010, SEC011)",
    "posture": "checkov --skip-download: heavy, its own CI job (SEC007)",
    "audit": "pip-audit --strict: needs the internet, its own CI job (SEC008)",
}


def run_scanners(project: Project, mode: str, scanners: Sequence[Scanner]) -> Outcome:
    """Run `scanners`: the findings of each, or a line saying it passed or was skipped with
    its notes under it; the count of passed, failed and skipped scanners of `mode` last."""
    outcome = Outcome()
    counts = dict.fromkeys(("passed", "failed", "skipped"), 0)
    for scanner in scanners:
        _say(f"\n== {scanner.code} {scanner.title}")
        try:
            result = scanner.run(project)
            status = "failed" if result.findings else "passed"
        except NothingToScan as skip:
            result, status = Outcome(passed=skip.notes), "skipped"
        for note in result.passed:
            _say(f"   {note}")
        _say(f"== {scanner.code} {scanner.title}: {status}")
        counts[status] += 1
        lines = (f"{scanner.code} {scanner.title}: {status}", *(f"   {n}" for n in result.passed))
        outcome += Outcome(findings=result.findings, passed=() if result.findings else lines)
    summary = ", ".join(f"{count} {status}" for status, count in counts.items())
    return outcome + Outcome(passed=(f"security {mode}: {summary}",))


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
        return f"`[project].dependencies` cannot be read: {_one_line(error)}"
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


# --- the command ---------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    modes = parser.add_subparsers(dest="mode", required=True, metavar="MODE")
    for name, text in MODES.items():
        mode = modes.add_parser(name, help=text, description=text)
        if name == "audit":
            mode.add_argument(
                "--ignore-vuln",
                action="append",
                default=[],
                metavar="ID",
                help="an advisory waived, with its reason beside the command (repeatable)",
            )
    text = "check the CycloneDX SBOM cyclonedx-py wrote and keep it (SEC009)"
    sbom = modes.add_parser("sbom", help=text, description=text)
    sbom.add_argument("--bom", type=Path, required=True, help="the SBOM cyclonedx-py wrote")
    sbom.add_argument(
        "--output", type=Path, default=None, help=f"where to keep it (default: {SBOM_OUTPUT})"
    )


def run(project: Project, options: argparse.Namespace) -> Outcome:
    if options.mode == "sbom":
        return keep_sbom(project, options.bom, options.output or project.root / SBOM_OUTPUT)
    scanners = [scanner for scanner in SCANNERS if scanner.mode == options.mode]
    if options.mode == "audit":
        ignored = partial(pip_audit, ignored=options.ignore_vuln)
        scanners = [replace(scanner, run=ignored) for scanner in scanners]
    return run_scanners(project, options.mode, scanners)
