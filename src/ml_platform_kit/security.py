# Managed by the ML platform template (security convention): edit through the template.
"""SEC: run the security scanners, each on the files it understands, and report per scanner.

`tox -e security` runs the offline suite (SEC001-SEC006); `tox -e posture` runs the checkov
posture scan (SEC007, heavy) and `tox -e audit` the dependency audit (SEC008, needs the
internet), each as its own CI job. Every scanner is a command given as a list, never a shell
string. Its own output (file, line, rule) is printed as it is; the summary adds the check's
ID, the agreement, the owning team and the docs page. The convention: docs/security.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess  # nosec B404
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Where `tox -e deploy` writes the rendered Kubernetes/KServe objects: the one setting to
# change if they move.
RENDERED_MANIFESTS = Path("deploy/rendered")
# The deploy manifest they are rendered from: when it exists, its rendered objects must too.
DEPLOY_MANIFEST = Path("deploy/manifest.yaml")
# Python code bandit scans (ruff scans every Python file with its S rules).
PYTHON_DIRS = ("src", "tools", "scripts")
SECRETS_BASELINE = Path(".secrets.baseline")
# checkov's settings, with the reason for every skip; the platform team reviews them.
CHECKOV_CONFIG = "config/security/checkov.yaml"
DOCS = "docs/security.md"
AGREEMENT = "security baseline"

# The scanners' settings, shared with the pre-commit hooks of .pre-commit-config.yaml.
# zizmor: the pedantic persona at severity >= medium also reports `permissions: write-all`,
# which the regular persona leaves out; --offline: no GitHub API calls.
ZIZMOR = ["zizmor", "--offline", "--persona", "pedantic", "--min-severity", "medium"]
# --no-verify: never send a candidate secret to its provider to check it.
DETECT_SECRETS = ["detect-secrets-hook", "--no-verify", "--baseline", SECRETS_BASELINE.as_posix()]
BANDIT = ["bandit", "-c", "pyproject.toml", "-q"]
HADOLINT = ["hadolint", "--no-color"]

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
_FILE_SKIP = {".git", ".tox", ".venv", "node_modules", "__pycache__"}


@dataclass
class Outcome:
    """What one scanner did: ran and passed or failed, or had nothing to scan."""

    status: str  # "passed", "failed" or "skipped"
    notes: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Scanner:
    """One scanner: its check ID, what it covers, the suite it belongs to, how it runs."""

    code: str
    title: str
    suite: str
    run: Callable[[Path], Outcome]

    @property
    def anchor(self) -> str:
        return f"{DOCS}#{self.code.lower()}"


# --- running commands -----------------------------------------------------------------------


def _run(command: list[str], root: Path, files: list[str] | None = None) -> Outcome:
    """Run a scanner (a list, never a shell string) on `files`; its output stays visible."""
    executable = shutil.which(command[0])
    if executable is None:
        return Outcome(
            "failed",
            findings=[f"`{command[0]}` is not installed; run the scanners through tox"],
        )
    files = files or []
    shown = files if len(files) <= 10 else [f"<{len(files)} files>"]
    print("$ " + " ".join([*command, *shown]), flush=True)
    # The command is a fixed list built in this file; file names are arguments, never parsed
    # by a shell (waiver listed in docs/security.md).
    argv = [executable, *command[1:], *files]
    result = subprocess.run(argv, cwd=root, check=False)  # noqa: S603  # nosec B603
    if result.returncode == 0:
        return Outcome("passed")
    problem = f"{command[0]} reported findings (exit code {result.returncode}), printed above"
    return Outcome("failed", findings=[f"{problem} with their file, line and rule"])


def _project_files(root: Path) -> list[str]:
    """Files git would commit (tracked and untracked, ignored ones left out), or all files."""
    try:
        argv = [shutil.which("git") or "git", "ls-files", "-z", "--cached", "--others"]
        listing = subprocess.run(  # noqa: S603  # nosec B603
            [*argv, "--exclude-standard"], cwd=root, capture_output=True, check=True
        )
        out = listing.stdout.decode()
        names = [name for name in out.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        names = [
            path.relative_to(root).as_posix()
            for path in root.rglob("*")
            if path.is_file() and not _FILE_SKIP.intersection(path.relative_to(root).parts)
        ]
    return sorted(name for name in names if (root / name).is_file())


def _yaml_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


# --- SEC001 python code ---------------------------------------------------------------------


def ruff_security(root: Path) -> Outcome:
    command = ["ruff", "check", "--select", "S", "--output-format", "concise", "--no-cache", "."]
    return _run(command, root)


def bandit(root: Path) -> Outcome:
    targets = [name for name in PYTHON_DIRS if (root / name).is_dir()]
    if not targets:
        return Outcome("skipped", notes=[f"no Python code in {', '.join(PYTHON_DIRS)}"])
    template = (
        "{relpath}:{line}:{col}: {test_id} {msg} [severity {severity}, confidence {confidence}]"
    )
    return _run([*BANDIT, "--format", "custom", "--msg-template", template, "-r", *targets], root)


# --- SEC002 secrets -------------------------------------------------------------------------


def detect_secrets(root: Path) -> Outcome:
    baseline = root / SECRETS_BASELINE
    if not baseline.is_file():
        return Outcome(
            "failed",
            findings=[
                f"{SECRETS_BASELINE}: missing; restore it from the template "
                "(`copier update`) so reviewed false positives stay recorded"
            ],
        )
    files = [name for name in _project_files(root) if name != SECRETS_BASELINE.as_posix()]
    return _run(DETECT_SECRETS, root, files)


# --- SEC003 CI files ------------------------------------------------------------------------


def zizmor(root: Path) -> Outcome:
    github = root / ".github"
    workflows = _yaml_files(github / "workflows")
    if not workflows and not _yaml_files(github):
        return Outcome("skipped", notes=["no GitHub Actions files in .github/"])
    return _run([*ZIZMOR, "--color", "never", "--no-progress", ".github"], root)


class _TaggedLoader(yaml.SafeLoader):
    """Safe loading that accepts GitLab's `!reference [...]` and other application tags."""


def _construct_tagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


_TaggedLoader.add_multi_constructor("!", _construct_tagged)


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


def gitlab_ci(root: Path) -> Outcome:
    path = root / ".gitlab-ci.yml"
    if not path.is_file():
        return Outcome("skipped", notes=["no .gitlab-ci.yml"])
    try:
        documents = list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=_TaggedLoader))
    except yaml.YAMLError as error:
        return Outcome("failed", findings=[f".gitlab-ci.yml: not valid YAML: {error}"])
    findings = [
        f".gitlab-ci.yml: {where}: image `{image}` is not pinned to a version tag or digest"
        " (rule: pinned-image; `latest` and untagged images change under you)"
        for document in documents
        for where, image in _gitlab_images(document, "")
        if "$" not in image and not _image_is_pinned(image)
    ]
    return Outcome("failed" if findings else "passed", findings=findings)


# --- SEC004 Dockerfile ----------------------------------------------------------------------


def _dockerfiles(root: Path) -> list[str]:
    return [
        name
        for name in _project_files(root)
        if (base := Path(name).name) == "Dockerfile"
        or base.startswith("Dockerfile.")
        or base.endswith(".Dockerfile")
    ]


def hadolint(root: Path) -> Outcome:
    files = _dockerfiles(root)
    if not files:
        return Outcome("skipped", notes=["no Dockerfile"])
    return _run(HADOLINT, root, files)


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


def image_user(root: Path) -> Outcome:
    files = _dockerfiles(root)
    if not files:
        return Outcome("skipped", notes=["no Dockerfile"])
    findings = []
    for name in files:
        user = _final_user((root / name).read_text(encoding="utf-8"))
        if user is None:
            findings.append(
                f"{name}: the final stage sets no USER, so the image runs as root"
                " (rule: non-root-user; add `USER <uid>` with a non-zero uid)"
            )
        elif user in ("root", "0"):
            findings.append(f"{name}: the final stage runs as `USER {user}` (rule: non-root-user)")
    return Outcome("failed" if findings else "passed", findings=findings)


# --- SEC005 manifest schema, SEC006 workload security baseline ------------------------------


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


def _manifests(root: Path) -> tuple[list[Manifest], list[str]]:
    """Every object of every rendered manifest file, and the files that do not parse."""
    objects: list[Manifest] = []
    broken: list[str] = []
    for path in _yaml_files(root / RENDERED_MANIFESTS):
        relpath = path.relative_to(root).as_posix()
        try:
            documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError as error:
            broken.append(f"{relpath}: not valid YAML: {error}")
            continue
        objects.extend(Manifest(relpath, doc) for doc in documents if isinstance(doc, dict))
    return objects, broken


def kubernetes_validate(root: Path) -> Outcome:
    objects, broken = _manifests(root)
    if broken:
        return Outcome("failed", findings=broken)
    if not objects and (root / DEPLOY_MANIFEST).is_file():
        problem = f"{RENDERED_MANIFESTS}/: no rendered objects to check for {DEPLOY_MANIFEST}"
        return Outcome("failed", findings=[f"{problem}; run `tox -e deploy,security`"])
    if not objects:
        return Outcome("skipped", notes=[f"no rendered manifests in {RENDERED_MANIFESTS}/"])
    notes = [
        f"{m.path}: {m.kind} {m.name} ({m.api_version}) skipped: kubernetes-validate has no "
        "schema for this kind; `tox -e deploy` validates it against its vendored CRD schema"
        for m in objects
        if not m.is_core
    ]
    files = sorted({m.path for m in objects if m.is_core})
    if not files:
        return Outcome("skipped", notes=notes)
    outcome = _run(["kubernetes-validate", "--strict", "--quiet"], root, files)
    outcome.notes[:0] = notes
    return outcome


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


def _container_findings(label: str, pod: dict[str, Any], probes: bool) -> Iterator[str]:
    pod_context = pod.get("securityContext")
    if not isinstance(pod_context, dict):
        pod_context = {}
    containers = [
        *(pod.get("initContainers") or []),
        *(pod.get("containers") or []),
    ]
    for container in containers:
        if not isinstance(container, dict):
            continue
        where = f"{label} container '{container.get('name', '?')}'"
        context = container.get("securityContext")
        if not isinstance(context, dict):
            yield f"{where}: no securityContext (rule: security-context)"
            context = {}
        non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
        if non_root is not True:
            yield f"{where}: runAsNonRoot is not true (rule: run-as-non-root)"
        if context.get("readOnlyRootFilesystem") is not True:
            yield f"{where}: readOnlyRootFilesystem is not true (rule: read-only-root-filesystem)"
        if context.get("allowPrivilegeEscalation") is not False:
            yield (
                f"{where}: allowPrivilegeEscalation is not false (rule: no-privilege-escalation)"
            )
        if context.get("privileged") is True:
            yield f"{where}: privileged is true (rule: no-privileged)"
        drop = _get(context, "capabilities", "drop") or []
        if "ALL" not in drop:
            yield f"{where}: capabilities.drop does not include ALL (rule: drop-all-capabilities)"
        for kind in ("requests", "limits"):
            resources = _get(container, "resources", kind) or {}
            missing = [r for r in ("cpu", "memory") if r not in resources]
            if missing:
                yield f"{where}: no resources.{kind} for {', '.join(missing)} (rule: resources)"
        if probes:
            for probe in ("livenessProbe", "readinessProbe"):
                if probe not in container:
                    yield f"{where}: no {probe} (rule: probes)"


def workload_security(root: Path) -> Outcome:
    objects, broken = _manifests(root)
    if broken:
        return Outcome("failed", findings=broken)
    pods = [(m, pod) for m in objects for pod in _pod_specs(m)]
    if not pods:
        return Outcome("skipped", notes=[f"no workloads in {RENDERED_MANIFESTS}/"])
    findings = [
        f"{manifest.path}: {finding}"
        for manifest, (label, pod, probes) in pods
        for finding in _container_findings(label, pod, probes)
    ]
    return Outcome("failed" if findings else "passed", findings=findings)


# --- SEC007 posture, SEC008 dependency audit -------------------------------------------------


def checkov(root: Path) -> Outcome:
    frameworks: set[str] = set()
    files: list[str] = []
    manifests = [p.relative_to(root).as_posix() for p in _yaml_files(root / RENDERED_MANIFESTS)]
    workflows = [p.relative_to(root).as_posix() for p in _yaml_files(root / ".github/workflows")]
    gitlab = [".gitlab-ci.yml"] if (root / ".gitlab-ci.yml").is_file() else []
    for framework, found in (
        ("kubernetes", manifests),
        ("dockerfile", _dockerfiles(root)),
        ("github_actions", workflows),
        ("gitlab_ci", gitlab),
    ):
        if found:
            frameworks.add(framework)
            files.extend(found)
    if not files:
        return Outcome("skipped", notes=["no manifests, Dockerfile or CI files to scan"])
    command = ["checkov", "--skip-download", "--config-file", CHECKOV_CONFIG, "--compact"]
    command += ["--framework", *sorted(frameworks)]
    # checkov takes one `-f` per file; each file is its own argument.
    return _run(command, root, [arg for name in files for arg in ("-f", name)])


def pip_audit(root: Path) -> Outcome:
    # Resolves the dependencies declared in pyproject.toml and looks each one up in the
    # vulnerability database: needs the internet; --strict fails if any cannot be audited.
    return _run(["pip-audit", "--strict", "--progress-spinner", "off", "."], root)


SCANNERS = (
    Scanner("SEC001", "python code: ruff S rules", "security", ruff_security),
    Scanner("SEC001", "python code: bandit", "security", bandit),
    Scanner("SEC002", "secrets: detect-secrets", "security", detect_secrets),
    Scanner("SEC003", "CI workflows: zizmor (GitHub Actions)", "security", zizmor),
    Scanner("SEC003", "CI workflows: pinned images (GitLab CI)", "security", gitlab_ci),
    Scanner("SEC004", "Dockerfile: hadolint", "security", hadolint),
    Scanner("SEC004", "Dockerfile: non-root user", "security", image_user),
    Scanner(
        "SEC005", "manifest schema: kubernetes-validate --strict", "security", kubernetes_validate
    ),
    Scanner("SEC006", "workload security baseline", "security", workload_security),
    Scanner("SEC007", "posture: checkov", "posture", checkov),
    Scanner("SEC008", "dependency audit: pip-audit (needs the internet)", "audit", pip_audit),
)


# --- reporting ------------------------------------------------------------------------------


def _owner(root: Path) -> str:
    """The platform team's handle from .copier-answers.yml (the owner of this convention)."""
    try:
        answers = yaml.safe_load((root / ".copier-answers.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return "the platform team (.copier-answers.yml unreadable)"
    return str(answers.get("team_platform", "the platform team"))


def run_suite(suite: str, root: Path = ROOT) -> int:
    """Run every scanner of `suite` (security, posture or audit); 0 if all are clean."""
    return _report([s for s in SCANNERS if s.suite == suite], root, suite)


def _report(scanners: list[Scanner], root: Path, label: str = "security") -> int:
    """Run `scanners`, then print one finding per line with its ID, owner and docs page."""
    owner = _owner(root)
    results: list[tuple[Scanner, Outcome]] = []
    for scanner in scanners:
        print(f"\n== {scanner.code} {scanner.title}", flush=True)
        outcome = scanner.run(root)
        for line in [*outcome.notes, *outcome.findings]:
            print(f"   {line}", flush=True)
        print(f"== {scanner.code} {scanner.title}: {outcome.status}", flush=True)
        results.append((scanner, outcome))
    failed = [(s, o) for s, o in results if o.status == "failed"]
    counts = {
        status: sum(o.status == status for _, o in results)
        for status in ("passed", "failed", "skipped")
    }
    print(f"\n{label}: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    for scanner, outcome in failed:
        for finding in outcome.findings:
            print(f"{scanner.code} {finding}", file=sys.stderr)
            context = f"agreement: {AGREEMENT} · owner: {owner} · {scanner.anchor}"
            print(f"       {scanner.title} · {context}", file=sys.stderr)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "suite",
        nargs="?",
        default="security",
        choices=sorted({s.suite for s in SCANNERS}),
        help="security (offline, default), posture (checkov) or audit (needs the internet)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_COLOR", "1")
    return run_suite(args.suite)


if __name__ == "__main__":
    sys.exit(main())
