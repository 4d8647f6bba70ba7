"""A kill while old checkpoints are pruned never leaves a checkpoint that looks complete
with its data gone: the marker is removed first, and resuming skips what has none."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.checkpoint import (
    COMPLETE,
    checkpoint_path,
    complete_checkpoints,
    latest_checkpoint,
    prune_checkpoints,
)


def fake_checkpoint(run_dir: Path, step: int) -> Path:
    path = Path(checkpoint_path(str(run_dir), step))
    (path / "state").mkdir(parents=True)
    (path / "state" / "__0_0.distcp").write_bytes(b"weights")
    (path / "trainer.json").write_text("{}")
    (path / COMPLETE).write_text("ok\n")
    return path


def test_pruning_keeps_the_newest(tmp_path: Path) -> None:
    paths = [fake_checkpoint(tmp_path, step) for step in (10, 20, 30)]
    prune_checkpoints(str(tmp_path), keep=2)
    assert complete_checkpoints(str(tmp_path)) == [str(p) for p in paths[1:]]
    assert not paths[0].exists()


def test_a_kill_mid_prune_leaves_nothing_that_looks_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    paths = [fake_checkpoint(tmp_path, step) for step in (10, 20, 30)]

    def killed(path: str, *args: object, **kwargs: object) -> None:
        (Path(path) / "state" / "__0_0.distcp").unlink()  # part of the data is gone
        raise KeyboardInterrupt

    monkeypatch.setattr(shutil, "rmtree", killed)
    with pytest.raises(KeyboardInterrupt):
        prune_checkpoints(str(tmp_path), keep=1)
    monkeypatch.undo()
    with caplog.at_level(logging.WARNING, logger="fleece.trainer"):
        found = complete_checkpoints(str(tmp_path))
    assert found == [str(paths[1]), str(paths[2])]  # step 10 lost its marker before its data
    assert f"{paths[0]}: skipped, no COMPLETE marker" in caplog.text
    assert latest_checkpoint(str(tmp_path)) == str(paths[2])


def test_a_process_killed_mid_prune_leaves_nothing_that_looks_complete(tmp_path: Path) -> None:
    paths = [fake_checkpoint(tmp_path, step) for step in (10, 20, 30)]
    # The child deletes part of the oldest checkpoint's data, then SIGKILLs itself: a real
    # kill in the middle of pruning, no Python cleanup.
    child = f"""
import os, shutil, signal
from pathlib import Path
from trainer.checkpoint import prune_checkpoints
def killed(path, *args, **kwargs):
    (Path(path) / "state" / "__0_0.distcp").unlink()
    os.kill(os.getpid(), signal.SIGKILL)
shutil.rmtree = killed
prune_checkpoints({str(tmp_path)!r}, keep=1)
"""
    result = subprocess.run([sys.executable, "-c", child], cwd=Path(__file__).parents[2])
    assert result.returncode == -9
    assert complete_checkpoints(str(tmp_path)) == [str(paths[1]), str(paths[2])]
    assert latest_checkpoint(str(tmp_path)) == str(paths[2])
