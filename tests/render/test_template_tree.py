"""template/ follows its own layout rules: only files that use variables end in `.jinja`.

Plain files stay lintable where they sit; a `.jinja` suffix on a file without variables
hides it from those linters for nothing (design: "Only files that need variables end in
`.jinja`").
"""

from __future__ import annotations

import re

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
