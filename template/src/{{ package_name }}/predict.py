"""Score a CSV of customers with the trained model and write one prediction per customer.

The input needs ``customer_id`` and the model's feature columns (a ``churned`` column, if
present, is ignored). The output has ``customer_id``, ``churn_probability`` and
``churn_predicted`` (1 at or above the threshold), in input order. Everything is checked
before anything is written, and the output is written atomically: a failed run leaves no
output file (or the previous one, untouched).

Usage: ``python -m <package>.predict INPUT [OUTPUT] [--model ...] [--threshold 0.5]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from ml_platform_kit.atomic import atomic_write_text
from sklearn.pipeline import Pipeline

from . import paths
from .cli import prog_name, run_command
from .data import ID_COLUMN, load_customers
from .features import FEATURE_COLUMNS
from .model import DECISION_THRESHOLD, churn_probability, load_model

SCORING_COLUMNS = (ID_COLUMN, *FEATURE_COLUMNS)
OUTPUT_COLUMNS = (ID_COLUMN, "churn_probability", "churn_predicted")


def predict(
    pipeline: Pipeline, customers: pd.DataFrame, threshold: float = DECISION_THRESHOLD
) -> pd.DataFrame:
    """One row per customer: identifier, probability of churn, and the 0/1 decision."""
    probabilities = churn_probability(pipeline, customers)
    return pd.DataFrame(
        {
            ID_COLUMN: customers[ID_COLUMN].to_numpy(),
            "churn_probability": probabilities.round(6),
            "churn_predicted": (probabilities >= threshold).astype("int64"),
        },
        columns=list(OUTPUT_COLUMNS),
    )


def write_predictions(predictions: pd.DataFrame, path: Path | str) -> None:
    """Write the predictions CSV atomically."""
    atomic_write_text(path, predictions.to_csv(index=False, lineterminator="\n"))


def _threshold(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog_name("predict"),
        description="Score a CSV of customers with the trained churn model.",
    )
    parser.add_argument("input", type=Path, help="customers to score (CSV)")
    parser.add_argument(
        "output",
        type=Path,
        nargs="?",
        default=paths.PREDICTIONS,
        help="predictions CSV to write (default: %(default)s)",
    )
    parser.add_argument(
        "--model", type=Path, default=paths.MODEL, help="trained model (default: %(default)s)"
    )
    parser.add_argument(
        "--threshold",
        type=_threshold,
        default=DECISION_THRESHOLD,
        help="probability at which a customer is predicted to churn (default: %(default)s)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    args = _parser().parse_args(argv)

    def step() -> int:
        pipeline = load_model(args.model)
        customers = load_customers(args.input, required=SCORING_COLUMNS, delivery=False)
        predictions = predict(pipeline, customers, args.threshold)
        write_predictions(predictions, args.output)
        flagged = int(predictions["churn_predicted"].sum())
        print(f"scored {len(predictions)} customers, {flagged} predicted to churn: {args.output}")
        return 0

    return run_command(step)


if __name__ == "__main__":
    raise SystemExit(main())
