"""Check the deploy manifest and render the deployment it describes (``tox -e deploy``).

``deploy/manifest.yaml`` (owned by MLOps) says how the model runs. This command checks it and
writes the Kubernetes or KServe objects it describes to ``deploy/rendered/`` — only when every
check passes, and only after the rendered objects themselves were validated offline. Each
problem is one finding (docs/deploy.md):

- ``DEP001`` the manifest does not match ``deploy/schema/manifest.schema.json`` (unknown
  keys, missing fields, wrong types), named by its path, e.g. ``metadata.owners.team``;
- ``DEP002`` a reference points nowhere: a contract file, the input contract, a drift
  column the contract does not have, the model card;
- ``DEP003`` the quality gates: the gates file is missing or malformed, or a gate names a
  metric the pipeline does not produce;
- ``DEP004`` the image is not pinned: no tag, or the tag ``latest``;
- ``DEP005`` a rendered object is invalid: kubernetes-validate (strict) for Kubernetes
  kinds, the vendored KServe CRD schema for the InferenceService.

Usage: ``python -m <package>.deploy [--manifest deploy/manifest.yaml] [--output deploy/rendered]``
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import jsonschema
import yaml

from . import owners
from .atomic import atomic_write_text
from .cli import prog_name
from .contract import load_contract
from .errors import Finding, FindingsError, PipelineError
from .evaluate import compute_metrics
from .gates import load_gates

MANIFEST: Final = Path("deploy/manifest.yaml")
MANIFEST_SCHEMA: Final = Path("deploy/schema/manifest.schema.json")
KSERVE_SCHEMA: Final = Path("deploy/schema/kserve-inferenceservice-v1beta1.json")
RENDERED: Final = Path("deploy/rendered")
AGREEMENT: Final = "deploy manifest"
DOCS: Final = "docs/deploy.md"

# The user the serving image runs as (see the Dockerfile); Kubernetes enforces it too.
RUN_AS_USER: Final = 10001
CPU_TARGET_PERCENT: Final = 70
PACKAGE: Final = __package__ or "model"

Manifest = dict[str, Any]
K8sObject = dict[str, Any]


def finding(code: str, where: Path | str, problem: str) -> Finding:
    """A DEP finding: owned by MLOps, explained under its own anchor of docs/deploy.md."""
    return Finding(code, str(where), problem, AGREEMENT, owners.MLOPS, f"{DOCS}#{code.lower()}")


# --- DEP001: the manifest's schema --------------------------------------------------------


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def dotted(path: Iterable[Any]) -> str:
    """``metadata.owners.team``, ``contracts[0].path``; the document root is ``(root)``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


def _schema_problem(error: jsonschema.ValidationError) -> tuple[str, str]:
    """(manifest path, problem) for one schema error; a missing key is named at its own path."""
    where = list(error.absolute_path)
    if error.validator == "required":
        match = re.match(r"'([^']+)' is a required property", error.message)
        if match:
            return dotted([*where, match.group(1)]), "is required but missing"
    if error.validator == "additionalProperties":
        return dotted(where), f"unknown key ({error.message})"
    forbidden = error.validator_value if error.validator == "not" else None
    if isinstance(forbidden, dict) and list(forbidden) == ["required"]:  # a key a rule forbids
        return dotted([*where, *forbidden["required"]]), "is not allowed with this serving.runtime"
    if isinstance(error.schema, dict) and "description" in error.schema:
        return dotted(where), f"{error.message} ({error.schema['description']})"
    return dotted(where), error.message


def schema_findings(manifest: object, schema: Mapping[str, Any], source: str) -> list[Finding]:
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(manifest), key=lambda e: [str(p) for p in e.path])
    findings = []
    for error in errors:
        where, problem = _schema_problem(error)
        findings.append(finding("DEP001", source, f"{where}: {problem}"))
    return findings


def load_manifest(path: Path, schema_path: Path) -> Manifest:
    """The manifest, parsed and valid against its schema (``DEP001`` otherwise)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError(finding("DEP001", path, "manifest not found")) from None
    except yaml.YAMLError as error:
        detail = " ".join(str(error).split())
        raise PipelineError(finding("DEP001", path, f"not valid YAML ({detail})")) from None
    findings = schema_findings(document, _read_json(schema_path), str(path))
    if findings:
        raise ManifestError(findings)
    if not isinstance(document, dict):  # pragma: no cover - the schema requires an object
        raise PipelineError(finding("DEP001", path, "(root): expected a mapping"))
    return document


class ManifestError(FindingsError):
    """Findings about the deploy manifest or what it renders."""


# --- DEP002-DEP004: what the manifest refers to ----------------------------------------------


def reference_findings(manifest: Manifest, root: Path, source: str) -> list[Finding]:
    """DEP002: every contract exists, the input contract is listed, drift columns exist."""
    findings = []
    listed = [entry["path"] for entry in manifest["contracts"]]
    columns: set[str] = set()
    for index, relpath in enumerate(listed):
        path = root / relpath
        if not path.is_file():
            findings.append(
                finding(
                    "DEP002",
                    source,
                    f"contracts[{index}].path: {relpath} does not exist in contracts/",
                )
            )
            continue
        columns.update(column.name for column in load_contract(path).columns)
    model = manifest["model"]
    if model["inputContract"] not in listed:
        findings.append(
            finding(
                "DEP002",
                source,
                f"model.inputContract: {model['inputContract']} is not one of the contracts"
                f" the manifest lists ({', '.join(listed)})",
            )
        )
    if not (root / model["card"]).is_file():
        findings.append(finding("DEP002", source, f"model.card: {model['card']} does not exist"))
    if columns:
        for index, column in enumerate(manifest["monitoring"]["drift"]["columns"]):
            if column not in columns:
                findings.append(
                    finding(
                        "DEP002",
                        source,
                        f"monitoring.drift.columns[{index}]: {column!r} is not a column of"
                        " the listed contracts",
                    )
                )
    return findings


def consistency_findings(manifest: Manifest, source: str) -> list[Finding]:
    """DEP001 for what a JSON Schema cannot say: replicas.min must not exceed replicas.max."""
    replicas = manifest["serving"].get("replicas")
    if replicas and replicas["min"] > replicas["max"]:
        problem = f"serving.replicas: min {replicas['min']} is above max {replicas['max']}"
        return [finding("DEP001", source, problem)]
    return []


def produced_metrics() -> frozenset[str]:
    """The metric names ``evaluate`` writes, asked of the pipeline's own metric function."""
    return frozenset(compute_metrics([0, 1, 0, 1], [0.2, 0.7, 0.4, 0.9]))


def gate_findings(manifest: Manifest, root: Path, source: str) -> list[Finding]:
    """DEP003: the gates file the manifest names parses, and gates only produced metrics."""
    relpath = manifest["qualityGates"]["source"]
    try:
        gates = load_gates(root / relpath)
    except PipelineError as error:
        problem = f"qualityGates.source: {relpath}: {error.finding.problem} ({error.code})"
        return [finding("DEP003", source, problem)]
    produced = produced_metrics()
    return [
        finding(
            "DEP003",
            source,
            f"qualityGates.source: gate {gate.metric!r} in {relpath} (owner"
            f" {gates.agreement.owner}) names a metric the pipeline does not produce;"
            f" evaluate writes: {', '.join(sorted(produced))}",
        )
        for gate in gates.gates
        if gate.metric not in produced
    ]


def image_findings(manifest: Manifest, source: str) -> list[Finding]:
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
    return [finding("DEP004", source, f"{problem}, e.g. {last.split(':', 1)[0]}:1.2.3")]


# --- rendering ----------------------------------------------------------------------------------


def _labels(manifest: Manifest, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": manifest["metadata"]["name"],
        "app.kubernetes.io/version": re.sub(r"[^A-Za-z0-9_.-]", "_", manifest["model"]["version"]),
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/managed-by": "ml-platform-deploy",
    }


def _annotations(manifest: Manifest) -> dict[str, str]:
    slos = manifest["slos"]
    return {
        "ml-platform/owner": manifest["metadata"]["owners"]["team"],
        "ml-platform/on-call": manifest["metadata"]["owners"]["onCall"],
        "ml-platform/model-version": manifest["model"]["version"],
        "ml-platform/contracts": ",".join(c["path"] for c in manifest["contracts"]),
        "ml-platform/slo-latency-p95-ms": f"{slos['latencyP95Ms']:g}",
        "ml-platform/slo-availability-percent": f"{slos['availabilityPercent']:g}",
        "ml-platform/slo-error-rate-percent": f"{slos['errorRatePercent']:g}",
        "ml-platform/alert-receiver": manifest["monitoring"]["alerts"]["receiver"],
        "ml-platform/drift-columns": ",".join(manifest["monitoring"]["drift"]["columns"]),
    }


def _metadata(manifest: Manifest, component: str, *, annotate: bool = True) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": manifest["metadata"]["name"],
        "namespace": manifest["serving"]["namespace"],
        "labels": _labels(manifest, component),
    }
    if annotate:
        metadata["annotations"] = _annotations(manifest)
    return metadata


def _pod_security() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS_USER,
        "runAsGroup": RUN_AS_USER,
        "fsGroup": RUN_AS_USER,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _container_security() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS_USER,
        "runAsGroup": RUN_AS_USER,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _env(manifest: Manifest) -> list[dict[str, str]]:
    return [
        {"name": "MODEL_VERSION", "value": manifest["model"]["version"]},
        {"name": "MODEL_PATH", "value": f"/app/{manifest['model']['artifact']}"},
    ]


def _server_container(manifest: Manifest, name: str) -> dict[str, Any]:
    serving = manifest["serving"]

    def probe(path: str, period: int) -> dict[str, Any]:
        return {
            "httpGet": {"path": path, "port": serving["port"]},
            "periodSeconds": period,
            "timeoutSeconds": 2,
            "failureThreshold": 3,
        }

    return {
        "name": name,
        "image": serving["container"]["image"],
        "imagePullPolicy": "Always",
        "ports": [{"name": "http", "containerPort": serving["port"], "protocol": "TCP"}],
        "env": _env(manifest),
        "resources": serving["container"]["resources"],
        "livenessProbe": {**probe("/healthz", 10), "initialDelaySeconds": 5},
        "readinessProbe": {**probe("/readyz", 5), "initialDelaySeconds": 5},
        "securityContext": _container_security(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108  # nosec B108
    }


def _pod_spec(containers: list[dict[str, Any]], volumes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "automountServiceAccountToken": False,
        "securityContext": _pod_security(),
        "containers": containers,
        "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}, *volumes],
    }


def render_kubernetes_rest(manifest: Manifest) -> dict[str, K8sObject]:
    """Deployment, Service, HorizontalPodAutoscaler and NetworkPolicy for the REST app."""
    name = manifest["metadata"]["name"]
    serving = manifest["serving"]
    selector = {"app.kubernetes.io/name": name, "app.kubernetes.io/component": "model-server"}
    pod_labels = _labels(manifest, "model-server")
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(manifest, "model-server"),
        "spec": {
            "replicas": serving["replicas"]["min"],
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": selector},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "template": {
                "metadata": {"labels": pod_labels, "annotations": _annotations(manifest)},
                "spec": _pod_spec([_server_container(manifest, "model-server")], []),
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(manifest, "model-server"),
        "spec": {
            "type": "ClusterIP",
            "selector": selector,
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
        },
    }
    autoscaler = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _metadata(manifest, "model-server"),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": serving["replicas"]["min"],
            "maxReplicas": serving["replicas"]["max"],
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": CPU_TARGET_PERCENT},
                    },
                }
            ],
        },
    }
    # Only the model port is reachable, and the pods open no connections themselves.
    network_policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(manifest, "model-server"),
        "spec": {
            "podSelector": {"matchLabels": selector},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"ports": [{"port": serving["port"], "protocol": "TCP"}]}],
            "egress": [],
        },
    }
    return {
        "deployment.yaml": deployment,
        "service.yaml": service,
        "horizontalpodautoscaler.yaml": autoscaler,
        "networkpolicy.yaml": network_policy,
    }


def render_kubernetes_batch(manifest: Manifest) -> dict[str, K8sObject]:
    """A CronJob that runs the batch scoring command on the data volume."""
    serving = manifest["serving"]
    batch = serving["batch"]
    container = {
        "name": "batch-scoring",
        "image": serving["container"]["image"],
        "imagePullPolicy": "Always",
        "command": ["python", "-m", f"{PACKAGE}.batch"],
        "args": [batch["input"], batch["output"]],
        "env": _env(manifest),
        "resources": serving["container"]["resources"],
        "securityContext": _container_security(),
        "volumeMounts": [
            {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108  # nosec B108
            {"name": "data", "mountPath": "/data"},
        ],
    }
    data_volume = {"name": "data", "persistentVolumeClaim": {"claimName": batch["volumeClaim"]}}
    pod_spec = {"restartPolicy": "Never", **_pod_spec([container], [data_volume])}
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _metadata(manifest, "batch-scoring"),
        "spec": {
            "schedule": serving["schedule"],
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 2,
                    "activeDeadlineSeconds": max(60, int(manifest["slos"]["latencyP95Ms"] / 1000)),
                    "template": {
                        "metadata": {
                            "labels": _labels(manifest, "batch-scoring"),
                            "annotations": _annotations(manifest),
                        },
                        "spec": pod_spec,
                    },
                }
            },
        },
    }
    return {"cronjob.yaml": cronjob}


def render_kserve(manifest: Manifest) -> dict[str, K8sObject]:
    """A KServe InferenceService whose predictor is the REST app's container."""
    serving = manifest["serving"]
    predictor = {
        "minReplicas": serving["replicas"]["min"],
        "maxReplicas": serving["replicas"]["max"],
        "scaleMetric": "cpu",
        "scaleTarget": CPU_TARGET_PERCENT,
        **_pod_spec([_server_container(manifest, "kserve-container")], []),
    }
    service = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": _metadata(manifest, "model-server"),
        "spec": {"predictor": predictor},
    }
    return {"inferenceservice.yaml": service}


def render(manifest: Manifest) -> dict[str, K8sObject]:
    """File name -> object, for the manifest's runtime and target."""
    serving = manifest["serving"]
    if serving["target"] == "kserve":
        return render_kserve(manifest)
    if serving["runtime"] == "batch":
        return render_kubernetes_batch(manifest)
    return render_kubernetes_rest(manifest)


# --- DEP005: the rendered objects, validated offline --------------------------------------------


@dataclass(frozen=True)
class Validated:
    """Which validator accepted a rendered object."""

    file: str
    kind: str
    validator: str


def validate_rendered(
    objects: Mapping[str, K8sObject], kubernetes_version: str, kserve_schema: Path, output: Path
) -> tuple[list[Validated], list[Finding]]:
    """kubernetes-validate (strict) for Kubernetes kinds, the KServe schema for KServe."""
    import kubernetes_validate  # heavy (schemas of every Kubernetes version): load on use

    accepted: list[Validated] = []
    findings: list[Finding] = []
    for name, obj in objects.items():
        where = output / name
        if obj["apiVersion"].startswith("serving.kserve.io/"):
            validator = jsonschema.Draft202012Validator(_read_json(kserve_schema))
            errors = sorted(validator.iter_errors(obj), key=lambda e: [str(p) for p in e.path])
            findings.extend(
                finding("DEP005", where, f"{dotted(e.absolute_path)}: {e.message} (KServe schema)")
                for e in errors
            )
            if not errors:
                accepted.append(Validated(name, obj["kind"], f"KServe CRD schema {kserve_schema}"))
            continue
        try:
            version = kubernetes_validate.validate(obj, kubernetes_version, strict=True)
        except kubernetes_validate.ValidationError as error:
            problem = f"{dotted(error.path)}: {error.message} (kubernetes-validate --strict)"
            findings.append(finding("DEP005", where, problem))
        except (
            kubernetes_validate.SchemaNotFoundError,
            kubernetes_validate.InvalidSchemaError,
            kubernetes_validate.utils.VersionNotSupportedError,
        ) as error:
            problem = f"{error.message} (kubernetes-validate; serving.kubernetesVersion)"
            findings.append(finding("DEP005", where, problem))
        else:
            accepted.append(Validated(name, obj["kind"], f"kubernetes-validate --strict {version}"))
    return accepted, findings


def write_rendered(objects: Mapping[str, K8sObject], output: Path) -> None:
    """Replace the rendered files: stale objects of another target must not linger."""
    output.mkdir(parents=True, exist_ok=True)
    for stale in output.glob("*.yaml"):
        if stale.name not in objects:
            stale.unlink()
    header = (
        "# Rendered from deploy/manifest.yaml by `tox -e deploy`; edit the manifest, not this.\n"
    )
    for name, obj in objects.items():
        text = yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, width=100)
        atomic_write_text(output / name, header + text)


# --- the command ----------------------------------------------------------------------------------


def check_and_render(
    manifest_path: Path = MANIFEST,
    output: Path = RENDERED,
    *,
    root: Path = Path(),
    schema: Path = MANIFEST_SCHEMA,
    kserve_schema: Path = KSERVE_SCHEMA,
) -> list[Validated]:
    """Every check, then the rendered objects written; raises with every finding otherwise."""
    manifest = load_manifest(root / manifest_path, root / schema)
    source = str(manifest_path)
    findings = [
        *consistency_findings(manifest, source),
        *reference_findings(manifest, root, source),
        *gate_findings(manifest, root, source),
        *image_findings(manifest, source),
    ]
    if findings:
        raise ManifestError(findings)
    objects = render(manifest)
    accepted, findings = validate_rendered(
        objects, manifest["serving"]["kubernetesVersion"], root / kserve_schema, output
    )
    if findings:
        raise ManifestError(findings)
    write_rendered(objects, root / output)
    return accepted


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog_name("deploy"),
        description="Check deploy/manifest.yaml and render the deployment it describes.",
    )
    parser.add_argument(
        "--manifest", type=Path, default=MANIFEST, help="deploy manifest (default: %(default)s)"
    )
    parser.add_argument(
        "--output", type=Path, default=RENDERED, help="rendered objects (default: %(default)s)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code (1 with one line per finding)."""
    args = _parser().parse_args(argv)
    try:
        accepted = check_and_render(args.manifest, args.output)
    except PipelineError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{args.manifest}: schema, contracts, quality gates and image reference are valid")
    for item in accepted:
        print(f"{args.output / item.file}: {item.kind} accepted by {item.validator}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
