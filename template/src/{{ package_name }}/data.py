"""Load the customer table as the data contract describes it, and split off the holdout.

``contracts/customers.odcs.yaml`` (owned by data engineering) says which columns exist, their
types and the rules their values meet. Loading never guesses: the platform kit reads the file
as text and checks it against the contract with pandera before anything uses it, so training
refuses bad data. A violation raises a ``PipelineError`` whose ``DC`` findings name the
dataset, column, rule, offending values with their lines, the owning team and the docs page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from ml_platform_kit.conformance import load_table
from ml_platform_kit.contract import DataContract, load_contract

from . import paths

ID_COLUMN: Final = "customer_id"
TARGET_COLUMN: Final = "churned"

# A customer is in the holdout when a hash of their identifier falls below this fraction, so
# the split never depends on row order and a customer stays on the same side as data grows.
HOLDOUT_FRACTION: Final = 0.25
_HOLDOUT_BUCKETS: Final = 100


def load_customers(
    path: Path | str = paths.SAMPLE_DATA,
    *,
    required: Sequence[str] | None = None,
    delivery: bool = True,
    contract: DataContract | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Load a customer CSV checked against the data contract, typed as it says.

    ``required`` names the columns a step needs (default: every column of the contract);
    other columns stay text. A ``delivery`` is a whole extract of the table, so the table's
    rules (row count, freshness on ``as_of``, the day the data is used: by default today, or
    the day a frozen extract that the contract declares was taken) apply too; rows to score
    are not a delivery.
    """
    contract = contract or load_contract(paths.CONTRACT)
    return load_table(path, contract, columns=required, delivery=delivery, as_of=as_of)


def holdout_mask(ids: pd.Series[str], fraction: float = HOLDOUT_FRACTION) -> npt.NDArray[np.bool_]:
    """True for the customers whose identifier hashes into the evaluation holdout."""
    cutoff = math.floor(fraction * _HOLDOUT_BUCKETS)
    buckets = [
        int(hashlib.sha256(str(customer).encode()).hexdigest()[:8], 16) % _HOLDOUT_BUCKETS
        for customer in ids
    ]
    return np.asarray(buckets, dtype=np.int64) < cutoff


def split_holdout(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split into (training, holdout) by customer; the same data always splits the same way."""
    in_holdout = holdout_mask(frame[ID_COLUMN])
    return frame.loc[~in_holdout], frame.loc[in_holdout]
