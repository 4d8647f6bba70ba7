"""A two-process `fleece train` (torchrun, gloo on CPU) ends its process groups' threads
before the interpreter exits, after a run that saved its checkpoint and after one that
failed mid-run.

Why it matters: a gloo worker thread that frees a finished collective's tensors takes the
GIL; if the interpreter is finalizing by then, Python ends the thread inside a C++
destructor and the process aborts ("terminate called without an active exception", exit
-6) after a good run: 2 of 70 resumed FSDP runs on busy cores (trainer/parallel.py,
close_topology). The abort itself is a race; the threads that make it possible are
deterministic, so this test asserts that none of them is alive at exit.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from test_trainer_distributed import REPO, as_yaml
from trainer_configs import nano_overrides

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exit_worker.py")
# pyarrow's jemalloc keeps a background purging thread: plain C that never calls into Python
# or runs a C++ destructor, so it cannot abort the exit.
HARMLESS_AT_EXIT = {"jemalloc_bg_thd"}


def threads_at_exit(tmp_path, **extra: object) -> tuple[subprocess.CompletedProcess, dict]:
    """Run `fleece train` on 2 processes through exit_worker.py; the process and, per
    rank, the names of the threads other than the main one alive at its exit."""
    config = tmp_path / "train.yaml"
    run_dir = str(tmp_path / "run")
    overrides = nano_overrides(extra.pop("shards"), run_dir, **extra)
    config.write_text(yaml.safe_dump(as_yaml(overrides)))
    records = tmp_path / "threads"
    records.mkdir()
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS="1")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    command += [WORKER, str(records), "train", "--config", str(config)]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    alive = {
        name: set(path.read_text().split()) - HARMLESS_AT_EXIT
        for name, path in ((p.stem, p) for p in sorted(records.iterdir()))
    }
    return done, alive


@pytest.mark.slow
def test_a_finished_run_ends_gloo_threads_before_exit(markov_shards: str, tmp_path) -> None:
    """FSDP, a collective every step (samples gathered), validation and a checkpoint saved
    by the last step: the sequence of the run that aborted."""
    done, alive = threads_at_exit(
        tmp_path,
        shards=markov_shards,
        steps=2,
        **{"parallel.data_parallel": "fsdp", "eval.every": 2, "checkpoint.every": 2},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "terminate called" not in done.stderr
    assert "saved checkpoint" in done.stdout
    assert alive == {"rank-0": set(), "rank-1": set()}


@pytest.mark.slow
def test_a_failed_run_ends_gloo_threads_before_exit(markov_shards: str, tmp_path) -> None:
    """An error raised inside the run, while its traceback still holds the model (and the
    process groups the model's FSDP state refers to): one line, exit 1, no thread left."""
    done, alive = threads_at_exit(
        tmp_path,
        shards=markov_shards,
        steps=2,
        **{"parallel.data_parallel": "fsdp", "eval.every": 2, "eval.samples": 1},
    )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "too few validation windows for 2 ranks" in done.stderr
    assert "terminate called" not in done.stderr
    assert alive == {"rank-0": set(), "rank-1": set()}
