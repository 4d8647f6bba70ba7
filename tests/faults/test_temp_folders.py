"""Temporary folders live in the running stage's in-progress folder and go with it: a run
leaves nothing in the system temp folder (Beam's `beam-temp*`, the stages' `fleece-*`, the
workers' `tmp*` included), and no `_tmp` in any stage's output."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from pipeline.harness.scratch import TMP, stage_temp_dir
from tests.faults.stage_runs import SYSTEM_TEMP


def test_a_stage_and_the_processes_it_starts_make_their_temp_folders_in_its_work_dir(
    tmp_path: Path,
) -> None:
    work_dir = tmp_path / ".stage.inprogress"
    work_dir.mkdir()
    before = tempfile.gettempdir()
    with stage_temp_dir(str(work_dir), "stage") as folder:
        assert folder == str(work_dir / TMP)
        made = tempfile.mkdtemp(prefix="beam-temp")
        assert Path(made).parent == work_dir / TMP
        child = subprocess.run(
            [sys.executable, "-c", "import tempfile; print(tempfile.gettempdir())"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert child.stdout.strip() == folder
    assert not (work_dir / TMP).exists()
    assert tempfile.gettempdir() == before


def test_on_an_object_store_the_temp_folder_is_a_fresh_local_one_removed_after(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with stage_temp_dir("s3://bucket/run/encode", "encode") as folder:
        assert Path(folder).parent == tmp_path and Path(folder).name.startswith("fleece-encode-")
        assert os.environ["TMPDIR"] == folder
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_corpus_run_leaves_nothing_in_the_system_temp_folder(sample_run: Path) -> None:
    """The worker's sample build ran with a system temp folder of its own (stage_runs.build)."""
    system_temp = sample_run.parent / SYSTEM_TEMP
    assert system_temp.is_dir()
    assert sorted(p.name for p in system_temp.iterdir()) == []
    assert not list(sample_run.rglob(TMP)), "a stage's temp folder outlived it"
