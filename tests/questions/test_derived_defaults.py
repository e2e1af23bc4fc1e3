"""Whatever a project is called, the derived slug and package name are valid and safe.

A person who accepts every default must get a project that renders, whose slug is a valid
kebab-case name and whose package neither is a keyword nor shadows an import. The checks
here are independent of copier.yml's own validators: Python's `keyword` module, the
running interpreter's standard library and the reserved-names list.
"""

from __future__ import annotations

import keyword
import re
import shutil
import sys
import tempfile
from pathlib import Path

import copier
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import RESERVED_IMPORT_NAMES, RenderFn, read_answers

SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
# copier.yml's `!include <path>` lines: the files its questions come from.
INCLUDED = re.compile(r"^!include (\S+)$", re.MULTILINE)
PACKAGE = re.compile(r"[a-z][a-z0-9_]*")

ODD_NAMES = [
    "3D Vision!",
    "Prévision Çhurn",
    "日本語",
    "Pandas",
    "class",
    "  --  ",
    "json",
    "Über Straße Ångström",
    "tests",
    "ML 2.0 -- (beta)",
    "__init__",
    "a",
]


@pytest.mark.parametrize("project_name", ODD_NAMES)
def test_defaults_derived_from_any_project_name_are_valid(
    render: RenderFn, tmp_path: Path, project_name: str
) -> None:
    answers = read_answers(render({"project_name": project_name}, tmp_path / "project"))
    slug, package = answers["project_slug"], answers["package_name"]

    assert_valid_names(slug, package)
    assert (tmp_path / "project" / "src" / package).is_dir(), f"src/{package}/ was not rendered"


def assert_valid_names(slug: str, package: str) -> None:
    assert SLUG.fullmatch(slug), f"derived slug {slug!r} is not kebab-case"
    assert PACKAGE.fullmatch(package), f"derived package {package!r} is not an identifier"
    assert package.isidentifier()
    assert not keyword.iskeyword(package), f"derived package {package!r} is a keyword"
    assert package not in sys.stdlib_module_names, f"{package!r} shadows the standard library"
    for group, names in RESERVED_IMPORT_NAMES.items():
        assert package not in names, f"derived package {package!r} is reserved ({group})"


# Any printable text with something in it: letters of every script, digits, punctuation.
PROJECT_NAMES = st.text(
    st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40
).filter(str.strip)


@pytest.fixture(scope="module")
def questionnaire_src(template_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template's questionnaire with nothing to render: copier.yml and what it includes,
    and an empty `template/`. Copier computes the answers exactly as for the whole template,
    without rendering a hundred files for each example."""
    src = tmp_path_factory.mktemp("questionnaire")
    shutil.copy2(template_src / "copier.yml", src / "copier.yml")
    for included in INCLUDED.findall((template_src / "copier.yml").read_text(encoding="utf-8")):
        (src / included).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(template_src / included, src / included)
    (src / "template").mkdir()
    return src


def derived_names(questionnaire_src: Path, project_name: str) -> tuple[str, str]:
    """The slug and package Copier derives from this project name under `--defaults`."""
    with tempfile.TemporaryDirectory() as destination:
        worker = copier.run_copy(
            str(questionnaire_src),
            Path(destination) / "project",
            data={"project_name": project_name},
            defaults=True,
            pretend=True,
            quiet=True,
        )
    answers = worker.answers.combined
    return str(answers["project_slug"]), str(answers["package_name"])


@settings(max_examples=60, deadline=None)
@given(project_name=PROJECT_NAMES)
def test_any_project_name_derives_valid_names(questionnaire_src: Path, project_name: str) -> None:
    """Copier does not validate defaults under --defaults, so the derivation must be total."""
    assert_valid_names(*derived_names(questionnaire_src, project_name))


@pytest.mark.parametrize(
    ("project_name", "slug", "package"),
    [
        ("Customer Churn Model", "customer-churn-model", "customer_churn_model"),
        ("3D Vision!", "ml-3d-vision", "ml_3d_vision"),
        ("Prévision Çhurn", "prevision-churn", "prevision_churn"),
        ("Pandas", "pandas", "pandas_ml"),
        ("json", "json", "json_ml"),
        ("class", "class", "class_ml"),
    ],
)
def test_derived_names_read_like_the_project_name(
    questionnaire_src: Path, project_name: str, slug: str, package: str
) -> None:
    assert derived_names(questionnaire_src, project_name) == (slug, package)
