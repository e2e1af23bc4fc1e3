"""Save, load and apply the trained pipeline (``models/model.joblib``).

A joblib file is a pickle: loading one runs code from it. Load only models this project
trained; never a file from an untrusted source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import joblib
import numpy as np
import numpy.typing as npt
import pandas as pd
from ml_platform_kit.atomic import atomic_path
from ml_platform_kit.pipeline import load_model_file
from sklearn.pipeline import Pipeline

from . import paths
from .features import feature_frame

# Customers scored at or above this probability are predicted to churn.
DECISION_THRESHOLD: Final = 0.5


def save_model(pipeline: Pipeline, path: Path | str = paths.MODEL) -> None:
    """Write the fitted pipeline atomically: a failed save keeps the previous model."""
    with atomic_path(path) as temporary:
        joblib.dump(pipeline, temporary)


def load_model(path: Path | str = paths.MODEL) -> Pipeline:
    """Load a pipeline saved by :func:`save_model` (``MOD005`` if it is missing or not one)."""
    train = f"python -m {__package__}.train"
    return load_model_file(
        paths.PROJECT, path, load=joblib.load, kind=Pipeline, train_command=train
    )


def churn_probability(pipeline: Pipeline, frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    """The probability of churn for each row of ``frame``."""
    probabilities = pipeline.predict_proba(feature_frame(frame))
    return np.asarray(probabilities[:, 1], dtype=np.float64)
