"""Each answer to the licence question renders its licence, word for word, and says so in
the package metadata.

`LICENSE` is the standard text of the SPDX licence chosen (Apache-2.0 byte for byte as
apache.org publishes it), or a short all-rights-reserved notice for proprietary code;
`pyproject.toml` names the same licence as a PEP 639 expression that packaging accepts.
LICENSE is platform-managed, so its digest is recorded for the drift check, and
sp-repo-review finds nothing unexplained whichever licence a team picks.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pytest
from packaging.licenses import canonicalize_license_expression

from tests.repo_review import assert_nothing_unexplained, review
from tests.support import COPIER_CONFIG, RenderFn, choice_values

# sha256 of https://www.apache.org/licenses/LICENSE-2.0.txt
APACHE_2_0_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
ORGANISATION = "acme/ml"

# What each licence's text must hold (its title, its copyright holder, its key clause).
EXPECTED = {
    "Proprietary": (
        "LicenseRef-Proprietary",
        [f"Copyright (c) {ORGANISATION}. All rights reserved.", "No licence"],
    ),
    "MIT": (
        "MIT",
        ["MIT License\n", f"Copyright (c) {ORGANISATION}\n", "Permission is hereby granted"],
    ),
    "Apache-2.0": ("Apache-2.0", ["Apache License", "Version 2.0, January 2004"]),
    "BSD-3-Clause": (
        "BSD-3-Clause",
        [f"Copyright (c) {ORGANISATION}\n", "3. Neither the name of the copyright holder"],
    ),
}
PERMISSIVE = ("Permission is hereby granted", "Redistribution and use", "Apache License")


def test_every_licence_choice_has_its_expectations() -> None:
    assert set(choice_values(COPIER_CONFIG["license"])) == set(EXPECTED)
    assert COPIER_CONFIG["license"]["default"] == "Proprietary", "company code by default"


@pytest.mark.parametrize("license_id", list(EXPECTED))
def test_licence_answer_renders_its_text_and_metadata(
    render: RenderFn, tmp_path: Path, license_id: str
) -> None:
    project = render({"license": license_id, "organisation": ORGANISATION}, tmp_path / "p")
    expression, phrases = EXPECTED[license_id]
    data = (project / "LICENSE").read_bytes()
    text = data.decode("utf-8")
    missing = [phrase for phrase in phrases if phrase not in text]
    assert not missing, f"{license_id}: LICENSE lacks {missing}:\n{text[:600]}"
    if license_id == "Apache-2.0":
        assert hashlib.sha256(data).hexdigest() == APACHE_2_0_SHA256, "not apache.org's text"
    if license_id == "Proprietary":
        granted = [p for p in PERMISSIVE if p in text]
        assert not granted, f"a proprietary notice grants nothing: {granted}"
    assert text.endswith("\n"), "LICENSE ends with a newline"
    assert not text.endswith("\n\n"), "LICENSE ends with one newline, not a blank line"
    assert not [line for line in text.splitlines() if line != line.rstrip()], "trailing space"

    project_table = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))["project"]
    assert project_table["license"] == expression
    assert canonicalize_license_expression(expression) == expression, "not a valid expression"
    assert project_table["license-files"] == ["LICENSE"]

    record = json.loads((project / ".platform-managed.json").read_text("utf-8"))
    entry = next(e for e in record["files"] if e["path"] == "LICENSE")
    assert entry["digest"] == "sha256:" + hashlib.sha256(data).hexdigest(), "drift record"
    assert_nothing_unexplained(f"license={license_id}", review(project))
