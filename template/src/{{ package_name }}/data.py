"""Load the customer table as the data contract describes it, and split off the holdout.

``contracts/customers.odcs.yaml`` (owned by data engineering) says which columns exist, their
types and the rules their values meet. Loading never guesses: the file is read as text and
checked against the contract with pandera before anything uses it, so training refuses bad
data. A violation raises a :class:`~.contract.ContractError` whose ``DC`` findings name the
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

from . import paths
from .conformance import validate_frame
from .contract import DataContract, load_contract

ID_COLUMN: Final = "customer_id"
TARGET_COLUMN: Final = "churned"

# A customer is in the holdout when a hash of their identifier falls below this fraction, so
# the split never depends on row order and a customer stays on the same side as data grows.
HOLDOUT_FRACTION: Final = 0.25
_HOLDOUT_BUCKETS: Final = 100


def _read_raw(path: Path, contract: DataContract) -> pd.DataFrame:
    """Every cell as text, blank cells as missing; an unreadable file is a DC001 finding."""
    unreadable = contract.agreement("DC001")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except FileNotFoundError:
        raise unreadable.error("DC001", path, "file not found") from None
    except pd.errors.EmptyDataError:
        raise unreadable.error("DC001", path, "file is empty (no header row)") from None
    except pd.errors.ParserError as error:
        detail = str(error).strip().splitlines()[0]
        raise unreadable.error("DC001", path, f"not a valid CSV file ({detail})") from None
    except UnicodeDecodeError:
        raise unreadable.error("DC001", path, "not UTF-8 text") from None
    except OSError as error:
        raise unreadable.error("DC001", path, f"cannot be read ({error.strerror})") from None
    text: pd.DataFrame = raw.apply(lambda column: column.str.strip())
    return text.mask(text == "")


def load_customers(
    path: Path | str = paths.SAMPLE_DATA,
    *,
    required: Sequence[str] | None = None,
    delivery: bool = True,
    contract: DataContract | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Load a customer CSV and check it against the data contract.

    ``required`` names the columns a step needs (default: every column of the contract); they
    are checked and converted to the contract's types, other columns are kept as text. A
    ``delivery`` is a whole extract of the table, so the table-level rules (row count,
    freshness on ``as_of``, the day the data is used: by default today, or the day a frozen
    extract that the contract declares was taken) apply too; rows to score are not a
    delivery. Raises
    :class:`~.contract.ContractError` (``DC001`` unreadable file, ``DC002``-``DC010``
    rules of the contract).
    """
    path = Path(path)
    contract = contract or load_contract()
    columns = list(required) if required is not None else [c.name for c in contract.columns]
    frame = validate_frame(
        _read_raw(path, contract),
        contract,
        source=path,
        columns=columns,
        delivery=delivery,
        as_of=as_of,
    )
    for name in columns:
        column = contract.column(name)
        if column.logical_type == "integer" and column.required:
            frame[name] = frame[name].astype("int64")
    return frame


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
