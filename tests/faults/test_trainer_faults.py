"""The trainer refuses shards that `fleece verify` rejects (a changed tokenizer copy too),
and a machine failure (a full or read-only disk) or a run directory another trainer holds
is one line naming the path: never a traceback, never a model trained on corrupt data."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import trainer.checkpoint as checkpoint
from pipeline.lock import LOCK_NAME
from pipeline.shards.manifest import manifest_checksum
from tests.faults.conftest import ROOT
from tests.torch_threads import one_torch_thread  # noqa: F401 - autouse fixture
from tests.trainer.trainer_configs import nano_overrides
from tests.trainer.trainer_corpus import markov_documents, write_shards
from trainer.cli import train
from trainer.data import TokenStream
from trainer.shard_checks import ShardCheckError

VOCAB = 256


@pytest.fixture
def shards(tmp_path: Path) -> Path:
    return Path(
        write_shards(
            str(tmp_path / "shards"),
            markov_documents(120, VOCAB, seed=1),
            markov_documents(20, VOCAB, seed=2),
            VOCAB,
        )
    )


def train_on(shards: Path, run_dir: Path, steps: int = 2, **extra: object):
    args = ["-o", "metrics.log_samples=False", "-o", "eval.every=1"]
    for item in nano_overrides(str(shards), str(run_dir), steps=steps, **extra):
        args += ["-o", item]
    config = shards.parent / "empty.yaml"
    config.write_text("{}\n")
    result = CliRunner().invoke(train, ["--config", str(config), *args])
    assert "Traceback" not in result.output
    return result


def flip_token(path: Path) -> None:
    """Change one token id in the middle of the token buffer to another valid id."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    middle -= middle % 2
    value = int.from_bytes(data[middle : middle + 2], "little")
    if value in (1, 2):  # keep BOS/EOS framing, so only the sha256 can tell
        middle += 2
        value = int.from_bytes(data[middle : middle + 2], "little")
    data[middle : middle + 2] = (3 + (value - 2) % (VOCAB - 3)).to_bytes(2, "little")
    path.write_bytes(bytes(data))


def test_a_clean_directory_trains(shards: Path, tmp_path: Path) -> None:
    result = train_on(shards, tmp_path / "run")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("shard", ["train-00001.arrow", "val-00000.arrow"])
def test_a_flipped_token_stops_training_naming_the_shard(
    shards: Path, tmp_path: Path, shard: str
) -> None:
    flip_token(shards / shard)
    result = train_on(shards, tmp_path / "run")
    assert result.exit_code == 1
    assert f"{shards / shard}: sha256" in result.output
    assert "differs from manifest.json's" in result.output


def test_without_the_sha256_check_a_truncated_shard_is_still_refused(
    shards: Path, tmp_path: Path
) -> None:
    path = shards / "train-00000.arrow"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])
    result = train_on(shards, tmp_path / "run", **{"data.verify_sha256": False})
    assert result.exit_code == 1
    assert f"{path}: {len(data) - 100} bytes, manifest.json says {len(data)}" in result.output
    assert not (tmp_path / "run" / "checkpoints").exists()


def test_an_id_beyond_the_vocabulary_is_refused_before_step_zero(
    shards: Path, tmp_path: Path
) -> None:
    # shards written for a vocabulary of 256, the manifest edited (and resigned) to claim 200
    path = shards / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["vocab_size"] = 200
    manifest["checksum"] = manifest_checksum(manifest)
    path.write_text(json.dumps(manifest))
    result = train_on(shards, tmp_path / "run")
    assert result.exit_code == 1
    assert re.search(
        r"train-00000.arrow: holds token id 2\d\d, but the model's vocabulary has 200 ids",
        result.output,
    )
    assert not (tmp_path / "run" / "metrics.jsonl").exists()


def test_a_manifest_with_a_bad_field_is_refused(shards: Path, tmp_path: Path) -> None:
    path = shards / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["dtype"] = "uint17"
    path.write_text(json.dumps(manifest))
    result = train_on(shards, tmp_path / "run")
    assert result.exit_code == 1
    assert "dtype: expected one of uint16, uint32, got 'uint17'" in result.output


def test_a_full_disk_while_checkpointing_is_one_line(shards: Path, small_disk: Path) -> None:
    result = train_on(shards, small_disk / "run", steps=2, **{"checkpoint.every": 1})
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"Error: {small_disk / 'run'}")
    assert last.endswith("no space left on the device (No space left on device)")
    assert "inline_container" not in result.output


def test_a_read_only_run_dir_is_one_line(shards: Path, read_only_disk: Path) -> None:
    result = train_on(shards, read_only_disk / "run")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {read_only_disk / 'run'}: the filesystem is read-only (Read-only file system)"
    )


def test_a_full_disk_inside_the_checkpoint_writer_names_the_checkpoint(
    shards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where no tmpfs can be mounted: DCP hands its writers' errors back as text.
    def full(*args: object, **kwargs: object) -> None:
        raise RuntimeError(
            f"rank 0 failed: OSError: [Errno {errno.ENOSPC}] No space left on device"
        )

    monkeypatch.setattr(checkpoint.dcp, "save", full)
    result = train_on(shards, tmp_path / "run", steps=1)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {tmp_path / 'run' / 'checkpoints' / 'step-00000001' / 'state'}: "
        "no space left on the device (No space left on device)"
    )


def test_a_shard_no_batch_touched_is_still_checked_before_the_run_ends(shards: Path) -> None:
    flip_token(shards / "train-00001.arrow")
    stream = TokenStream(str(shards), "train", verify_sha256=True)
    stream.window(0, 10)  # train-00000 only: served once its own check has passed
    with pytest.raises(ShardCheckError, match=r"train-00001.arrow: sha256 \w+ differs"):
        stream.hashes.wait_all()  # what Trainer.run calls before it returns


@pytest.fixture
def shards_with_tokenizer(tmp_path: Path) -> Path:
    """Shards whose manifest records a tokenizer copy (the trainer hashes it, never parses it)."""
    tokenizer = tmp_path / "spm.model"
    tokenizer.write_bytes(bytes(range(256)) * 16)
    return Path(
        write_shards(
            str(tmp_path / "shards"),
            markov_documents(120, VOCAB, seed=1),
            markov_documents(20, VOCAB, seed=2),
            VOCAB,
            tokenizer=str(tokenizer),
        )
    )


def test_a_damaged_tokenizer_copy_is_refused_before_training(
    shards_with_tokenizer: Path, tmp_path: Path
) -> None:
    path = shards_with_tokenizer / "tokenizer.model"
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    result = train_on(shards_with_tokenizer, tmp_path / "run")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {path}: sha256 {hashlib.sha256(data).hexdigest()[:12]} differs from "
        "manifest.json's tokenizer.sha256 "
        f"{hashlib.sha256(bytes(range(256)) * 16).hexdigest()[:12]} (changed after the shards "
        "were encoded; run `fleece verify`)"
    ]
    assert not (tmp_path / "run" / "checkpoints").exists()


def test_an_intact_tokenizer_copy_trains_and_goes_into_the_checkpoint(
    shards_with_tokenizer: Path, tmp_path: Path
) -> None:
    result = train_on(shards_with_tokenizer, tmp_path / "run", steps=1)
    assert result.exit_code == 0, result.output
    copy = tmp_path / "run" / "checkpoints" / "step-00000001" / "tokenizer.model"
    assert copy.read_bytes() == (shards_with_tokenizer / "tokenizer.model").read_bytes()


@pytest.mark.parametrize(
    ("content", "problem"),
    [("[]", "expected a JSON object, got list"), ('{"format": ', "not valid JSON (")],
)
def test_a_manifest_that_is_not_a_json_object_is_one_line(
    shards: Path, tmp_path: Path, content: str, problem: str
) -> None:
    (shards / "manifest.json").write_text(content)
    result = train_on(shards, tmp_path / "run")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {shards / 'manifest.json'}: {problem}")


@pytest.fixture
def lock_holder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen]]:
    """Another process holding a run directory's lock through run_lock, as a trainer does."""
    run_dir = tmp_path / "run"
    child = (
        "import sys, time\nfrom pipeline.lock import run_lock\n"
        f"with run_lock({str(run_dir)!r}):\n    print('held', flush=True)\n    time.sleep(120)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", child], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    yield run_dir, process
    process.kill()
    process.wait()


def test_a_second_trainer_on_a_run_dir_refuses_naming_the_first(
    shards: Path, lock_holder: tuple[Path, subprocess.Popen]
) -> None:
    run_dir, holder = lock_holder
    result = train_on(shards, run_dir)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {run_dir} is in use by pid {holder.pid} on ")
    assert not (run_dir / "metrics.jsonl").exists()
    assert json.loads((run_dir / LOCK_NAME).read_text())["pid"] == holder.pid  # still held


def test_a_dead_trainers_lock_is_taken_over_and_released_at_the_end(
    shards: Path, lock_holder: tuple[Path, subprocess.Popen], caplog: pytest.LogCaptureFixture
) -> None:
    run_dir, holder = lock_holder
    holder.kill()  # SIGKILL: its lock file stays behind, naming a pid that is gone
    holder.wait()
    assert (run_dir / LOCK_NAME).exists()
    with caplog.at_level(logging.WARNING, logger="fleece"):
        result = train_on(shards, run_dir, steps=1)
    assert result.exit_code == 0, result.output
    assert f"{run_dir}: taking over a stale lock (pid {holder.pid} " in caplog.text
    assert not (run_dir / LOCK_NAME).exists()
