"""A stage killed mid-run leaves no output folder (only a hidden in-progress one, cleared by
its next run), the stages after it refuse to read it, and the rerun is byte-identical to an
uninterrupted build: the first seven stages of the table. The stage table is split in two modules so that
the kills run on two test workers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.harness import SUCCESS
from tests.faults.conftest import fleece, kill_when, sample_manifest
from tests.faults.stage_runs import STAGE_NAMES, dependents, run_digest


@pytest.mark.slow
@pytest.mark.parametrize("name", STAGE_NAMES[:7])
def test_a_stage_killed_mid_run_is_never_read_and_the_rerun_is_identical(
    tmp_path: Path, reference: dict[str, str], name: str
) -> None:
    run_dir = tmp_path / "run"
    manifest = sample_manifest(tmp_path / "m.yaml", run_dir)
    in_progress = run_dir / f".{name}.inprogress"

    # The tokenizer and the reference classifier train on the sample in a few tens of
    # milliseconds: killed on sight.
    delay = 0.0 if name in ("tokenizer", "refclf") else 0.3
    kill_when(["corpus", "--manifest", str(manifest)], in_progress.exists, delay)
    assert not (run_dir / name / SUCCESS).exists(), f"{name} finished before it was killed"
    assert not (run_dir / name).exists(), "a killed stage must leave no output folder"
    assert in_progress.exists()

    incomplete = STAGE_NAMES[STAGE_NAMES.index(name) :]
    for later in dependents(name):  # e.g. encode killed, then `fleece mix`
        refused = fleece(later, "--manifest", str(manifest))
        assert refused.returncode == 1, refused.stdout
        named = re.search(r"needs (\w+), which is not complete", refused.stderr)
        assert named and named.group(1) in incomplete, refused.stderr
        assert not (run_dir / later).exists()

    rerun = fleece("corpus", "--manifest", str(manifest))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"{name}: running" in rerun.stdout
    assert not in_progress.exists(), "the rerun clears what the killed run left"
    assert not list(run_dir.glob(".*.inprogress"))
    assert run_digest(run_dir) == reference
