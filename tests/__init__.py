"""The template's own tests, one folder per layer of "Testing the template" in the design.

- questions/    validators refuse bad answers with a fix; hostile answers stay inert
- render/       every valid combination renders finished, parseable, lint-clean files
- generated/    generated projects are green under their own tox, every README command
                works as written, `uv lock` resolves every combination (`slow`)
- planted/      each check goes red, naming its ID, owner and page, on a planted fault (`slow`)
- hooks/        each migration on small trees; twice is once
- updates/      from every release to HEAD, projects converge and keep the team's edits (`slow`)
- fleet/        the fleet report on real projects from three releases (`slow`)
- docs/         the documentation site builds strict; the README names what exists
- interactive/  the questionnaire works for a person at a terminal
- repository/   this repository's own code and CI files

`pytest` runs every layer; `pytest -m "not slow"` the fast ones, `pytest -m slow` the rest.

`scripts/` goes on `sys.path` here, before any test module loads: the tests import
`scripts/template_repository.py` (shared with the docs site and the benchmarks) and
`scripts/release_notes.py` as top-level modules, as the scripts import each other.
"""

import sys
from pathlib import Path

SCRIPTS = str(Path(__file__).resolve().parent.parent / "scripts")
if SCRIPTS not in sys.path:
    sys.path.insert(0, SCRIPTS)
