"""Default locations of the pipeline's inputs and outputs, relative to the project root.

The commands run from the project root (where ``pyproject.toml`` is); every path here can be
overridden on the command line. ``models/`` and ``reports/`` are build outputs, ignored by git.
"""

from pathlib import Path
from typing import Final

SAMPLE_DATA: Final = Path("data/sample/customers.csv")
MODEL: Final = Path("models/model.joblib")
METRICS: Final = Path("reports/metrics.json")
ROC_CURVE: Final = Path("reports/roc_curve.png")
PREDICTIONS: Final = Path("reports/predictions.csv")
QUALITY_GATES: Final = Path("config/quality-gates.yaml")
CONTRACTS: Final = Path("contracts")
CONTRACT: Final = CONTRACTS / "customers.odcs.yaml"

# Where a failure message sends the reader.
DOCS_DATA_CONTRACTS: Final = "docs/data-contracts.md"
DOCS_DEFINITION_OF_DONE: Final = "docs/ways-of-working.md#definition-of-done"
DOCS_QUICK_START: Final = "README.md#quick-start"
