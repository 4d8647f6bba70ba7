"""One run per run directory: a second refuses and names the first; a lock left by a dead
process is taken over."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import time
from pathlib import Path

import pytest

from pipeline.lock import LOCK_NAME, RunLockedError, run_lock
from tests.helpers import run_fleece, write_manifest


def hold(run_dir: Path, pid: int) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    holder = {"host": socket.gethostname(), "pid": pid, "started": time.time(),
              "command": "fleece corpus --manifest other.yaml"}  # fmt: skip
    (run_dir / LOCK_NAME).write_text(json.dumps(holder))


@pytest.fixture
def other_process():
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


def test_the_lock_is_held_for_the_run_and_released(tmp_path: Path) -> None:
    with run_lock(str(tmp_path)):
        holder = json.loads((tmp_path / LOCK_NAME).read_text())
        assert holder["host"] == socket.gethostname() and holder["pid"] > 0
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_second_run_refuses_naming_the_first(tmp_path: Path, other_process) -> None:
    hold(tmp_path, other_process.pid)
    with pytest.raises(RunLockedError, match=rf"in use by pid {other_process.pid} on "):
        with run_lock(str(tmp_path)):
            pass
    assert (tmp_path / LOCK_NAME).exists()  # still the other run's


def test_a_dead_process_lock_is_taken_over(
    tmp_path: Path, other_process, caplog: pytest.LogCaptureFixture
) -> None:
    hold(tmp_path, other_process.pid)
    other_process.kill()
    other_process.wait()
    with caplog.at_level(logging.WARNING, logger="fleece"), run_lock(str(tmp_path)):
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] != other_process.pid
    assert "taking over a stale lock" in caplog.text


def test_fleece_corpus_refuses_before_writing_anything(tmp_path: Path, other_process) -> None:
    run_dir = tmp_path / "run"
    hold(run_dir, other_process.pid)
    manifest = write_manifest(tmp_path / "m.yaml", {"run_dir": str(run_dir),
                                                    "sample": {"enabled": True}})  # fmt: skip
    result = run_fleece("corpus", "--manifest", str(manifest), expect_ok=False)
    assert result.exit_code == 1 and f"pid {other_process.pid}" in result.output
    assert "fleece corpus --manifest other.yaml" in result.output
    assert [p.name for p in run_dir.iterdir()] == [LOCK_NAME]
