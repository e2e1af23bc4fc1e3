"""SEC005, SEC006: the rendered Kubernetes and KServe objects in ``deploy/rendered/``.

SEC005 runs kubernetes-validate ``--strict`` on every object of a core API group, so an
unknown field or a wrong type is refused offline, unless its file is stamped as
``ml-platform deploy`` wrote it after validating it the same way (DEP005), unchanged since:
in one tox run the tool reads each file once; SEC006 is the workload security baseline
every container must keep (non-root, read-only root file system, no privilege escalation,
capabilities dropped, resources bounded, probes on long-running workloads).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from .finding import Outcome
from .project import Project
from .rendering import validated_when_rendered
from .scanning import Located, NothingToScan, external, failed, one_line, yaml_files

# Where `tox -e deploy` writes the rendered Kubernetes/KServe objects: the one setting to
# change if they move.
RENDERED_MANIFESTS = "deploy/rendered"
# The deploy manifest they are rendered from: when it exists, its rendered objects must too.
DEPLOY_MANIFEST = "deploy/manifest.yaml"
KUBERNETES_VALIDATE = ["kubernetes-validate", "--strict", "--quiet"]

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

_KUBERNETES_VALIDATE = re.compile(r"^ERROR (?P<path>\S+) (?P<message>.+)$")


def parse_kubernetes_validate(lines: Sequence[str]) -> list[Located]:
    found = (_KUBERNETES_VALIDATE.match(line) for line in lines)
    return [(m["path"], f"{m['message']} (kubernetes-validate)") for m in found if m]


# --- SEC005 manifest schema, SEC006 workload security baseline ----------------------------------


@dataclass(frozen=True)
class Manifest:
    """One object of a rendered manifest file."""

    path: str
    obj: dict[str, Any]
    # The file is as `ml-platform deploy` wrote it after validating it (DEP005).
    validated_when_rendered: bool = False

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
    for relpath in yaml_files(project, RENDERED_MANIFESTS):
        try:
            text = (project.root / relpath).read_text(encoding="utf-8")
            documents = list(yaml.safe_load_all(text))
        except yaml.YAMLError as error:
            broken.append((relpath, f"not valid YAML: {one_line(error)}"))
            continue
        validated = validated_when_rendered(text)
        objects.extend(
            Manifest(relpath, doc, validated) for doc in documents if isinstance(doc, dict)
        )
    return objects, broken


def kubernetes_validate(project: Project) -> Outcome:
    objects, broken = _manifests(project)
    if broken:
        return failed(project, "SEC005", broken)
    if not objects and (project.root / DEPLOY_MANIFEST).is_file():
        problem = f"no rendered objects to check for {DEPLOY_MANIFEST}"
        return failed(
            project,
            "SEC005",
            [(f"{RENDERED_MANIFESTS}/", f"{problem}; run `tox -e deploy,security`")],
        )
    if not objects:
        raise NothingToScan(f"no rendered manifests in {RENDERED_MANIFESTS}/")
    skipped = tuple(
        f"{m.path}: {m.kind} {m.name} ({m.api_version}) skipped: kubernetes-validate has no "
        "schema for this kind; `tox -e deploy` validates it against its vendored CRD schema"
        for m in objects
        if not m.is_core
    )
    core = [m for m in objects if m.is_core]
    validated = tuple(
        f"{path}: unchanged since `ml-platform deploy` validated it with kubernetes-validate "
        "--strict (DEP005)"
        for path in sorted({m.path for m in core if m.validated_when_rendered})
    )
    # A file edited or written by hand since (its stamp no longer matches) is validated here.
    files = sorted({m.path for m in core if not m.validated_when_rendered})
    if not files and not validated:
        raise NothingToScan(*skipped)
    outcome = Outcome(passed=skipped + validated)
    if not files:
        return outcome
    return outcome + external(
        project, "SEC005", KUBERNETES_VALIDATE, files, parse_kubernetes_validate
    )


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
        return failed(project, "SEC006", broken)
    pods = [(m, pod) for m in objects for pod in _pod_specs(m)]
    if not pods:
        raise NothingToScan(f"no workloads in {RENDERED_MANIFESTS}/")
    found = [
        (manifest.path, problem)
        for manifest, (label, pod, probes) in pods
        for problem in _container_findings(label, pod, probes)
    ]
    return failed(project, "SEC006", found)
