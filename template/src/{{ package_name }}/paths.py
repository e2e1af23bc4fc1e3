"""Default locations of the pipeline's inputs and outputs, relative to the project root.

The commands run from the project root (where ``pyproject.toml`` is); every path here can be
overridden on the command line. ``models/`` and ``reports/`` are build outputs, ignored by git.
"""

from pathlib import Path
from typing import Final

from ml_platform_kit.project import Project

SAMPLE_DATA: Final = Path("data/sample/customers.csv")
MODEL: Final = Path("models/model.joblib")
METRICS: Final = Path("reports/metrics.json")
ROC_CURVE: Final = Path("reports/roc_curve.png")
PREDICTIONS: Final = Path("reports/predictions.csv")
QUALITY_GATES: Final = Path("config/quality-gates.yaml")
CONTRACT: Final = Path("contracts/customers.odcs.yaml")

# The project the commands run in: its CODEOWNERS and answers name who fixes a failure.
PROJECT: Final = Project(Path("."))
