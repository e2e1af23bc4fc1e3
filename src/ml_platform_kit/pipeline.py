"""The model pipeline's guard rails, called by a project's own train, evaluate and scoring code.

The checks are the platform's (their IDs, owners and pages come from the registry); what
they judge is the team's and is passed in: how a model file is loaded and what type it must
be, which column is the target, the scoring output's columns and decision threshold.

- ``MOD005`` :func:`load_model_file`: a trained model is there and is one this pipeline wrote;
- ``MOD006``/``MOD007`` :func:`require_both_classes`: a binary target holds both 0 and 1 in
  the training part (a model needs both) and in the holdout (ROC AUC needs both);
- ``DEP006`` :func:`write_scoring_output`: a scoring output is written, read back and
  validated before it replaces the previous one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal, TypeVar

import pandas as pd

from .atomic import atomic_path
from .contract import relative
from .finding import PipelineError
from .project import Project

Model = TypeVar("Model")


def load_model_file(
    project: Project,
    path: Path | str,
    *,
    load: Callable[[Path], object],
    kind: type[Model],
    train_command: str,
) -> Model:
    """``load(path)``, which must give a ``kind``; else a MOD005 finding that says what to run.

    Model files are often pickles (joblib): ``load`` runs code from the file, so pass only
    paths of models the project trained itself.
    """
    path = Path(path)

    def refused(problem: str) -> PipelineError:
        return PipelineError(project.finding("MOD005", relative(project, path), problem))

    if not path.is_file():
        raise refused(f"no trained model here; run `{train_command}` first")
    try:
        loaded = load(path)
    except Exception as error:  # a truncated or foreign file fails in many ways
        raise refused(f"cannot be loaded as a model ({error})") from None
    if not isinstance(loaded, kind):
        raise refused(f"holds a {type(loaded).__name__}, not a {kind.__name__}")
    return loaded


def require_both_classes(
    project: Project,
    labels: pd.Series[int],
    *,
    part: Literal["training", "holdout"],
    where: Path | str,
) -> None:
    """The binary target ``labels`` (named after its column) holds both 0 and 1; else MOD006
    for the ``training`` part, MOD007 for the ``holdout``. ``where`` names the data file."""
    classes = sorted(pd.unique(labels).tolist())
    if classes == [0, 1]:
        return
    if part == "training":
        code = "MOD006"
        problem = (
            f"{labels.name!r} in the training part has only {classes}; a model needs both 0 and 1"
        )
    else:
        code = "MOD007"
        problem = (
            f"the {len(labels)} holdout rows are not a mix of {labels.name} 0 and 1;"
            " evaluation needs both (use more data)"
        )
    raise PipelineError(project.finding(code, relative(project, where), problem))


def scoring_output_problems(
    written: pd.DataFrame, ids: pd.Series[str], *, columns: tuple[str, str, str], threshold: float
) -> list[str]:
    """What is wrong with a scoring output read back from disk (empty: nothing).

    ``columns`` are the identifier (``ids.name``), the probability and the 0/1 decision: one
    row per input id, in order, probabilities in [0, 1], decisions 1 exactly at or above
    ``threshold``.
    """
    if list(written.columns) != list(columns):
        return [f"columns {list(written.columns)}, expected {list(columns)}"]
    id_column, probability_column, decision_column = columns
    problems = []
    if written[id_column].astype(str).tolist() != ids.astype(str).tolist():
        problems.append(f"{len(written)} rows do not match the {len(ids)} input rows")
    probability = pd.to_numeric(written[probability_column], errors="coerce")
    bad = probability.isna() | ~probability.between(0.0, 1.0)
    if bad.any():
        line = int(bad.to_numpy().nonzero()[0][0]) + 2  # the header is line 1
        problems.append(f"{probability_column} is not a number in [0, 1] on line {line}")
    decided = pd.to_numeric(written[decision_column], errors="coerce")
    expected = (probability >= threshold).astype("int64")
    if not decided.isin([0, 1]).all() or not (decided[~bad] == expected[~bad]).all():
        problems.append(
            f"{decision_column} must be 1 exactly when {probability_column} >= {threshold}"
        )
    return problems


def write_scoring_output(
    project: Project,
    scores: pd.DataFrame,
    path: Path | str,
    ids: pd.Series[str],
    *,
    columns: tuple[str, str, str],
    threshold: float,
) -> None:
    """Write ``scores`` as CSV, read it back and validate it (DEP006, see
    :func:`scoring_output_problems`); only a valid file replaces ``path``, so a failed run
    leaves the previous output (or none) behind."""
    with atomic_path(path) as temporary:
        scores.to_csv(temporary, index=False, lineterminator="\n")
        written = pd.read_csv(temporary, dtype={columns[0]: str})
        problems = scoring_output_problems(written, ids, columns=columns, threshold=threshold)
        if problems:
            finding = project.finding("DEP006", relative(project, path), "; ".join(problems))
            raise PipelineError(finding)
