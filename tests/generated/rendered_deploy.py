"""What `tox -e deploy` rendered, judged from outside the generated project.

The project validates its own output; these checks do it again with the template's own
tools — the kubernetes-validate command line (strict) for Kubernetes kinds, jsonschema with
the vendored KServe schema for KServe — and check that every pod is secure by default.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.support import Combo

KUBERNETES_VALIDATE = str(Path(sys.executable).with_name("kubernetes-validate"))
EXPECTED_KINDS = {
    ("rest", "kubernetes"): {"Deployment", "Service", "HorizontalPodAutoscaler", "NetworkPolicy"},
    ("batch", "kubernetes"): {"CronJob"},
    ("rest", "kserve"): {"InferenceService"},
}
CONTAINER_SECURITY = {
    "runAsNonRoot": True,
    "readOnlyRootFilesystem": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    spec = obj["spec"]
    if obj["kind"] == "Deployment":
        return spec["template"]["spec"]
    if obj["kind"] == "CronJob":
        return spec["jobTemplate"]["spec"]["template"]["spec"]
    if obj["kind"] == "InferenceService":
        return spec["predictor"]
    return None


def _pod_problems(name: str, obj: dict[str, Any], serving: str) -> list[str]:
    pod = _pod_spec(obj)
    if pod is None:
        return []
    problems = []
    if pod.get("securityContext", {}).get("runAsNonRoot") is not True:
        problems.append(f"{name}: the pod does not require a non-root user")
    if pod.get("automountServiceAccountToken") is not False:
        problems.append(f"{name}: the pod mounts a service-account token")
    for container in pod["containers"]:
        where = f"{name}: container {container['name']}"
        security = container.get("securityContext", {})
        for key, value in CONTAINER_SECURITY.items():
            if security.get(key) != value:
                problems.append(f"{where}: securityContext.{key} is {security.get(key)!r}")
        for side in ("requests", "limits"):
            if not {"cpu", "memory"} <= set(container.get("resources", {}).get(side, {})):
                problems.append(f"{where}: resources.{side} needs cpu and memory")
        if serving == "rest":
            for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                if container.get(probe, {}).get("httpGet", {}).get("path") != path:
                    problems.append(f"{where}: {probe} must call {path}")
        if container["image"].endswith(":latest") or ":" not in container["image"]:
            problems.append(f"{where}: image {container['image']} is not pinned")
    return problems


def rendered_deploy_problems(project: Path, combo: Combo) -> list[str]:
    """Everything wrong with `deploy/rendered/` (empty: it is valid and secure by default)."""
    directory = project / "deploy" / "rendered"
    files = sorted(directory.glob("*.yaml"))
    objects = {f.name: yaml.safe_load(f.read_text(encoding="utf-8")) for f in files}
    problems = []
    kinds = {obj["kind"] for obj in objects.values()}
    expected = EXPECTED_KINDS[(combo.serving_mode, combo.deploy_target)]
    if kinds != expected:
        problems.append(f"rendered kinds {sorted(kinds)}, expected {sorted(expected)}")

    manifest = yaml.safe_load((project / "deploy/manifest.yaml").read_text(encoding="utf-8"))
    version = manifest["serving"]["kubernetesVersion"]
    kubernetes = [
        directory / name
        for name, obj in objects.items()
        if not obj["apiVersion"].startswith("serving.kserve.io/")
    ]
    if kubernetes:
        result = subprocess.run(
            [KUBERNETES_VALIDATE, "--strict", "-k", version, *map(str, kubernetes)],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = (result.stdout + result.stderr).splitlines()
        passed = [line for line in lines if line.startswith("INFO") and " passed " in line]
        if result.returncode != 0 or len(passed) != len(kubernetes):
            problems.append("kubernetes-validate --strict:\n" + "\n".join(lines))

    schema_path = project / "deploy/schema/kserve-inferenceservice-v1beta1.json"
    kserve = jsonschema.Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8")))
    for name, obj in objects.items():
        if obj["apiVersion"].startswith("serving.kserve.io/"):
            problems.extend(f"{name}: {e.message}" for e in kserve.iter_errors(obj))
        problems.extend(_pod_problems(name, obj, combo.serving_mode))
    return problems
