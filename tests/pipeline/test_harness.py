"""The harness's rules: a stage reaches upstream outputs only by name and only for stages it
requires, and a stage's code version is part of what makes its output complete."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.config import RunConfig
from pipeline.harness import completion as completion_module
from pipeline.harness.completion import completion, fingerprint
from pipeline.harness.running import run_stage
from pipeline.harness.stage import Stage, StageContext, StageError


class Reader(Stage):
    name = "reader"
    requires = ("tokenizer",)
    outputs = {"summary": "summary.txt"}
    loaded_whole = ("summary",)

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


def flip_a_byte_keeping_size_and_time(path: Path) -> None:
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[0] ^= 0x01
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_success_records_each_files_checksum(tmp_path: Path) -> None:
    run_stage(Reader(), RunConfig(run_dir=str(tmp_path)))
    success = json.loads((tmp_path / "reader" / "_SUCCESS").read_text())
    listed = {path: checksum for path, _, _, checksum in success["outputs"]}
    assert listed["summary.txt"] == "sha256:" + hashlib.sha256(b"done").hexdigest()


def test_bit_rot_that_keeps_size_and_time_makes_a_small_output_stale(tmp_path: Path) -> None:
    run = RunConfig(run_dir=str(tmp_path))
    run_stage(Reader(), run)
    flip_a_byte_keeping_size_and_time(tmp_path / "reader" / "summary.txt")
    complete, why, _ = completion(Reader(), run, None)
    assert not complete
    assert why.startswith("output file summary.txt changed after the stage finished (checksum ")


def test_a_large_output_is_re_hashed_only_when_verifying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = RunConfig(run_dir=str(tmp_path))
    run_stage(Reader(), run)
    flip_a_byte_keeping_size_and_time(tmp_path / "reader" / "summary.txt")
    monkeypatch.setattr(completion_module, "SMALL_OUTPUT_BYTES", 4)  # "done" is 4 bytes
    assert completion(Reader(), run, None)[0]
    assert not completion(Reader(), run, None, verify=True)[0]


def test_a_success_without_checksums_from_older_code_is_not_complete(tmp_path: Path) -> None:
    run = RunConfig(run_dir=str(tmp_path))
    run_stage(Reader(), run)
    marker = tmp_path / "reader" / "_SUCCESS"
    success = json.loads(marker.read_text())
    del success["checksum"]
    success["outputs"] = [entry[:3] for entry in success["outputs"]]
    marker.write_text(json.dumps(success))
    complete, why, _ = completion(Reader(), run, None)
    assert not complete and why == "its _SUCCESS records no checksums (older code wrote it)"


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda text: text[: len(text) // 2], "is not a JSON object"),
        (lambda text: text.replace('"version": 1', '"version": 2'), "changed after the stage"),
        (lambda text: text.replace("\n", "\n ", 1), "changed after the stage"),  # same values
    ],
    ids=["cut-short", "another-value", "other-bytes"],
)
def test_a_damaged_success_is_not_the_stages_word(
    tmp_path: Path, edit: Callable[[str], str], why: str
) -> None:
    run = RunConfig(run_dir=str(tmp_path))
    run_stage(Reader(), run)
    marker = tmp_path / "reader" / "_SUCCESS"
    marker.write_text(edit(marker.read_text()))
    complete, reason, _ = completion(Reader(), run, None)
    assert not complete and reason.startswith(f"its _SUCCESS {why}"), reason


def test_dependents_see_what_upstream_wrote_by_checksum(tmp_path: Path) -> None:
    """An upstream rebuilt into other bytes of the same size (a model of the same shape)
    makes its dependents stale."""
    run = RunConfig(run_dir=str(tmp_path))
    marker = tmp_path / "tokenizer" / "_SUCCESS"
    marker.parent.mkdir()

    def upstream(mtime: int, checksum: str) -> str:
        listing = [["tokenizer.model", 100, mtime, checksum]]
        marker.write_text(json.dumps({"fingerprint": "f", "outputs": listing}))
        return fingerprint(Reader(), run, None)

    first = upstream(1, "sha256:aa")
    assert upstream(2, "sha256:aa") == first
    assert upstream(2, "sha256:bb") != first
