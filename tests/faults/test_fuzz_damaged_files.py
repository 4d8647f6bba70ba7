"""Every file a sample build wrote, damaged in turn (cut short, one bit flipped with its size
and modification time kept, removed), is reported by `fleece verify --deep`: exit code
non-zero, at most three lines on standard error, no traceback, the file named. After each
damage the file is put back, and the run verifies clean at the end.

Damage kinds rotate over the files (a seeded order), so each kind meets files of every
stage; `verify --deep` runs in this process (click's runner): one re-hash of the run each.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import main
from pipeline.harness.stage import SUCCESS

pytestmark = pytest.mark.slow

SEED = 24


def written_files(run_dir: Path) -> list[Path]:
    """Every file the stages of a run listed in their `_SUCCESS`, and the markers."""
    found = []
    for marker in sorted(run_dir.glob(f"*/{SUCCESS}")):
        listed = json.loads(marker.read_text())["outputs"]
        found += [marker.parent / entry[0] for entry in listed] + [marker]
    return found


def cut_short(path: Path, rng: random.Random) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: rng.randrange(len(data))])


def flip_a_bit(path: Path, rng: random.Random) -> None:
    """Bit rot: one bit changed, size and modification time as they were."""
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def remove(path: Path, rng: random.Random) -> None:
    path.unlink()


DAMAGES: list[Callable[[Path, random.Random], None]] = [cut_short, flip_a_bit, remove]


def verify_deep(run_dir: Path) -> Result:
    return CliRunner().invoke(main, ["verify", "--deep", str(run_dir)])


def reported(result: Result, path: Path, damage: str) -> None:
    context = f"{damage} {path}: exit {result.exit_code}\n{result.stderr}{result.stdout}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"a traceback for {context}") from result.exception
    assert result.exit_code != 0, context
    assert len(result.stderr.strip("\n").splitlines()) <= 3, context
    assert "Traceback" not in result.stderr, context
    assert path.name in result.stderr, context


def test_every_written_file_damaged_is_named_by_verify_deep(
    tmp_path: Path, sample_run: Path
) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(sample_run, run_dir)
    assert verify_deep(run_dir).exit_code == 0
    rng = random.Random(SEED)
    files = [f for f in written_files(run_dir) if f.stat().st_size > 0]
    rng.shuffle(files)
    assert len(files) > 50, "the sample build writes a hundred-odd files"
    for number, path in enumerate(files):
        damage = DAMAGES[number % len(DAMAGES)]
        original, times = path.read_bytes(), path.stat()
        damage(path, rng)
        reported(verify_deep(run_dir), path, damage.__name__)
        path.write_bytes(original)
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
    clean = verify_deep(run_dir)
    assert clean.exit_code == 0, clean.stderr + clean.stdout
