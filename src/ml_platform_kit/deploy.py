"""``ml-platform deploy``: check the deploy manifest and render the deployment it describes.

``deploy/manifest.yaml`` (owned by MLOps) says how the model runs. This command checks it and
writes the Kubernetes or KServe objects it describes to ``deploy/rendered/``, only when every
check passes and only after the rendered objects themselves were validated offline. Each
problem is one finding (docs/deploy.md), owned by the team CODEOWNERS gives the file:

- ``DEP001`` the manifest does not match ``deploy/schema/manifest.schema.json`` (unknown
  keys, missing fields, wrong types), named by its path, e.g. ``metadata.owners.team``;
- ``DEP002`` a reference points nowhere: a contract file, the input contract, a drift
  column the contracts do not have, the model card;
- ``DEP003`` the quality gates: the gates file is missing or malformed, or a gate names a
  metric the team does not declare as reported by its ``evaluate``;
- ``DEP004`` the image is not pinned: no tag, or the tag ``latest``;
- ``DEP005`` a rendered object is invalid: kubernetes-validate (strict) for Kubernetes
  kinds, the vendored KServe CRD schema for the InferenceService.

The check reads only what the project declares (its manifest, contracts, gates file and
answers); it never imports the project's own package, so a refactoring of the team's code
cannot break MLOps's check.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import jsonschema
import yaml

from .atomic import atomic_write_text
from .finding import Finding, Outcome, PipelineError
from .gates import key_path, load_gates
from .project import Project
from .rendering import K8sObject, Manifest, render, rendered_file_text

MANIFEST: Final = Path("deploy/manifest.yaml")
MANIFEST_SCHEMA: Final = Path("deploy/schema/manifest.schema.json")
KSERVE_SCHEMA: Final = Path("deploy/schema/kserve-inferenceservice-v1beta1.json")
RENDERED: Final = Path("deploy/rendered")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--manifest", type=Path, default=MANIFEST, help="deploy manifest (default: %(default)s)"
    )
    parser.add_argument(
        "--output", type=Path, default=RENDERED, help="rendered objects (default: %(default)s)"
    )


def _relative(project: Project, path: Path) -> str:
    """``path`` as findings name it: relative to the project when it is inside it."""
    try:
        return (project.root / path).resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# --- DEP001: the manifest's schema --------------------------------------------------------


def _schema_problem(error: jsonschema.ValidationError) -> tuple[str, str]:
    """(manifest path, problem) for one schema error; a missing key is named at its own path."""
    where = list(error.absolute_path)
    if error.validator == "required":
        match = re.match(r"'([^']+)' is a required property", error.message)
        if match:
            return key_path([*where, match.group(1)]), "is required but missing"
    if error.validator == "additionalProperties":
        return key_path(where), f"unknown key ({error.message})"
    forbidden = error.validator_value if error.validator == "not" else None
    if isinstance(forbidden, dict) and list(forbidden) == ["required"]:  # a key a rule forbids
        key = key_path([*where, *forbidden["required"]])
        return key, "is not allowed with this serving.runtime"
    if isinstance(error.schema, dict) and "description" in error.schema:
        return key_path(where), f"{error.message} ({error.schema['description']})"
    return key_path(where), error.message


def schema_findings(
    project: Project, manifest: object, schema: Mapping[str, Any], source: str
) -> list[Finding]:
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(manifest), key=lambda e: [str(p) for p in e.path])
    findings = []
    for error in errors:
        where, problem = _schema_problem(error)
        findings.append(project.finding("DEP001", source, f"{where}: {problem}"))
    return findings


def load_manifest(project: Project, path: Path) -> Manifest:
    """The manifest, parsed and valid against the project's manifest schema (``DEP001``)."""
    source = _relative(project, path)
    try:
        document = yaml.safe_load((project.root / path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError(project.finding("DEP001", source, "manifest not found")) from None
    except yaml.YAMLError as error:
        detail = " ".join(str(error).split())
        problem = f"not valid YAML ({detail})"
        raise PipelineError(project.finding("DEP001", source, problem)) from None
    try:
        schema = _read_json(project.root / MANIFEST_SCHEMA)
    except FileNotFoundError:  # a platform-managed file; drift names who deleted it
        problem = f"its schema {MANIFEST_SCHEMA} is missing; restore it from the template"
        raise PipelineError(project.finding("DEP001", source, problem)) from None
    findings = schema_findings(project, document, schema, source)
    if findings:
        raise PipelineError(*findings)
    return dict(document)


def consistency_findings(project: Project, manifest: Manifest, source: str) -> list[Finding]:
    """DEP001 for what a JSON Schema cannot say: replicas.min must not exceed replicas.max."""
    replicas = manifest["serving"].get("replicas")
    if replicas and replicas["min"] > replicas["max"]:
        problem = f"serving.replicas: min {replicas['min']} is above max {replicas['max']}"
        return [project.finding("DEP001", source, problem)]
    return []


# --- DEP002-DEP004: what the manifest refers to ----------------------------------------------


def contract_columns(path: Path) -> set[str] | None:
    """The column names an ODCS contract lists (``schema[].properties[].name``); ``None``
    when the file is not a readable contract. Whether the contract is valid is the contracts
    check's question (DC020, DC021); deploy only needs the names its drift columns refer to."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    tables = document.get("schema") if isinstance(document, dict) else None
    if not isinstance(tables, list):
        return None
    return {
        str(column["name"])
        for table in tables
        if isinstance(table, dict)
        for column in table.get("properties") or []
        if isinstance(column, dict) and "name" in column
    }


def _contract_findings(
    project: Project, listed: list[str], source: str
) -> tuple[list[Finding], set[str]]:
    """DEP002 for every listed contract that is missing or unreadable; the columns of the rest."""
    findings: list[Finding] = []
    columns: set[str] = set()
    for index, relpath in enumerate(listed):
        where = f"contracts[{index}].path"
        found = contract_columns(project.root / relpath)
        if found is None and not (project.root / relpath).is_file():
            problem = f"{where}: {relpath} does not exist in contracts/"
        elif found is None:
            problem = (
                f"{where}: {relpath} is not a readable data contract"
                " (`ml-platform contracts` says why)"
            )
        else:
            columns |= found
            continue
        findings.append(project.finding("DEP002", source, problem))
    return findings, columns


def reference_findings(project: Project, manifest: Manifest, source: str) -> list[Finding]:
    """DEP002: every contract exists, the input contract is listed, the model card exists,
    drift columns are columns of the contracts."""
    listed = [entry["path"] for entry in manifest["contracts"]]
    findings, columns = _contract_findings(project, listed, source)
    model = manifest["model"]
    problems = []
    if model["inputContract"] not in listed:
        problems.append(
            f"model.inputContract: {model['inputContract']} is not one of the contracts"
            f" the manifest lists ({', '.join(listed)})"
        )
    if not (project.root / model["card"]).is_file():
        problems.append(f"model.card: {model['card']} does not exist")
    if columns:
        problems.extend(
            f"monitoring.drift.columns[{index}]: {column!r} is not a column of the listed contracts"
            for index, column in enumerate(manifest["monitoring"]["drift"]["columns"])
            if column not in columns
        )
    return findings + [project.finding("DEP002", source, problem) for problem in problems]


def gate_findings(project: Project, manifest: Manifest, source: str) -> list[Finding]:
    """DEP003: the gates file the manifest names is valid and gates only metrics the team
    declares its ``evaluate`` reports. Each finding of the gates file is named with its own
    ID and owner (data science), since fixing it is their change, not MLOps's."""
    relpath = manifest["qualityGates"]["source"]
    try:
        load_gates(relpath, project)
    except PipelineError as error:
        return [
            project.finding(
                "DEP003",
                source,
                f"qualityGates.source: {relpath}: {found.problem}"
                f" ({found.code}, owner {found.owner})",
            )
            for found in error.findings
        ]
    return []


def image_findings(project: Project, manifest: Manifest, source: str) -> list[Finding]:
    """DEP004: an image reference is pinned by a tag other than ``latest``, or by a digest."""
    image = str(manifest["serving"]["container"]["image"])
    if "@sha256:" in image:
        return []
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else None
    where = "serving.container.image"
    if tag is None:
        problem = f"{where}: {image!r} has no tag, so it means `latest`; pin a version"
    elif tag == "latest":
        problem = f"{where}: {image!r} uses the tag `latest`; pin a version or a digest"
    else:
        return []
    return [project.finding("DEP004", source, f"{problem}, e.g. {last.split(':', 1)[0]}:1.2.3")]


# --- DEP005: the rendered objects, validated offline --------------------------------------------


@dataclass(frozen=True)
class Validated:
    """Which validator accepted a rendered object."""

    file: str
    kind: str
    validator: str


def _kserve_findings(
    project: Project, obj: K8sObject, schema: Mapping[str, Any], where: str
) -> list[Finding]:
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(obj), key=lambda e: [str(p) for p in e.path])
    return [
        project.finding(
            "DEP005", where, f"{key_path(e.absolute_path)}: {e.message} (KServe schema)"
        )
        for e in errors
    ]


def _kubernetes_finding(
    project: Project, obj: K8sObject, version: str, where: str
) -> Finding | str:
    """The finding kubernetes-validate (strict) gives ``obj``, or the version that accepted it."""
    import kubernetes_validate  # heavy (schemas of every version): imported when needed

    try:
        return str(kubernetes_validate.validate(obj, version, strict=True))
    except kubernetes_validate.ValidationError as error:
        problem = f"{key_path(error.path)}: {error.message} (kubernetes-validate --strict)"
    except (
        kubernetes_validate.SchemaNotFoundError,
        kubernetes_validate.InvalidSchemaError,
        kubernetes_validate.utils.VersionNotSupportedError,
    ) as error:
        problem = f"{error.message} (kubernetes-validate; serving.kubernetesVersion)"
    return project.finding("DEP005", where, problem)


def validate_rendered(
    project: Project, objects: Mapping[str, K8sObject], kubernetes_version: str, output: Path
) -> tuple[list[Validated], list[Finding]]:
    """kubernetes-validate (strict) for Kubernetes kinds, the KServe schema for KServe."""
    accepted: list[Validated] = []
    findings: list[Finding] = []
    for name, obj in objects.items():
        where = _relative(project, output / name)
        if obj["apiVersion"].startswith("serving.kserve.io/"):
            found = _kserve_findings(project, obj, _read_json(project.root / KSERVE_SCHEMA), where)
            findings.extend(found)
            if not found:
                accepted.append(Validated(name, obj["kind"], f"KServe CRD schema {KSERVE_SCHEMA}"))
            continue
        result = _kubernetes_finding(project, obj, kubernetes_version, where)
        if isinstance(result, Finding):
            findings.append(result)
        else:
            accepted.append(Validated(name, obj["kind"], f"kubernetes-validate --strict {result}"))
    return accepted, findings


def write_rendered(objects: Mapping[str, K8sObject], output: Path) -> None:
    """Replace the rendered files, each atomically; stale objects of another target must not
    linger."""
    output.mkdir(parents=True, exist_ok=True)
    for stale in output.glob("*.yaml"):
        if stale.name not in objects:
            stale.unlink()
    for name, obj in objects.items():
        atomic_write_text(output / name, rendered_file_text(obj))


# --- the command ----------------------------------------------------------------------------------


def package_name(project: Project, manifest: Manifest) -> str:
    """The project's Python package (its answers say it; the manifest's name otherwise)."""
    answered = project.answers.get("package_name")
    return str(answered) if answered else re.sub(r"\W", "_", manifest["metadata"]["name"])


def check_and_render(project: Project, manifest_path: Path, output: Path) -> list[Validated]:
    """Every check, then the rendered objects written; raises with every finding otherwise."""
    manifest = load_manifest(project, manifest_path)
    source = _relative(project, manifest_path)
    findings = [
        *consistency_findings(project, manifest, source),
        *reference_findings(project, manifest, source),
        *gate_findings(project, manifest, source),
        *image_findings(project, manifest, source),
    ]
    if findings:
        raise PipelineError(*findings)
    objects = render(manifest, package_name(project, manifest))
    version = manifest["serving"]["kubernetesVersion"]
    accepted, findings = validate_rendered(project, objects, version, output)
    if findings:
        raise PipelineError(*findings)
    write_rendered(objects, project.root / output)
    return accepted


def run(project: Project, options: argparse.Namespace) -> Outcome:
    """``ml-platform deploy``: DEP001-DEP005, then deploy/rendered/ written."""
    manifest = Path(getattr(options, "manifest", MANIFEST))
    output = Path(getattr(options, "output", RENDERED))
    try:
        accepted = check_and_render(project, manifest, output)
    except PipelineError as error:
        return Outcome(findings=error.findings)
    checked = "schema, contracts, quality gates and image reference are valid"
    valid = f"{_relative(project, manifest)}: {checked}"
    rendered = (
        f"{_relative(project, output / item.file)}: {item.kind} accepted by {item.validator}"
        for item in accepted
    )
    return Outcome(passed=(valid, *rendered))
