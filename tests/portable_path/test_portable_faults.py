"""Faults on the portable path: a DoFn that raises once in a chosen bundle, and a worker
process killed in one (pipeline/fault_switch.py). Neither local runner retries a bundle, so
the stage must fail in one line, within a minute, commit nothing, and build the same files
on the next run."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from portable.pool import portable_flags
from tests.faults.conftest import FLEECE, ROOT
from tests.helpers import tree_digest, write_manifest

pytestmark = pytest.mark.slow


def github_on_pool(manifest: Path, pool: str, fault: str = "") -> tuple[int, str, float]:
    """`fleece github` on the portable path: (exit status, output, seconds)."""
    env = {key: value for key, value in os.environ.items() if key != "FLEECE_FAULT"}
    if fault:
        env["FLEECE_FAULT"] = fault
    started = time.monotonic()
    done = subprocess.run(
        [FLEECE, "github", "--manifest", str(manifest), *portable_flags(pool)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


@pytest.fixture
def github_run(tmp_path: Path, sample_run: Path) -> tuple[Path, Path]:
    """(a manifest of the sample's GitHub inputs into a run directory of the test's own, that
    run directory)."""
    run_dir = tmp_path / "run"
    inputs = str(sample_run / "inputs" / "github" / "*.jsonl.gz")
    manifest = write_manifest(
        tmp_path / "github.yaml",
        {"run_dir": str(run_dir), "sources": {"github": {"inputs": [inputs]}}},
    )
    return manifest, run_dir


@pytest.mark.parametrize(
    ("fault", "line"),
    [
        ("WriteRowsFn:1:raise", "github: FLEECE_FAULT: WriteRowsFn failed in bundle 1 as asked;"),
        ("HashRowsFn:1:kill", "github: a Beam worker process died while running the stage"),
    ],
)
def test_a_fault_fails_the_stage_in_one_line_and_the_rerun_builds_the_same_files(
    github_run: tuple[Path, Path], sample_run: Path, local_pool: str, fault: str, line: str
):
    manifest, run_dir = github_run
    status, output, seconds = github_on_pool(manifest, local_pool, fault)
    assert status == 1, output
    assert seconds < 60
    errors = [text for text in output.splitlines() if text.startswith("Error: ")]
    assert len(errors) == 1 and errors[0].startswith(f"Error: {line}"), output
    assert "Traceback" not in output
    assert not (run_dir / "github").exists()  # nothing committed
    assert (run_dir / f".fault-{fault.replace(':', '-')}").exists()  # it fired, once

    status, output, _ = github_on_pool(manifest, local_pool, fault)  # the marker: no fire
    assert status == 0, output
    assert tree_digest(run_dir / "github") == tree_digest(sample_run / "github")
