"""A damaged checkpoint is refused in one line naming the file by every command that reads
one (a resume, --init-from, generate, export hf), before anything is loaded: COMPLETE
records each file's size and sha256. `--resume auto` falls back past a damaged newest
checkpoint and says so; a checkpoint from before the checksums loads with a warning."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from torch.distributed.checkpoint import FileSystemReader

from pipeline.shards.format import TOKENIZER_NAME as TOKENIZER
from tests.torch_threads import one_torch_thread  # noqa: F401 - autouse fixture
from tests.trainer.trainer_configs import nano_overrides
from tests.trainer.trainer_corpus import write_shards
from tokenizer import encode_batch
from tokenizer.sample_text import synthetic_documents
from trainer.checkpoint import COMPLETE, checkpoint_path
from trainer.cli import generate, train
from trainer.hf_cli import export

VOCAB = 2000


@pytest.fixture(scope="module")
def shards(llama_model: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shards encoded with a LLaMA-style tokenizer (byte fallback, so `export hf` works)."""
    root = tmp_path_factory.mktemp("damage-shards")
    tokenizer = root / "tokenizer.model"
    tokenizer.write_bytes(llama_model)
    docs = [[1, *ids, 2] for ids in encode_batch(synthetic_documents(80, seed=5), llama_model)]
    folder = write_shards(
        str(root / "shards"), docs[10:], docs[:10], VOCAB, tokenizer=str(tokenizer)
    )
    return Path(folder)


def run_train(shards: Path, run_dir: Path, *args: str, steps: int = 2, **extra: object) -> Result:
    settings = {"eval.every": 100, "checkpoint.every": 1, "metrics.log_samples": False, **extra}
    overrides = nano_overrides(str(shards), str(run_dir), steps=steps, **settings)
    options = [a for o in overrides for a in ("-o", o)]
    return CliRunner().invoke(train, ["--config", os.devnull, *options, *args])


@pytest.fixture(scope="module")
def trained(shards: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run with checkpoints at steps 1 and 2."""
    run_dir = tmp_path_factory.mktemp("damage-run") / "run"
    result = run_train(shards, run_dir)
    assert result.exit_code == 0, result.output
    return run_dir


@pytest.fixture
def run_copy(trained: Path, tmp_path: Path) -> Path:
    """A copy of the trained run to damage."""
    copy = tmp_path / "run"
    shutil.copytree(trained, copy)
    return copy


def newest(run_dir: Path) -> Path:
    return Path(checkpoint_path(str(run_dir), 2))


# -- damage: each returns the file it damaged ---------------------------------------------


def truncate(path: Path) -> Path:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def flip(path: Path, offset: int | None = None, mask: int = 0xFF) -> Path:
    data = bytearray(path.read_bytes())
    data[len(data) // 2 if offset is None else offset] ^= mask
    path.write_bytes(bytes(data))
    return path


def remove(path: Path) -> Path:
    path.unlink()
    return path


def flip_weight(checkpoint: Path) -> Path:
    """The lowest bit of one float of the embedding: a model that loads and runs, silently
    different, were it not for the checksum."""
    metadata = FileSystemReader(str(checkpoint / "state")).read_metadata()
    where = next(
        info
        for index, info in metadata.storage_data.items()
        if index.fqn == "model.tok_embeddings.weight"
    )
    return flip(checkpoint / "state" / where.relative_path, where.offset + where.length // 2, 1)


# every file of a checkpoint cut short, flipped and removed; the marker itself cut short or
# flipped (one removed is an interrupted save: the checkpoint is skipped, not damaged)
FILES = ("state/__0_0.distcp", "state/.metadata", "trainer.json", "rng-00000.pt", TOKENIZER)
KINDS: dict[str, Callable[[Path], Path]] = {
    "truncated": truncate,
    "flipped": flip,
    "missing": remove,
}
DAMAGE: dict[str, Callable[[Path], Path]] = {
    **{
        f"{kind} {name}": (lambda c, n=name, k=kind: KINDS[k](c / n))
        for name in FILES
        for kind in KINDS
    },
    f"truncated {COMPLETE}": lambda c: truncate(c / COMPLETE),
    f"flipped {COMPLETE}": lambda c: flip(c / COMPLETE),
    "flipped weight": flip_weight,
}


# -- the commands that read a checkpoint ----------------------------------------------------


def resume(checkpoint: Path, shards: Path, tmp_path: Path) -> Result:
    return run_train(shards, tmp_path / "resumed", "--resume", str(checkpoint), steps=3)


def init_from(checkpoint: Path, shards: Path, tmp_path: Path) -> Result:
    return run_train(shards, tmp_path / "fresh", "--init-from", str(checkpoint), steps=1)


def sample(checkpoint: Path, shards: Path, tmp_path: Path) -> Result:
    args = ["--checkpoint", str(checkpoint), "--prompt", "Der", "--max-new-tokens", "2"]
    return CliRunner().invoke(generate, args)


def export_hf(checkpoint: Path, shards: Path, tmp_path: Path) -> Result:
    return CliRunner().invoke(export, ["hf", str(checkpoint), str(tmp_path / "hf")])


COMMANDS: dict[str, Callable[[Path, Path, Path], Result]] = {
    "train --resume": resume,
    "train --init-from": init_from,
    "generate": sample,
    "export hf": export_hf,
}


def assert_one_line_naming(result: Result, path: Path) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) <= 3, result.stderr
    assert lines[-1].startswith(f"Error: {path}: "), result.stderr


def test_complete_records_every_file_with_its_size_and_sha256(trained: Path) -> None:
    checkpoint = newest(trained)
    record = json.loads((checkpoint / COMPLETE).read_text())
    files = sorted(str(p.relative_to(checkpoint)) for p in checkpoint.rglob("*") if p.is_file())
    assert sorted(record["files"]) == [f for f in files if f != COMPLETE]
    assert {"state/.metadata", "state/__0_0.distcp", "rng-00000.pt", "trainer.json",
            "tokenizer.model"} <= set(record["files"])  # fmt: skip
    for name, entry in record["files"].items():
        data = (checkpoint / name).read_bytes()
        assert entry == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


@pytest.mark.parametrize("command", COMMANDS)
def test_an_intact_checkpoint_serves_every_command(
    command: str, run_copy: Path, shards: Path, tmp_path: Path
) -> None:
    result = COMMANDS[command](newest(run_copy), shards, tmp_path)
    assert result.exit_code == 0, result.output
    assert "WARNING" not in result.stderr and "checksums" not in result.stderr


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_damaged_checkpoint_is_one_line_naming_the_file(
    command: str, damage: str, run_copy: Path, shards: Path, tmp_path: Path
) -> None:
    damaged = DAMAGE[damage](newest(run_copy))
    result = COMMANDS[command](newest(run_copy), shards, tmp_path)
    assert_one_line_naming(result, damaged)


def test_resume_auto_falls_back_past_a_damaged_newest_checkpoint(
    run_copy: Path, shards: Path
) -> None:
    damaged = flip_weight(newest(run_copy))
    result = run_train(shards, run_copy, steps=3, **{"checkpoint.resume": "auto"})
    assert result.exit_code == 0, result.output
    older = checkpoint_path(str(run_copy), 1)
    assert f"{newest(run_copy)}: skipped, damaged: {damaged}: sha256 " in result.stderr
    assert f"{older}: the newest intact checkpoint, resuming from it" in result.stderr
    assert f"resumed from {older} at step 1" in result.output
    assert (newest(run_copy) / COMPLETE).exists()  # step 2 trained and saved again


def test_resume_auto_with_every_checkpoint_damaged_is_an_error_not_a_fresh_start(
    run_copy: Path, shards: Path
) -> None:
    for step in (1, 2):
        truncate(Path(checkpoint_path(str(run_copy), step)) / "trainer.json")
    result = run_train(shards, run_copy, steps=3, **{"checkpoint.resume": "auto"})
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(
            f"Error: {run_copy / 'checkpoints'}: none of its 2 checkpoints is intact; the newest: "
        )
    )
    assert not Path(checkpoint_path(str(run_copy), 3)).exists()


def test_a_checkpoint_without_checksums_loads_with_a_warning(
    run_copy: Path, shards: Path, tmp_path: Path
) -> None:
    checkpoint = newest(run_copy)
    (checkpoint / COMPLETE).write_text("ok\n")  # as fleece wrote it before the checksums
    result = sample(checkpoint, shards, tmp_path)
    assert result.exit_code == 0, result.output
    assert f"{checkpoint}: its COMPLETE holds no checksums" in result.stderr
    # Damage it can no longer see is still one line, from the parser that meets it.
    damaged = truncate(checkpoint / "trainer.json")
    assert_one_line_naming(sample(checkpoint, shards, tmp_path), damaged)


def test_a_complete_marker_that_is_not_a_checksum_list_is_one_line(
    run_copy: Path, shards: Path, tmp_path: Path
) -> None:
    marker = newest(run_copy) / COMPLETE
    marker.write_text('{"format": "fleece-checkpoint/1", "files": [')
    assert_one_line_naming(export_hf(newest(run_copy), shards, tmp_path), marker)
