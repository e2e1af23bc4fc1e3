"""Production code never imports the tests.

`scripts/` (the docs site's hook, release notes, sample data) and `benchmarks/` share what
they need with the tests through `scripts/template_repository.py`; an import of `tests`
would make them depend on the test suite's layout and fixtures. Their imports are read
with `ast`, so an import inside a function or under `if TYPE_CHECKING:` counts too.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from tests.support import TEMPLATE_ROOT

PRODUCTION = ("scripts", "benchmarks")
TESTS_PACKAGE = "tests"


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for every import in `tree`, and every `importlib.import_module` or
    `__import__` of a literal name."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            name = function.id if isinstance(function, ast.Name) else name
            argument = node.args[0]
            if name in {"import_module", "__import__"} and isinstance(argument, ast.Constant):
                found.append((node.lineno, str(argument.value)))
    return found


def imports_of_tests(root: Path) -> list[str]:
    """`path:line: module` for each import of the `tests` package under `root`'s
    production directories."""
    findings = []
    for directory in PRODUCTION:
        for path in sorted((root / directory).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, module in _imported_modules(tree):
                if module.split(".")[0] == TESTS_PACKAGE:
                    findings.append(f"{path.relative_to(root).as_posix()}:{line}: {module}")
    return findings


def test_scripts_and_benchmarks_import_nothing_from_the_tests() -> None:
    assert (TEMPLATE_ROOT / "scripts" / "template_repository.py").is_file()
    found = imports_of_tests(TEMPLATE_ROOT)
    assert not found, (
        "production code imports the tests; move what it needs into "
        "scripts/template_repository.py:\n" + "\n".join(found)
    )


PLANTED = {
    "import": "import tests.support",
    "from-module": "from tests.support import tail",
    "from-package": "from tests import support",
    "in-a-function": "def helper():\n    from tests.updates.history import recorded_releases",
    "import-module": "import importlib\nimportlib.import_module('tests.support')",
}


@pytest.mark.parametrize("planted", PLANTED.values(), ids=PLANTED.keys())
@pytest.mark.parametrize("file", ["scripts/docs_site.py", "benchmarks/bench_update.py"])
def test_a_planted_import_of_the_tests_is_found(tmp_path: Path, file: str, planted: str) -> None:
    for directory in PRODUCTION:
        shutil.copytree(TEMPLATE_ROOT / directory, tmp_path / directory)
    assert imports_of_tests(tmp_path) == [], "the copy must start clean"
    target = tmp_path / file
    original = target.read_text(encoding="utf-8")
    target.write_text(f"{original}\n{planted}\n", encoding="utf-8")
    line = len(original.splitlines()) + len(planted.splitlines()) + 1

    found = imports_of_tests(tmp_path)

    assert len(found) == 1, f"the planted import is found once: {found}"
    assert found[0].startswith(f"{file}:{line}: tests"), found
