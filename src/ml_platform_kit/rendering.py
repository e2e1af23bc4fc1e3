"""The Kubernetes or KServe objects a deploy manifest describes, as plain mappings.

Pure functions of the manifest (and the project's package, for the batch command): no file
is read or written here. ``ml-platform deploy`` (:mod:`.deploy`) checks the manifest first,
validates what these functions return, and only then writes it to ``deploy/rendered/``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Final

import yaml

Manifest = dict[str, Any]
K8sObject = dict[str, Any]

# The first lines of a rendered file. The second holds the digest of the objects below it, as
# `ml-platform deploy` validated them (DEP005): the security scan (SEC005) then leaves an
# unchanged file alone instead of running kubernetes-validate on it a second time.
RENDERED_BY: Final = (
    "# Rendered from deploy/manifest.yaml by `ml-platform deploy`; edit the manifest.\n"
)
VALIDATED_AS: Final = "# Validated when rendered (DEP005); sha256 of what follows: "

# The user the serving image runs as (see the Dockerfile); Kubernetes enforces it too.
RUN_AS_USER: Final = 10001
CPU_TARGET_PERCENT: Final = 70


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


def render_kubernetes_batch(manifest: Manifest, package: str) -> dict[str, K8sObject]:
    """A CronJob that runs the project's batch scoring command on the data volume."""
    serving = manifest["serving"]
    batch = serving["batch"]
    container = {
        "name": "batch-scoring",
        "image": serving["container"]["image"],
        "imagePullPolicy": "Always",
        "command": ["python", "-m", f"{package}.batch"],
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


def render(manifest: Manifest, package: str) -> dict[str, K8sObject]:
    """File name -> object, for the manifest's runtime and target; ``package`` is the
    project's Python package, whose batch command the CronJob runs."""
    serving = manifest["serving"]
    if serving["target"] == "kserve":
        return render_kserve(manifest)
    if serving["runtime"] == "batch":
        return render_kubernetes_batch(manifest, package)
    return render_kubernetes_rest(manifest)


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def rendered_file_text(obj: K8sObject) -> str:
    """A rendered file: the header, the stamp of its validated content, the object as YAML."""
    body = yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, width=100)
    return f"{RENDERED_BY}{VALIDATED_AS}{_digest(body)}\n{body}"


def validated_when_rendered(text: str) -> bool:
    """Whether ``text`` is a rendered file unchanged since ``ml-platform deploy`` validated it."""
    header, _, rest = text.partition("\n")
    stamp, _, body = rest.partition("\n")
    return (
        header + "\n" == RENDERED_BY
        and stamp.startswith(VALIDATED_AS)
        and stamp.removeprefix(VALIDATED_AS) == _digest(body)
    )
