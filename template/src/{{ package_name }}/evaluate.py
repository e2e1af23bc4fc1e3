"""Evaluate the trained model on the holdout customers and check the quality gates.

Writes ``reports/metrics.json`` (ROC AUC, accuracy, precision, recall, F1, plus the number
of customers evaluated) and ``reports/roc_curve.png``, then compares the metrics with
``config/quality-gates.yaml``: each missed gate is printed on one line and the command exits 1.

Usage: ``python -m <package>.evaluate [--data ...] [--model ...] [--gates ...]``
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from ml_platform_kit.atomic import atomic_path, atomic_write_text
from ml_platform_kit.gates import check_gates, load_gates
from ml_platform_kit.pipeline import require_both_classes
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from . import paths
from .cli import prog_name, run_command
from .data import TARGET_COLUMN, load_customers, split_holdout
from .model import DECISION_THRESHOLD, churn_probability, load_model

METRIC_NAMES: Final = ("roc_auc", "accuracy", "precision", "recall", "f1")


def compute_metrics(
    labels: npt.ArrayLike, probabilities: npt.ArrayLike, threshold: float = DECISION_THRESHOLD
) -> dict[str, float]:
    """Classification metrics at ``threshold`` plus ROC AUC, rounded to 4 decimals.

    ``evaluated_rows`` and ``positive_rate`` say how far the numbers can be trusted; they
    are metrics like the others, so a gate can require a minimum holdout size. ``labels``
    must hold both classes (ROC AUC is undefined otherwise).
    """
    truth = np.asarray(labels, dtype=np.int64)
    scores = np.asarray(probabilities, dtype=np.float64)
    if set(np.unique(truth).tolist()) != {0, 1}:
        raise ValueError("labels must contain both 0 and 1 to compute ROC AUC")
    predicted = (scores >= threshold).astype(np.int64)
    values = {
        "roc_auc": roc_auc_score(truth, scores),
        "accuracy": accuracy_score(truth, predicted),
        "precision": precision_score(truth, predicted, zero_division=0),
        "recall": recall_score(truth, predicted, zero_division=0),
        "f1": f1_score(truth, predicted, zero_division=0),
        "positive_rate": truth.mean(),
    }
    metrics = {name: round(float(value), 4) for name, value in values.items()}
    metrics["evaluated_rows"] = len(truth)
    return metrics


def metrics_json(metrics: Mapping[str, float]) -> str:
    """The metrics as JSON, one per line, in the order computed."""
    return json.dumps(dict(metrics), indent=2) + "\n"


def plot_roc_curve(
    labels: npt.ArrayLike, probabilities: npt.ArrayLike, auc: float, path: Path | str
) -> None:
    """Save the ROC curve as a PNG (Agg canvas: no display, no global pyplot state)."""
    false_positive_rate, true_positive_rate, _ = roc_curve(labels, probabilities)
    figure = Figure(figsize=(5, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(false_positive_rate, true_positive_rate, label=f"model (AUC {auc:.3f})")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    axes.set_xlabel("false positive rate")
    axes.set_ylabel("true positive rate (recall)")
    axes.set_title("ROC curve on the holdout customers")
    axes.legend(loc="lower right")
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", metadata={"Software": None})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog_name("evaluate"),
        description="Evaluate the model on the holdout customers and check the quality gates.",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=paths.SAMPLE_DATA,
        help="labelled customers (default: %(default)s)",
    )
    parser.add_argument(
        "--model", type=Path, default=paths.MODEL, help="trained model (default: %(default)s)"
    )
    parser.add_argument(
        "--metrics", type=Path, default=paths.METRICS, help="metrics JSON (default: %(default)s)"
    )
    parser.add_argument(
        "--plot", type=Path, default=paths.ROC_CURVE, help="ROC curve PNG (default: %(default)s)"
    )
    parser.add_argument(
        "--gates",
        type=Path,
        default=paths.QUALITY_GATES,
        help="quality gates to check (default: %(default)s)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code (1 when a gate is missed)."""
    args = _parser().parse_args(argv)

    def step() -> int:
        gates = load_gates(args.gates)  # a broken gates file fails before any work
        pipeline = load_model(args.model)
        _, holdout = split_holdout(load_customers(args.data))
        require_both_classes(paths.PROJECT, holdout[TARGET_COLUMN], part="holdout", where=args.data)
        labels = holdout[TARGET_COLUMN].to_numpy()
        probabilities = churn_probability(pipeline, holdout)
        metrics = compute_metrics(labels, probabilities)
        atomic_write_text(args.metrics, metrics_json(metrics))
        plot_roc_curve(labels, probabilities, metrics["roc_auc"], args.plot)
        summary = ", ".join(f"{name} {metrics[name]:.3f}" for name in METRIC_NAMES)
        print(f"{summary} on {len(holdout)} holdout customers: {args.metrics}, {args.plot}")
        findings = check_gates(metrics, gates)
        for finding in findings:
            print(finding, file=sys.stderr)
        if findings:
            return 1
        print(f"all {len(gates.gates)} quality gates in {args.gates} pass")
        return 0

    return run_command(step)


if __name__ == "__main__":
    raise SystemExit(main())
