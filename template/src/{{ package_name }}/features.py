"""The model's inputs and the scikit-learn pipeline that turns them into a churn probability.

Numbers are standardised, categories one-hot encoded (a category never seen in training is
encoded as all zeros rather than failing), and a class-balanced logistic regression scores
the result: churners are the minority, and missing one costs more than a wasted offer.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC_FEATURES: Final = (
    "tenure_months",
    "monthly_charges",
    "total_charges",
    "support_tickets_90d",
)
CATEGORICAL_FEATURES: Final = ("contract_type", "payment_method", "region")
FEATURE_COLUMNS: Final = (*NUMERIC_FEATURES, *CATEGORICAL_FEATURES)
RANDOM_STATE: Final = 42


def build_preprocessor() -> ColumnTransformer:
    """Scale the numeric features and one-hot encode the categorical ones; drop the rest."""
    return ColumnTransformer(
        transformers=[
            ("numeric", StandardScaler(), list(NUMERIC_FEATURES)),
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                list(CATEGORICAL_FEATURES),
            ),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    )


def build_pipeline(random_state: int = RANDOM_STATE) -> Pipeline:
    """An unfitted pipeline: preprocessing, then a class-balanced logistic regression."""
    return Pipeline(
        steps=[
            ("features", build_preprocessor()),
            (
                "classifier",
                LogisticRegression(
                    max_iter=1000, class_weight="balanced", random_state=random_state
                ),
            ),
        ]
    )


def feature_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's input columns, in a fixed order."""
    return frame.loc[:, list(FEATURE_COLUMNS)]
