"""template/ follows its own layout rules.

Only files that use variables end in `.jinja`: plain files stay lintable where they sit; a
`.jinja` suffix on a file without variables hides them from those linters for nothing. The
sample data is exactly what its generator writes, so a change to either shows up in review.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import TEMPLATE_ROOT, working_tree_files

JINJA_FILES = [
    name
    for name in working_tree_files(TEMPLATE_ROOT)
    if name.startswith("template/") and name.endswith(".jinja")
]
USES_JINJA = re.compile(r"(?<!\$)\{\{|\{%")


@pytest.mark.parametrize("name", JINJA_FILES)
def test_jinja_suffix_only_on_files_that_use_variables(name: str) -> None:
    text = (TEMPLATE_ROOT / name).read_text(encoding="utf-8")
    assert USES_JINJA.search(text), (
        f"{name} uses no Jinja: drop the `.jinja` suffix so it stays a plain, lintable file"
    )


def test_sample_data_is_exactly_what_its_generator_writes(tmp_path: Path) -> None:
    committed = TEMPLATE_ROOT / "template/data/sample/customers.csv"
    regenerated = tmp_path / "customers.csv"
    subprocess.run(
        [sys.executable, "scripts/generate_sample_data.py", "--output", str(regenerated)],
        cwd=TEMPLATE_ROOT,
        check=True,
    )
    assert regenerated.read_bytes() == committed.read_bytes(), (
        "template/data/sample/customers.csv differs from what scripts/generate_sample_data.py "
        "writes: rerun the script and commit both"
    )
