"""Atomic writes: a reader sees the old file or the new one, never a half-written one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ml_platform_kit.atomic import atomic_path, atomic_write_bytes, atomic_write_text


class WriterCrashed(RuntimeError):
    pass


def write_then_crash(target: Path, text: str) -> None:
    """A writer that fails halfway, like a full disk or a bug in a serialiser."""
    with atomic_path(target) as temporary:
        temporary.write_text(text, encoding="utf-8")
        raise WriterCrashed


def test_write_creates_parent_directories_and_the_file(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "nested" / "metrics.json"
    atomic_write_text(target, '{"roc_auc": 0.8}\n')
    assert target.read_text(encoding="utf-8") == '{"roc_auc": 0.8}\n'
    assert sorted(p.name for p in target.parent.iterdir()) == ["metrics.json"]


def test_write_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "model.joblib"
    target.write_bytes(b"old model")
    atomic_write_bytes(target, b"new model")
    assert target.read_bytes() == b"new model"


def test_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "predictions.csv"
    target.write_text("customer_id,churn_probability\nC000001,0.5\n", encoding="utf-8")
    with pytest.raises(WriterCrashed):
        write_then_crash(target, "customer_id,churn_prob")
    assert target.read_text(encoding="utf-8") == "customer_id,churn_probability\nC000001,0.5\n"
    assert [p.name for p in tmp_path.iterdir()] == ["predictions.csv"]


def test_failed_first_write_leaves_no_file_at_all(tmp_path: Path) -> None:
    target = tmp_path / "out" / "predictions.csv"
    with pytest.raises(WriterCrashed):
        write_then_crash(target, "half")
    assert list(target.parent.iterdir()) == []


def test_temporary_file_is_hidden_next_to_the_target(tmp_path: Path) -> None:
    target = tmp_path / "metrics.json"
    with atomic_path(target) as temporary:
        assert temporary.parent == tmp_path
        assert temporary.name.startswith(".metrics.json.")
        temporary.write_text("{}", encoding="utf-8")


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_written_file_gets_the_usual_permissions_not_private_temp_ones(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        target = tmp_path / "model.joblib"
        atomic_write_bytes(target, b"model")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
