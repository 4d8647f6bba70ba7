"""Every output a stage writes carries a checksum in its `_SUCCESS`, and a file a library
writes is read back before `_SUCCESS` is: a model written short on a full disk is never
marked complete (issue 24, found 1), and bit rot that keeps a file's size and modification
time is seen by the next stage to read it, by `fleece corpus --verify` and by `fleece
verify --deep` (found 7).

Each test damages a copy of the worker's sample build (tests/conftest.py `sample_run`, file
times kept, so every stage of the copy is complete) and runs the commands in this process:
the refusals happen before any Beam pipeline starts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import CliRunner, Result

from pipeline import io as pipeline_io
from pipeline.cli import main
from pipeline.harness.stage import SUCCESS
from pipeline.sources.commoncrawl import lm_training
from tests.faults.conftest import ROOT, sample_manifest
from tests.faults.conftest import fleece as fleece_process
from tests.faults.stage_runs import run_digest

T = TypeVar("T")


@pytest.fixture
def run(sample_run: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(manifest, run directory) of a copy of the sample build, every stage complete."""
    run_dir = tmp_path / "run"
    shutil.copytree(sample_run, run_dir)
    return sample_manifest(tmp_path / "m.yaml", run_dir), run_dir


def fleece(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def one_line_error(result: Result) -> str:
    """The one line a refusal prints: exit 1, no traceback, nothing else on standard error."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def flip_byte(path: Path) -> None:
    """Bit rot: one byte of the file changed, its size and modification time kept."""
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns


def patched_fleece(patch: str, *args: str) -> subprocess.CompletedProcess:
    """`fleece ARGS` in a fresh interpreter, fastText's save_model patched
    (tests/faults/patched_fleece.py)."""
    return subprocess.run(
        [sys.executable, "-m", "tests.faults.patched_fleece", patch, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def one_line_refusal(result: subprocess.CompletedProcess) -> str:
    """one_line_error of a finished process."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_model_written_short_on_a_full_disk_stops_the_stage_unmarked(
    run: tuple[Path, Path],
) -> None:
    """fastText's save_model reports no short write: on a full disk it left 3.1 MB of a
    40.6 MB model. Here the write hook keeps as much, and the stage must refuse it."""
    manifest, run_dir = run
    line = one_line_refusal(patched_fleece("short", "refclf", "--force", "-m", str(manifest)))
    assert "refclf: " in line and "model.bin: written short (" in line, line
    assert "of 40,633,983 bytes; disk full?)" in line, line
    assert not (run_dir / "refclf" / SUCCESS).exists()


def test_a_model_that_does_not_load_back_stops_the_stage(run: tuple[Path, Path]) -> None:
    manifest, run_dir = run
    line = one_line_refusal(patched_fleece("no-label", "refclf", "--force", "-m", str(manifest)))
    assert "model.bin: cannot be loaded back: a fastText model without the label" in line, line
    assert not (run_dir / "refclf" / SUCCESS).exists()


def truncate_after(write: Callable[..., T], name: str) -> Callable[..., T]:
    """`write`, then the file its arguments name that ends in `name` cut to half its size: a
    writer that reports no short write on a full disk."""

    def short(*args: object, **kwargs: object) -> T:
        result = write(*args, **kwargs)
        words = [str(w) for a in args for w in (a if isinstance(a, list) else [a])]
        for path in [w for w in words if w.endswith(name)]:
            with open(path, "r+b") as f:
                f.truncate(os.path.getsize(path) // 2)
        return result

    return short


def test_a_tokenizer_written_short_stops_the_stage_unmarked(
    run: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, run_dir = run
    write = truncate_after(pipeline_io.write_bytes, "tokenizer.model")
    monkeypatch.setattr(pipeline_io, "write_bytes", write)
    line = one_line_error(fleece("tokenizer", "--force", "--manifest", str(manifest)))
    assert "tokenizer.model: written short (" in line and "bytes; disk full?)" in line, line
    assert not (run_dir / "tokenizer" / SUCCESS).exists()


def test_a_kenlm_binary_written_short_stops_the_stage_unmarked(
    run: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, run_dir = run
    monkeypatch.setattr(lm_training, "_run", truncate_after(lm_training._run, ".arpa.bin"))
    line = one_line_error(fleece("lm", "--force", "--manifest", str(manifest)))
    assert "en.arpa.bin: cannot be loaded back: " in line and "Binary file has size" in line
    assert not (run_dir / "lm" / SUCCESS).exists()


@pytest.mark.parametrize(
    ("stage", "name", "reader"),
    [
        ("refclf", "model.bin", "commoncrawl"),
        ("commoncrawl", "cutoffs.json", "tokenizer"),
        ("lm", "en.arpa.bin", "ccnet"),
        ("tokenizer", "tokenizer.model", "encode"),
    ],
)
def test_bit_rot_in_a_small_output_is_refused_by_its_reader_and_rebuilt(
    run: tuple[Path, Path], reference: dict[str, str], stage: str, name: str, reader: str
) -> None:
    manifest, run_dir = run
    flip_byte(run_dir / stage / name)
    line = one_line_error(fleece(reader, "--manifest", str(manifest)))
    assert f"{reader}: needs {stage}, which is not complete (output file {name} changed " in line
    assert "after the stage finished (checksum sha256:" in line, line

    # a fresh process: the rebuild may train fastText (tests/faults/patched_fleece.py says why)
    rebuilt = fleece_process("corpus", "--manifest", str(manifest))
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert f"{stage}: running (output file {name} changed after the stage finished" in (
        rebuilt.stdout
    )
    assert f"{reader}: complete" in rebuilt.stdout  # the rebuilt file is the same again
    assert run_digest(run_dir) == reference


def test_bit_rot_in_a_part_is_found_by_corpus_verify(
    run: tuple[Path, Path], reference: dict[str, str]
) -> None:
    """Parts are re-hashed only when asked, whatever their size."""
    manifest, run_dir = run
    flip_byte(run_dir / "books" / "part-00000.parquet")
    unasked = fleece("corpus", "--manifest", str(manifest))
    assert unasked.exit_code == 0 and "0 stage(s) run, all complete" in unasked.output

    verified = fleece("corpus", "--verify", "--manifest", str(manifest))
    assert verified.exit_code == 0, verified.output
    assert "books: running (output file part-00000.parquet changed after the stage " in (
        verified.output
    )
    assert run_digest(run_dir) == reference


@pytest.mark.parametrize("given", ["shards", "run"])
def test_bit_rot_in_a_part_is_found_by_verify_deep(run: tuple[Path, Path], given: str) -> None:
    _, run_dir = run
    directory = run_dir / "shards" if given == "shards" else run_dir
    clean = fleece("verify", "--deep", str(directory))
    assert clean.exit_code == 0 and clean.output.startswith(f"OK {directory}"), clean.output
    assert "every stage output matches its checksum" in clean.output

    flip_byte(run_dir / "encode" / "wikipedia" / "part-00001.parquet")
    flip_byte(run_dir / "ccnet" / "part-00002.parquet")
    plain = fleece("verify", str(run_dir / "shards"))  # the shards themselves are intact
    assert plain.exit_code == 0, plain.output
    result = fleece("verify", "--deep", str(directory))
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    first = "FAIL ccnet/part-00002.parquet: changed after the stage finished (checksum sha256:"
    assert lines[0].startswith(first), lines
    assert lines[0].endswith(f" when written); 2 damaged output file(s) under {run_dir}"), lines
    assert lines[1:] == [f"{directory}: 1 problem(s)"]


def test_verify_deep_on_a_folder_that_is_no_run_is_one_line(tmp_path: Path) -> None:
    result = fleece("verify", "--deep", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"FAIL {tmp_path}: no stage folder (not a run directory?)"
    )


@pytest.mark.parametrize("damage", ["removed", "edited"])
def test_verify_deep_names_a_damaged_success(run: tuple[Path, Path], damage: str) -> None:
    _, run_dir = run
    marker = run_dir / "lm" / SUCCESS
    if damage == "removed":
        marker.unlink()
    else:  # a listed size changed: the marker's own checksum no longer matches
        success = json.loads(marker.read_text())
        success["outputs"][0][1] += 1
        marker.write_text(json.dumps(success, indent=1, sort_keys=True) + "\n")
    result = fleece("verify", "--deep", str(run_dir))
    assert result.exit_code == 1 and "Traceback" not in result.output
    why = "no _SUCCESS" if damage == "removed" else "its _SUCCESS changed after the stage finished"
    assert result.stderr.splitlines()[0].startswith(f"FAIL lm: {why}"), result.stderr
