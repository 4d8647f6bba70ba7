"""Every stage killed mid-run, the last seven (tests/faults/stage_runs.py says what is
checked). The stage table is split in two modules so that the kills run on two test workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.stage_runs import STAGE_NAMES, kill_mid_run_then_rerun


@pytest.mark.slow
@pytest.mark.parametrize("name", STAGE_NAMES[7:])
def test_a_stage_killed_mid_run_is_never_read_and_the_rerun_is_identical(
    tmp_path: Path, sample_run: Path, reference: dict[str, str], name: str
) -> None:
    kill_mid_run_then_rerun(tmp_path, sample_run, reference, name)
