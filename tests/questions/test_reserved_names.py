"""The reserved import names keep up with Python: every stdlib module is on the list.

A package named after a standard-library module shadows it. The list lives in
includes/reserved-import-names.yml; these tests fail when a Python release adds a module
the list lacks, for the interpreter running the tests and for every version the
questionnaire offers.
"""

from __future__ import annotations

import json
import keyword
import subprocess
import sys

import pytest

from tests.support import (
    OPTION_VALUES,
    RESERVED_IMPORT_NAMES,
    InterpreterNotFound,
    find_interpreter,
)

LIST_STDLIB_NAMES = "import json, sys; print(json.dumps(sorted(sys.stdlib_module_names)))"


def _public(names: set[str] | frozenset[str]) -> set[str]:
    return {name for name in names if not name.startswith("_")}


def test_stdlib_list_covers_the_running_interpreter() -> None:
    missing = _public(sys.stdlib_module_names) - set(RESERVED_IMPORT_NAMES["stdlib_modules"])
    assert not missing, (
        f"add to stdlib_modules in includes/reserved-import-names.yml (Python "
        f"{sys.version_info.major}.{sys.version_info.minor}): {sorted(missing)}"
    )


@pytest.mark.parametrize("version", OPTION_VALUES["python_version"])
def test_stdlib_list_covers_every_offered_python(version: str) -> None:
    try:
        interpreter = find_interpreter(version)
    except InterpreterNotFound as missing:
        pytest.fail(str(missing), pytrace=False)
    names = json.loads(
        subprocess.run(
            [str(interpreter), "-c", LIST_STDLIB_NAMES], capture_output=True, check=True, text=True
        ).stdout
    )
    missing = _public(set(names)) - set(RESERVED_IMPORT_NAMES["stdlib_modules"])
    assert not missing, f"add to stdlib_modules (Python {version}): {sorted(missing)}"


def test_keyword_list_covers_python_keywords() -> None:
    missing = set(keyword.kwlist) - set(RESERVED_IMPORT_NAMES["python_keywords"])
    lowercase_missing = {name for name in missing if name.islower()}
    assert not lowercase_missing, f"add to python_keywords: {sorted(lowercase_missing)}"
