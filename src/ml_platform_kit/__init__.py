"""The ML platform kit: the checks behind the template's conventions, in one versioned package.

Projects generated from the template depend on it pinned to their template version, run it
as ``ml-platform <command>`` (tox environments and CI jobs) and import its runtime pieces
(reading a data contract and validating a frame against it, the quality gates). The
registry of checks is ``checks.yml``; every finding has the shape of
:class:`ml_platform_kit.finding.Finding`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ml-platform-kit")
except PackageNotFoundError:  # imported from a source tree
    __version__ = "0.0.0"
