"""Files that meet the security baseline, and the faults the security tests plant.

The hardened files are what the baseline asks for (docs/security.md of a generated project):
the kit's unit tests (tests/kit/test_security.py) run `ml_platform_kit.security`'s checks and
the pinned scanners on them in small projects; the planted-fault tests run
`tox -e security` (`ml-platform security scan`) on them in a generated project. Each hardened
file must pass, each fault fail. Faults are small, realistic mistakes.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

# --- files that meet the baseline -----------------------------------------------------------

HARDENED_DOCKERFILE = """\
FROM python:3.12.7-slim-bookworm
WORKDIR /app
COPY --chown=10001:10001 . /app
USER 10001
HEALTHCHECK CMD ["python", "-c", "import sys; sys.exit(0)"]
CMD ["python", "-m", "app"]
"""

HARDENED_WORKFLOW = """\
name: ci
on:
  push:
    branches: [main]
  pull_request:
permissions: {}
jobs:
  test:
    name: test
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - run: echo "tests run here"
"""

DIGEST = "sha256:" + "0123456789abcdef" * 4
HARDENED_GITLAB_CI = f"""\
default:
  image: python:3.12.7-slim-bookworm
test:
  image:
    name: registry.example/tools/uv@{DIGEST}
  script:
    - echo "tests run here"
"""

_CONTAINER: dict[str, Any] = {
    "name": "serve",
    "image": "registry.example/churn:1.0.0",
    "ports": [{"containerPort": 8000}],
    "securityContext": {
        "runAsNonRoot": True,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    },
    "resources": {
        "requests": {"cpu": "100m", "memory": "256Mi"},
        "limits": {"cpu": "1", "memory": "512Mi"},
    },
    "livenessProbe": {"httpGet": {"path": "/health", "port": 8000}},
    "readinessProbe": {"httpGet": {"path": "/health", "port": 8000}},
}


def hardened_deployment() -> dict[str, Any]:
    labels = {"app": "churn"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "churn", "namespace": "churn"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
                    "containers": [copy.deepcopy(_CONTAINER)],
                },
            },
        },
    }


def hardened_cronjob() -> dict[str, Any]:
    container = copy.deepcopy(_CONTAINER)
    del container["livenessProbe"], container["readinessProbe"], container["ports"]
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "churn-score", "namespace": "churn"},
        "spec": {
            "schedule": "0 3 * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {"restartPolicy": "Never", "containers": [container]},
                    }
                }
            },
        },
    }


def hardened_inference_service() -> dict[str, Any]:
    container = copy.deepcopy(_CONTAINER)
    container["name"] = "kserve-container"
    del container["livenessProbe"], container["readinessProbe"]
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "churn", "namespace": "churn"},
        "spec": {"predictor": {"containers": [container]}},
    }


def manifest_text(*objects: dict[str, Any]) -> str:
    return yaml.safe_dump_all(objects, sort_keys=False)


# --- faults ----------------------------------------------------------------------------------

# One per Python rule the baseline names: (file name, code, bandit ID).
PYTHON_FAULTS = [
    (
        "unsafe_pickle.py",
        "import pickle\n\n\ndef load(blob: bytes) -> object:\n    return pickle.loads(blob)\n",
        "B301",
    ),
    (
        "unsafe_shell.py",
        "import subprocess\n\n\ndef run(command: str) -> None:\n"
        "    subprocess.run(command, shell=True, check=True)\n",
        "B602",
    ),
    (
        "unsafe_torch.py",
        "import torch\n\n\ndef weights(path: str) -> object:\n    return torch.load(path)\n",
        "B614",
    ),
    (
        "unpinned_hub.py",
        "from transformers import AutoModel\n\n\ndef model() -> object:\n"
        '    return AutoModel.from_pretrained("distilbert-base-uncased")\n',
        "B615",
    ),
]

# A real-looking AWS key pair (AWS's documented example values).
AWS_KEY_CONFIG = """\
storage:
  bucket: churn-models
  aws_access_key_id: AKIAIOSFODNN7EXAMPLE
"""

# One per workflow rule: (file name, workflow, zizmor audit).
WORKFLOW_FAULTS = [
    (
        "unpinned.yml",
        HARDENED_WORKFLOW.replace(
            "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
            "actions/checkout@v4",
        ),
        "unpinned-uses",
    ),
    (
        "write-all.yml",
        HARDENED_WORKFLOW.replace("permissions: {}\n", "permissions: write-all\n"),
        "excessive-permissions",
    ),
    (
        "issue-title.yml",
        HARDENED_WORKFLOW.replace(
            "on:\n  push:\n    branches: [main]\n  pull_request:\n",
            "on:\n  issues:\n    types: [opened]\n",
        ).replace('run: echo "tests run here"', 'run: echo "${{ github.event.issue.title }}"'),
        "template-injection",
    ),
]

ROOT_LATEST_DOCKERFILE = """\
FROM python:latest
WORKDIR /app
COPY . /app
CMD ["python", "-m", "app"]
"""

GITLAB_LATEST_IMAGE = HARDENED_GITLAB_CI.replace("python:3.12.7-slim-bookworm", "python:latest")


def deployment_without_security_context() -> dict[str, Any]:
    deployment = hardened_deployment()
    del deployment["spec"]["template"]["spec"]["securityContext"]
    del deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    return deployment


def deployment_with_unknown_field() -> dict[str, Any]:
    deployment = hardened_deployment()
    deployment["spec"]["replica"] = deployment["spec"].pop("replicas")  # a typo
    return deployment
