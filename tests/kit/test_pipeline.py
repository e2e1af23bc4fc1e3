"""The pipeline's guard rails a project's code calls: MOD005 (a trained model that loads),
MOD006/MOD007 (a binary target with both classes), DEP006 (a validated scoring output)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from ml_platform_kit.finding import PipelineError
from ml_platform_kit.pipeline import (
    load_model_file,
    require_both_classes,
    scoring_output_problems,
    write_scoring_output,
)
from ml_platform_kit.project import Project

MODEL = "models/model.json"
DATA = "data/sample/customers.csv"
OUTPUT = "reports/predictions.csv"
COLUMNS = ("customer_id", "churn_probability", "churn_predicted")


def load_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def load(project: Project, relpath: str = MODEL) -> dict[str, float]:
    return load_model_file(
        project, project.root / relpath, load=load_json, kind=dict, train_command="make train"
    )


def refusal(call: Callable[[], object]) -> PipelineError:
    with pytest.raises(PipelineError) as raised:
        call()
    return raised.value


# --- MOD005 -----------------------------------------------------------------------------------


@pytest.mark.check("MOD005", "fails")
@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(None, "no trained model here; run `make train` first", id="missing"),
        pytest.param("{trunc", "cannot be loaded as a model (Expecting", id="unreadable"),
        pytest.param("[1, 2]", "holds a list, not a dict", id="foreign"),
    ],
)
def test_a_missing_or_foreign_model_is_mod005_saying_what_to_run(
    project: Project, content: str | None, problem: str
) -> None:
    if content is not None:
        (project.root / "models").mkdir()
        (project.root / MODEL).write_text(content, encoding="utf-8")
    error = refusal(lambda: load(project))
    assert (error.code, error.finding.where) == ("MOD005", MODEL)
    assert error.finding.owner == "@acme/data-science"  # no CODEOWNERS rule: the role's team
    assert error.finding.problem.startswith(problem), error.finding.problem


@pytest.mark.check("MOD005", "passes")
def test_a_model_the_pipeline_wrote_loads(project: Project) -> None:
    (project.root / "models").mkdir()
    (project.root / MODEL).write_text('{"weight": 0.5}', encoding="utf-8")
    assert load(project) == {"weight": 0.5}


# --- MOD006, MOD007 ---------------------------------------------------------------------------


def labels(*values: int) -> pd.Series[int]:
    return pd.Series(values, name="churned", dtype="int64")


@pytest.mark.check("MOD006", "fails")
def test_training_data_with_one_class_is_mod006(project: Project) -> None:
    with pytest.raises(PipelineError) as raised:
        require_both_classes(project, labels(1, 1, 1), part="training", where=project.root / DATA)
    error = raised.value
    assert (error.code, error.finding.where) == ("MOD006", DATA)
    assert error.finding.owner == "@acme/data-engineering"  # CODEOWNERS gives /data/ to them
    assert error.finding.problem == (
        "'churned' in the training part has only [1]; a model needs both 0 and 1"
    )


@pytest.mark.check("MOD007", "fails")
def test_a_holdout_with_one_class_is_mod007(project: Project, tmp_path: Path) -> None:
    outside = tmp_path.parent / "holdout.csv"  # not in the project: named as given
    with pytest.raises(PipelineError) as raised:
        require_both_classes(project, labels(0, 0), part="holdout", where=outside)
    error = raised.value
    assert (error.code, error.finding.where) == ("MOD007", str(outside))
    assert error.finding.owner == "@acme/data-science"
    assert "the 2 holdout rows are not a mix of churned 0 and 1" in error.finding.problem


@pytest.mark.check("MOD006", "passes")
@pytest.mark.check("MOD007", "passes")
def test_a_target_with_both_classes_passes(project: Project) -> None:
    require_both_classes(project, labels(0, 1, 0), part="training", where=DATA)
    require_both_classes(project, labels(1, 0), part="holdout", where=DATA)


# --- DEP006 -----------------------------------------------------------------------------------

IDS = pd.Series(["C000001", "C000002", "C000003"], name="customer_id")


def scores(**changes: list[object]) -> pd.DataFrame:
    good = {"customer_id": list(IDS), "churn_probability": [0.1, 0.6, 0.9]}
    frame = pd.DataFrame({**good, "churn_predicted": [0, 1, 1]} | changes)
    return frame


def write(project: Project, frame: pd.DataFrame) -> None:
    write_scoring_output(project, frame, project.root / OUTPUT, IDS, columns=COLUMNS, threshold=0.5)


@pytest.mark.check("DEP006", "fails")
def test_an_invalid_scoring_output_is_dep006_and_keeps_the_previous_output(
    project: Project,
) -> None:
    (project.root / "reports").mkdir()
    (project.root / OUTPUT).write_text("previous run\n", encoding="utf-8")
    error = refusal(lambda: write(project, scores(churn_probability=[0.1, 1.6, 0.9])))
    assert (error.code, error.finding.where) == ("DEP006", OUTPUT)
    assert error.finding.owner == "@acme/mlops"  # the role's team: no rule claims reports/
    assert "churn_probability is not a number in [0, 1] on line 3" in error.finding.problem
    assert (project.root / OUTPUT).read_text(encoding="utf-8") == "previous run\n"
    assert [p.name for p in (project.root / "reports").iterdir()] == ["predictions.csv"]


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        (scores(churn_predicted=[1, 1, 1]), "churn_predicted must be 1 exactly when"),
        (scores().head(2), "2 rows do not match the 3 input rows"),
        (scores().iloc[::-1], "3 rows do not match the 3 input rows"),
        (scores().drop(columns=["churn_predicted"]), "columns ['customer_id', 'churn_prob"),
    ],
    ids=["decision", "missing-row", "order", "columns"],
)
def test_output_validation_names_what_is_wrong(written: pd.DataFrame, problem: str) -> None:
    problems = scoring_output_problems(written, IDS, columns=COLUMNS, threshold=0.5)
    assert problems[0].startswith(problem), problems


@pytest.mark.check("DEP006", "passes")
def test_a_valid_scoring_output_replaces_the_previous_one(project: Project) -> None:
    write(project, scores())
    written = pd.read_csv(project.root / OUTPUT, dtype={"customer_id": str})
    assert written["customer_id"].tolist() == list(IDS)
    assert scoring_output_problems(written, IDS, columns=COLUMNS, threshold=0.5) == []
