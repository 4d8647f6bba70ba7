"""The machine failing (a full disk, a file where the run directory should be) is one line
naming the path and the cause, exit code 1: never a traceback."""

from __future__ import annotations

import bz2
import errno
from pathlib import Path

import pytest

from pipeline import io
from pipeline.environment import environment_error, error_in_output
from tests.helpers import run_fleece, write_manifest
from tests.pipeline.sources.wikipedia.dumps import article, dump_xml


def manifest_for(tmp_path: Path, run_dir: Path) -> Path:
    dump = tmp_path / "enwiki-x.xml.bz2"
    dump.write_bytes(bz2.compress(dump_xml("en", [article(1), article(2)]).encode()))
    return write_manifest(tmp_path / "m.yaml", {
        "run_dir": str(run_dir),
        "runner": {"direct_num_workers": 1, "direct_running_mode": "in_memory"},
        "sources": {"wikipedia": {"inputs": [str(dump)]}},
    })  # fmt: skip


def test_a_file_where_the_run_directory_should_be(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.write_text("not a directory")
    result = run_fleece("wikipedia", "--manifest", str(manifest_for(tmp_path, run_dir)),
                        expect_ok=False)  # fmt: skip
    assert result.exit_code == 1
    assert f"Error: run_dir: {run_dir} is a file, not a folder" in result.output
    assert "Traceback" not in result.output


def test_a_full_disk_in_the_middle_of_a_stage(tmp_path: Path, monkeypatch) -> None:
    real_open_write = io.open_write

    def full(path: str):
        if path.endswith(".parquet"):
            raise OSError(errno.ENOSPC, "No space left on device", path)
        return real_open_write(path)

    monkeypatch.setattr(io, "open_write", full)
    result = run_fleece("wikipedia", "--manifest", str(manifest_for(tmp_path, tmp_path / "run")),
                        expect_ok=False)  # fmt: skip
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"Error: wikipedia: {tmp_path / 'run' / '.wikipedia.inprogress'}/")
    log = tmp_path / "run" / "logs" / "wikipedia.log"
    assert last.endswith(
        f": no space left on the device (No space left on device); full log: {log}"
    )
    assert "OSError: [Errno 28] No space left on device" in log.read_text()  # its traceback


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("RuntimeError: OSError: [Errno 30] Read-only file system: '/data/run/x.parquet'",
         "/data/run/x.parquet: the filesystem is read-only (Read-only file system)"),
        ("PermissionError: [Errno 13] Permission denied: '/root/run'",
         "/root/run: permission denied (Permission denied)"),
        ("ValueError: something else", None),
    ],
)  # fmt: skip
def test_environment_errors_are_found_in_a_runners_text(text: str, line: str | None) -> None:
    assert environment_error(RuntimeError(text)) == line


@pytest.mark.parametrize(
    ("output", "line"),
    [
        ("/work/kenlm/util/file.cc:228 in void util::WriteOrThrow(int, const void*, std::size_t) "
         "threw FDException because `ret < 1'.\nNo space left on device in /run/.lm.inprogress/"
         "_tmp/en.arpa while writing 8185 bytes",
         "/run/.lm.inprogress/_tmp/en.arpa: no space left on the device (No space left on device)"),
        ("Disk quota exceeded", "?: disk quota exceeded (Disk quota exceeded)"),
        ("ERROR: the n-gram order must be at least 1", None),
    ],
)  # fmt: skip
def test_a_programs_own_words_for_a_full_disk_are_an_environment_error(
    output: str, line: str | None
) -> None:
    reported = error_in_output(output)
    assert (None if reported is None else environment_error(reported)) == line
