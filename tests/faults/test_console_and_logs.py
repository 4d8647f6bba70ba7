"""One line, then the log: a stage that fails for a reason fleece recognises (a full disk,
--strict) shows one line on the console with the reason and where its log is; the tracebacks
of Beam's workers and of the programs it runs (lmplz) go to `<run_dir>/logs/<stage>.log`.
A failure fleece does not recognise (a bug) is still a traceback, and lands in the log too."""

from __future__ import annotations

import bz2
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import io
from pipeline.harness.logs import configure_logging, stage_log
from tests.faults.conftest import _tmpfs, fleece, sample_manifest
from tests.helpers import run_fleece, write_manifest
from tests.pipeline.sources.wikipedia.dumps import article, dump_xml


def copy_of(sample_run: Path, run_dir: Path, *parts: str) -> None:
    """The named folders of the worker's sample build (file times kept: still complete)."""
    for part in parts:
        shutil.copytree(sample_run / part, run_dir / part)


def assert_one_line_then_the_log(stderr: str, stage: str, log: Path) -> str:
    """The console's whole standard error: the one `Error:` line naming the log, nothing
    else of note. Returns the line."""
    lines = stderr.strip().splitlines()
    assert len(lines) <= 3, stderr
    assert "Traceback" not in stderr, stderr
    assert lines[-1].startswith(f"Error: {stage}: "), stderr
    assert lines[-1].endswith(f"; full log: {log}"), stderr
    return lines[-1]


@pytest.fixture
def two_megabyte_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs: room for Wikipedia's inputs and documents, not for the lm stage's
    KenLM files."""
    yield from _tmpfs(tmp_path / "disk", "size=2m")


@pytest.mark.slow
def test_a_full_disk_in_the_lm_stage_is_one_line_and_the_log_holds_lmplz(
    tmp_path: Path, sample_run: Path, two_megabyte_disk: Path
) -> None:
    run_dir = two_megabyte_disk / "run"
    copy_of(sample_run, run_dir, "inputs/wikipedia", "wikipedia")
    result = fleece("lm", "--manifest", str(sample_manifest(tmp_path / "m.yaml", run_dir)))
    assert result.returncode == 1
    log = run_dir / "logs" / "lm.log"
    line = assert_one_line_then_the_log(result.stderr, "lm", log)
    assert ": no space left on the device (No space left on device)" in line
    written = log.read_text()
    assert "lmplz" in written and "No space left on device in " in written  # its own words
    assert "Traceback (most recent call last)" in written


@pytest.mark.slow
def test_a_strict_failure_in_beam_workers_is_one_line_and_the_log_holds_their_tracebacks(
    tmp_path: Path, sample_run: Path
) -> None:
    run_dir = tmp_path / "run"
    copy_of(sample_run, run_dir, "sample", "inputs")
    manifest = sample_manifest(tmp_path / "m.yaml", run_dir)  # multi_processing workers
    result = fleece("github", "--manifest", str(manifest), "--strict")
    assert result.returncode == 1
    log = run_dir / "logs" / "github.log"
    line = assert_one_line_then_the_log(result.stderr, "github", log)
    assert ": --strict: " in line and ": malformed_json: " in line
    written = log.read_text()
    assert "Traceback (most recent call last)" in written
    assert "pipeline.records.BadInputError: " in written


def wikipedia_manifest(tmp_path: Path) -> Path:
    dump = tmp_path / "enwiki-x.xml.bz2"
    dump.write_bytes(bz2.compress(dump_xml("en", [article(1), article(2)]).encode()))
    return write_manifest(tmp_path / "m.yaml", {
        "run_dir": str(tmp_path / "run"),
        "runner": {"direct_num_workers": 1, "direct_running_mode": "in_memory"},
        "sources": {"wikipedia": {"inputs": [str(dump)]}},
    })  # fmt: skip


def test_a_bug_is_still_a_traceback_and_lands_in_the_log(tmp_path: Path, monkeypatch) -> None:
    def broken(path: str):
        raise RuntimeError("a bug in the writer")

    monkeypatch.setattr(io, "open_write", broken)
    result = run_fleece("wikipedia", "--manifest", str(wikipedia_manifest(tmp_path)),
                        expect_ok=False)  # fmt: skip
    assert isinstance(result.exception, RuntimeError), result.output
    written = (tmp_path / "run" / "logs" / "wikipedia.log").read_text()
    assert "Traceback (most recent call last)" in written
    assert "a bug in the writer" in written


def test_the_console_keeps_fleeces_warnings_and_the_log_takes_beams_and_the_workers(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging(verbose=False)
    log = tmp_path / "logs" / "x.log"
    with stage_log(str(log)):
        logging.getLogger("fleece").warning("a bad record")
        logging.getLogger("fleece").info("a step of the stage")
        logging.getLogger("apache_beam.runners.worker").error("a worker's traceback")
        os.write(2, b"what a worker process writes on standard error\n")
    console = capfd.readouterr().err
    assert "a bad record" in console
    assert "a step of the stage" not in console
    assert "a worker's traceback" not in console
    assert "what a worker process writes" not in console
    written = log.read_text()
    for text in ("a bad record", "a step of the stage", "a worker's traceback",
                 "what a worker process writes on standard error"):  # fmt: skip
        assert text in written


def test_with_verbose_the_console_shows_beam_too(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging(verbose=True)
    try:
        with stage_log(str(tmp_path / "x.log")):
            logging.getLogger("apache_beam.runners.worker").info("bundle done")
            os.write(2, b"a worker's line\n")
        console = capfd.readouterr().err
        assert "bundle done" in console and "a worker's line" in console
    finally:
        configure_logging(verbose=False)
