"""The rendered data contract is valid ODCS as outside judges see it.

Two judges that are not our code: the official ODCS JSON Schema as its own package ships it
(which the template vendors byte for byte), and the reference tool, datacontract-cli, in the
version a generated project's `contract-reference` environment pins. `datacontract test` on
the data, with the clock set to the day the sample declares, is in
`tests/planted/test_contract_faults.py`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from importlib import metadata, resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.support import DEFAULT_COMBO, TEMPLATE_DIR, Combo

CONTRACT = "contracts/customers.odcs.yaml"
VENDORED_SCHEMA = TEMPLATE_DIR / "contracts" / "schema" / "odcs-v3.2.0.json"


def official_schema() -> dict[str, object]:
    text = resources.files("open_data_contract_standard").joinpath("schema.json").read_text()
    return json.loads(text)


def datacontract_lint(contract: Path) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("datacontract")
    assert executable, "datacontract-cli is a dev dependency: run through `uv run`"
    return subprocess.run(
        [executable, "lint", str(contract)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_vendored_schema_is_the_official_one_byte_for_byte() -> None:
    official = resources.files("open_data_contract_standard").joinpath("schema.json")
    assert VENDORED_SCHEMA.read_bytes() == official.read_bytes()


def test_rendered_contract_is_valid_against_the_official_schema(rendered, combo: Combo) -> None:
    contract = yaml.safe_load((rendered(combo) / CONTRACT).read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(official_schema())
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(contract)]
    assert not errors, errors
    assert contract["apiVersion"] == "v3.2.0"


def test_projects_pin_the_reference_tool_version_these_tests_judge_with(rendered) -> None:
    tox = tomllib.loads((rendered(DEFAULT_COMBO) / "tox.toml").read_text(encoding="utf-8"))
    pins = [
        re.fullmatch(r"datacontract-cli(\[[a-z,]+\])?==(?P<version>\S+)", dep)
        for dep in tox["env"]["contract-reference"]["deps"]
    ]
    versions = [pin["version"] for pin in pins if pin]
    assert versions == [metadata.version("datacontract-cli")], tox["env"]["contract-reference"]


def test_rendered_contract_passes_the_reference_tool(rendered) -> None:
    lint = datacontract_lint(rendered(DEFAULT_COMBO) / CONTRACT)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "valid against ODCS v3.2.0" in lint.stdout


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("status: active\n", "status: active\nowner_team: data\n"),
        ("logicalType: number", "logicalType: decimal"),
    ],
    ids=["unknown-key", "wrong-type-name"],
)
def test_reference_tool_refuses_what_our_check_refuses(
    rendered, tmp_path: Path, old: str, new: str
) -> None:
    """The judge can fail: the planted contract faults are invalid for it too."""
    text = (rendered(DEFAULT_COMBO) / CONTRACT).read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "customers.odcs.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    lint = datacontract_lint(broken)
    assert lint.returncode != 0, lint.stdout
