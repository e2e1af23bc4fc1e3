"""hooks/ scripts import their shared helpers as top-level modules, as Copier runs them."""

from __future__ import annotations

import sys

from tests.support import TEMPLATE_ROOT

sys.path.insert(0, str(TEMPLATE_ROOT / "hooks"))
