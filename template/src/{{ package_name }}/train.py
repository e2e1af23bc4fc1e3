"""Train the churn model on the training part of the data and save it to ``models/model.joblib``.

The holdout customers (see :func:`.data.split_holdout`) are left out, so ``evaluate``
measures the model on customers it has never seen.

Usage: ``python -m <package>.train [--data CSV] [--model models/model.joblib]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from ml_platform_kit.pipeline import require_both_classes
from sklearn.pipeline import Pipeline

from . import paths
from .cli import prog_name, run_command
from .data import TARGET_COLUMN, load_customers, split_holdout
from .features import build_pipeline, feature_frame
from .model import save_model


def train(training: pd.DataFrame, *, source: Path | str = "training data") -> Pipeline:
    """Fit a fresh pipeline on ``training`` (which needs both churners and non-churners).

    ``source`` names the data in the error raised when one class is missing (``MOD006``).
    """
    require_both_classes(paths.PROJECT, training[TARGET_COLUMN], part="training", where=source)
    pipeline = build_pipeline()
    pipeline.fit(feature_frame(training), training[TARGET_COLUMN])
    return pipeline


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog_name("train"),
        description="Train the churn model on the training part of a labelled customer CSV.",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=paths.SAMPLE_DATA,
        help="labelled customers (default: %(default)s)",
    )
    parser.add_argument(
        "--model", type=Path, default=paths.MODEL, help="model to write (default: %(default)s)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    args = _parser().parse_args(argv)

    def step() -> int:
        customers = load_customers(args.data)
        training, holdout = split_holdout(customers)
        save_model(train(training, source=args.data), args.model)
        print(
            f"trained on {len(training)} of {len(customers)} customers"
            f" ({len(holdout)} held out for evaluation): {args.model}"
        )
        return 0

    return run_command(step)


if __name__ == "__main__":
    raise SystemExit(main())
