"""The platform kit's version is the template's: the newest release CHANGELOG.md records
(or prepares), since every project pins the kit to its template version."""

from __future__ import annotations

from importlib.metadata import version

from release_notes import releases
from template_repository import CHANGELOG

from tests.support import KIT_VERSION


def test_the_kit_version_is_the_newest_release_of_the_changelog() -> None:
    newest, _commit = releases(CHANGELOG.read_text(encoding="utf-8"))[-1]
    assert newest == KIT_VERSION, (
        f"includes/platform-kit.yml says {KIT_VERSION}, CHANGELOG.md's newest release is "
        f"{newest}: a release sets both (docs/platform-team.md#release)"
    )


def test_the_installed_kit_is_built_from_that_version() -> None:
    assert version("ml-platform-kit") == KIT_VERSION
