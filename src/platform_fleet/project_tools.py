"""The generated projects' own check modules, imported from this repository's template.

The fleet report must judge drift, waivers and update leftovers exactly as `tox -e
conventions` does in each project, so it imports the same files rather than a copy:
`template/tools/` of this repository (a wheel carries them as `platform_fleet/template_tools/`).
Those modules import each other by plain name, as they do inside a project, hence the
directory goes on `sys.path`.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent / "template_tools"
_CHECKOUT = Path(__file__).resolve().parents[2] / "template" / "tools"
TOOLS_DIR = _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT

if str(TOOLS_DIR) not in sys.path:
    sys.path.insert(0, str(TOOLS_DIR))

import check_conflicts  # noqa: E402
import drift  # noqa: E402
import ownership  # noqa: E402
import template_update_report  # noqa: E402
import waivers  # noqa: E402

__all__ = [
    "TOOLS_DIR",
    "check_conflicts",
    "drift",
    "ownership",
    "template_update_report",
    "waivers",
]
