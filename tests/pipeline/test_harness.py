"""The harness's rules: a stage reaches upstream outputs only by name and only for stages it
requires, and a stage's code version is part of what makes its output complete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import RunConfig
from pipeline.harness.completion import completion, fingerprint
from pipeline.harness.running import run_stage
from pipeline.harness.stage import Stage, StageContext, StageError


class Reader(Stage):
    name = "reader"
    requires = ("tokenizer",)
    outputs = {"summary": "summary.txt"}

    def run(self, ctx: StageContext) -> dict[str, int]:
        (Path(ctx.output("summary"))).write_text("done")
        return {"read": 1}


def context(tmp_path: Path, stage: Stage) -> StageContext:
    run = RunConfig(run_dir=str(tmp_path))
    return StageContext(run=run, stage=stage, out_dir=str(tmp_path / stage.name))


def test_upstream_outputs_by_name(tmp_path: Path) -> None:
    ctx = context(tmp_path, Reader())
    assert ctx.input("tokenizer", "model") == str(tmp_path / "tokenizer" / "tokenizer.model")
    assert not ctx.finished("tokenizer") and ctx.counters("tokenizer") == {}
    with pytest.raises(StageError, match="tokenizer has no output 'vocab'"):
        ctx.input("tokenizer", "vocab")


def test_reading_a_stage_not_required_is_an_error(tmp_path: Path) -> None:
    ctx = context(tmp_path, Reader())
    with pytest.raises(StageError, match="reader reads from wikipedia but does not list it"):
        ctx.input("wikipedia", "documents")
    with pytest.raises(StageError):
        ctx.finished("encode")


def test_a_new_code_version_makes_the_output_stale(tmp_path: Path) -> None:
    run = RunConfig(run_dir=str(tmp_path))
    stage = Reader()
    run_stage(stage, run)
    assert (tmp_path / "reader" / "summary.txt").read_text() == "done"
    assert completion(stage, run, None)[0]

    class Fixed(Reader):
        version = 2

    complete, why, _ = completion(Fixed(), run, None)
    assert not complete and why == "the stage's code changed since the last run (version 1 -> 2)"


def test_a_changed_or_missing_output_file_makes_the_stage_incomplete(tmp_path: Path) -> None:
    run = RunConfig(run_dir=str(tmp_path))
    run_stage(Reader(), run)
    summary = tmp_path / "reader" / "summary.txt"
    summary.write_text("changed by hand")
    assert completion(Reader(), run, None)[1] == "output file summary.txt changed after the stage finished"  # fmt: skip
    summary.unlink()
    assert completion(Reader(), run, None)[1] == "output file summary.txt is missing"


def test_dependents_see_what_upstream_wrote_not_when(tmp_path: Path) -> None:
    """A rebuilt upstream with the same files (sizes) leaves its dependents complete; other
    files make them stale."""
    run = RunConfig(run_dir=str(tmp_path))
    marker = tmp_path / "tokenizer" / "_SUCCESS"
    marker.parent.mkdir()

    def upstream(size: int, mtime: int) -> str:
        marker.write_text(json.dumps({"fingerprint": "f", "outputs": [["tokenizer.model", size, mtime]]}))  # fmt: skip
        return fingerprint(Reader(), run, None)

    first = upstream(100, 1)
    assert upstream(100, 2) == first
    assert upstream(101, 2) != first
