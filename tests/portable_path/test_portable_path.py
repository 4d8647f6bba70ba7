"""Every stage on Beam's portable path (the one Flink, Spark and Dataflow use for Python):
the sample corpus built by the external worker pool, each fused stage serialised to the
portable proto and run in the pool's worker process, and compared stage by stage with the
session's DirectRunner build (`make corpus`). The same on an S3 API server, with the pool
as another user importing the wheel, is `make corpus-portable`; one stage of it is
tests/pipeline/sources/wikipedia/test_wikipedia_runners.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.stages import stage_names
from portable.pool import portable_flags
from tests.faults.conftest import fleece, sample_manifest
from tests.faults.stage_runs import run_digest

pytestmark = pytest.mark.slow

RAN_NO_PIPELINE = ("sample", "lm", "refclf", "tokenizer")  # their work is the launcher's


@pytest.fixture(scope="module")
def portable_run(tmp_path_factory: pytest.TempPathFactory, local_pool: str) -> Path:
    work = tmp_path_factory.mktemp("portable")
    manifest = sample_manifest(work / "sample.yaml", work / "run")
    built = fleece("corpus", "--manifest", str(manifest), *portable_flags(local_pool))
    assert built.returncode == 0, built.stdout + built.stderr
    return work / "run"


def stage_files(digest: dict[str, str], folder: str) -> dict[str, str]:
    return {path: value for path, value in digest.items() if path.startswith(f"{folder}/")}


@pytest.mark.parametrize("stage", stage_names())
def test_stage_on_portable_path_matches_direct_runner(
    portable_run: Path, sample_run: Path, stage: str
):
    assert (portable_run / stage / "_SUCCESS").exists()
    folder = "inputs" if stage == "sample" else stage  # the sample writes the inputs
    expected = stage_files(run_digest(sample_run), folder)
    assert expected
    assert stage_files(run_digest(portable_run), folder) == expected
    stats = json.loads((portable_run / stage / "_stats.json").read_text())
    if stage not in RAN_NO_PIPELINE:
        assert stats["counter_values"] == "committed"
