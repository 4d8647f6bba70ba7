"""Settings that make no sense are refused before anything is written, naming the key path;
a full or read-only disk under the pipeline is one line naming the path."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipeline import io
from pipeline.cli import main
from pipeline.config import RunConfig, run_dir_problem
from pipeline.shards import quotas
from tests.faults.conftest import fleece, sample_manifest
from trainer.cli import train


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sample": {"scale": -3}}, "sample.scale: must be at least 1, got -3"),
        ({"runner": {"direct_running_mode": "bogus"}}, "runner.direct_running_mode: 'bogus' is"),
        ({"runner": {"direct_num_workers": -1}}, "runner.direct_num_workers: must be at least 0"),
        ({"shards": {"shard_bytes": 0}}, "shards.shard_bytes: must be at least 1024, got 0"),
        ({"shards": {"token_target": -5}}, "shards.token_target: must be at least 0, got -5"),
        ({"tokenizer": {"vocab_size": 0}}, "tokenizer.vocab_size: must be at least 300, got 0"),
        ({"seed": "zero"}, "seed: expected an integer"),
        # Found 5 of issue 24: each passed validation and failed mid-run with a traceback
        ({"seed": -1}, "seed: must be at least 0, got -1"),
        ({"seed": 2**80}, "seed: must be at most 4294967295, got 1.208e+24"),
        ({"shards": {"ratios": {"c4": float("nan")}}}, "shards.ratios.c4: must be a finite"),
        ({"shards": {"ratios": {"c4": float("inf")}}}, "shards.ratios.c4: must be a finite"),
        ({"shards": {"max_epochs": float("inf")}}, "shards.max_epochs: must be a finite"),
        ({"tokenizer": {"vocab_size": 10**12}}, "tokenizer.vocab_size: must be at most"),
        (
            {"sources": {"c4": {"badwords_file": "bad\x00words.txt"}}},
            "sources.c4.badwords_file: contains a NUL byte",
        ),
        (
            {"tokenizer": {"model_path": "{run_dir}\x00/tokenizer.model"}},
            "tokenizer.model_path: contains a NUL byte",
        ),
        ({"sample": {"out": "in\x00puts"}}, "sample.out: contains a NUL byte"),
    ],
)
def test_a_bad_run_manifest_value_is_refused_before_anything_is_written(
    tmp_path: Path, changes: dict, message: str
) -> None:
    run_dir = tmp_path / "run"
    manifest = sample_manifest(tmp_path / "m.yaml", run_dir, **changes)
    result = fleece_here("corpus", "--manifest", str(manifest), cwd=tmp_path)
    assert_one_line(result.returncode, result.stderr, message)
    assert not run_dir.exists()


def fleece_here(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`fleece ARGS` in this process, from `cwd`: a refusal at load costs no interpreter
    start (a few seconds each). A traceback is raised as the exception it is."""
    previous = os.getcwd()
    os.chdir(cwd or previous)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(previous)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def assert_one_line(returncode: int, stderr: str, message: str) -> None:
    """A refusal as a user sees it: exit 1, the key and what is wrong, no traceback."""
    assert returncode == 1, stderr
    assert message in stderr, stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) <= 3, stderr


@pytest.mark.parametrize(
    ("run_dir", "message"),
    [
        ("", "run_dir: is empty"),  # it wrote stage folders into the current directory
        ("/proc/fleece-run", "run_dir: /proc/fleece-run: is under /proc, a kernel filesystem"),
        ("/sys/fleece/run", "run_dir: /sys/fleece/run: is under /sys, a kernel filesystem"),
        ("{tmp}/run\x00x", "run_dir: contains a NUL byte"),
        ("{tmp}/file/run", "run_dir: {tmp}/file/run: a path component is a file"),
    ],
)
def test_a_run_dir_that_cannot_be_made_is_one_line_and_leaves_no_folder(
    tmp_path: Path, run_dir: str, message: str
) -> None:
    (tmp_path / "file").write_text("a file where a folder should be")
    manifest = sample_manifest(tmp_path / "m.yaml", Path("unused"))
    text = manifest.read_text().replace("run_dir: unused", f"run_dir: {json.dumps(run_dir)}")
    manifest.write_text(text.replace("{tmp}", str(tmp_path)))
    result = fleece_here("corpus", "--manifest", str(manifest), cwd=tmp_path)
    assert_one_line(result.returncode, result.stderr, message.replace("{tmp}", str(tmp_path)))
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["file", "m.yaml"]
    assert not Path("/proc/fleece-run").exists()


def test_the_run_dir_check_removes_the_folders_it_made_when_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a folder that can be made but not written to (root ignores modes, so the write fails
    # by a hook here; a read-only mount is tested below where mounts are allowed)
    def refuse(**_: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "a"))

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
    run = RunConfig(run_dir=str(tmp_path / "a" / "b" / "run"))
    assert (
        run_dir_problem(run) == f"run_dir: {tmp_path / 'a'}: permission denied (Permission denied)"
    )
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    assert run_dir_problem(run) is None and (tmp_path / "a" / "b" / "run").is_dir()
    assert list((tmp_path / "a" / "b" / "run").iterdir()) == []  # no write check left over


def test_a_file_where_the_run_dir_should_be_is_one_line(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.write_text("not a folder")
    result = fleece_here("corpus", "--manifest", str(sample_manifest(tmp_path / "m.yaml", run_dir)))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: run_dir: {run_dir} is a file, not a folder"
    ]


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("books", "inputs", ["{d}"], "sources.books.inputs[0]: {d} is a folder, not a file"),
        ("c4", "badwords_file", "{d}", "sources.c4.badwords_file: {d} is a folder, not a file"),
        ("c4", "lid_model", "{d}", "sources.c4.lid_model: {d} is a folder, not a file"),
    ],
)
def test_a_folder_where_a_file_is_wanted_is_refused_naming_the_key(
    tmp_path: Path, section: str, key: str, value: object, message: str
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    run_dir = tmp_path / "run"
    manifest = yaml_manifest(tmp_path, run_dir, {"sources": {section: {key: value}}})
    text = manifest.read_text().replace("{d}", str(folder))
    manifest.write_text(text)
    result = fleece_here("corpus", "--manifest", str(manifest))
    assert_one_line(result.returncode, result.stderr, message.replace("{d}", str(folder)))
    assert not run_dir.exists()


def test_a_ready_model_or_tokenizer_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    changes = {
        "sources": {"commoncrawl": {"lm": {"ready": {"en": {"kenlm": str(tmp_path)}}}}},
    }
    result = fleece_here("corpus", "--manifest", str(yaml_manifest(tmp_path, run_dir, changes)))
    assert_one_line(
        result.returncode, result.stderr, f"sources.commoncrawl.lm.ready.en.kenlm: {tmp_path} is"
    )
    changes = {"tokenizer": {"model_path": str(tmp_path)}}
    result = fleece_here("corpus", "--manifest", str(yaml_manifest(tmp_path, run_dir, changes)))
    assert_one_line(result.returncode, result.stderr, f"tokenizer.model_path: {tmp_path} is a")
    assert not run_dir.exists()


def yaml_manifest(tmp_path: Path, run_dir: Path, changes: dict) -> Path:
    """The sample manifest with `changes` merged into its sections (not replacing them)."""
    manifest = sample_manifest(tmp_path / "m.yaml", run_dir)
    data = yaml.safe_load(manifest.read_text())

    def merge(into: dict, new: dict) -> None:
        for key, value in new.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = value

    merge(data, changes)
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))
    return manifest


def test_an_inputs_glob_that_names_a_folder_is_refused_where_inputs_are_listed(
    tmp_path: Path,
) -> None:
    # a folder made after load (the sample stage writes {run_dir}/inputs/books) is found
    # when the stage lists its inputs: one line naming the glob
    (tmp_path / "books").mkdir()
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(FileNotFoundError, match=r"is a folder, not a file: name its files, e\.g\."):
        io.match_files([str(tmp_path / "a.txt"), str(tmp_path / "books")])
    assert [f.path for f in io.match_files([str(tmp_path / "*")])] == [str(tmp_path / "a.txt")]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("steps=-1", "steps: must be at least 1, got -1"),
        ("steps=0", "steps: must be at least 1, got 0"),
        ("batch.global_tokens=0", "batch.global_tokens: must be at least 1, got 0"),
        ("batch.micro_batch_size=0", "batch.micro_batch_size: must be at least 1, got 0"),
        ("data.seq_len=0", "data.seq_len: must be at least 1, got 0"),
        ("parallel.precision=fp7", "parallel.precision: 'fp7' is not one of"),
        ("seed=-1", "seed: must be at least 0, got -1"),
        (f"seed={2**80}", "seed: must be at most 4294967295"),
        ("optim.lr=.nan", "optim.lr: must be a finite number, got nan"),
        ("optim.lr=.inf", "optim.lr: must be a finite number, got inf"),
        ("model.vocab_size=1000000000000", "model.vocab_size: must be at most 2147483647"),
        ("steps=1e400", "steps: expected an integer"),
        ('run_dir=""', "run_dir: is empty"),
        ('data.shards="runs/\\0shards"', "data.shards: contains a NUL byte"),
        ("data.shards=manifests/train-tiny.yaml", "is a file, not a folder"),
    ],
)
def test_a_bad_training_setting_is_refused_before_anything_is_written(
    tmp_path: Path, override: str, message: str
) -> None:
    run_dir = tmp_path / "run"
    result = CliRunner().invoke(
        train,
        ["--config", "manifests/train-tiny.yaml", "-o", f"run_dir={run_dir}", "-o", override],
    )
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert not run_dir.exists()


def test_the_pipeline_on_a_full_disk_is_one_line(tmp_path: Path, small_disk: Path) -> None:
    run_dir = small_disk / "run"
    result = fleece("corpus", "--manifest", str(sample_manifest(tmp_path / "m.yaml", run_dir)))
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: sample: {run_dir}"), last
    assert ": no space left on the device (No space left on device)" in last, last
    assert len(result.stderr.splitlines()) < 20, result.stderr


def test_the_pipeline_on_a_read_only_disk_is_one_line(tmp_path: Path, read_only_disk: Path) -> None:
    run_dir = read_only_disk / "run"
    result = fleece("corpus", "--manifest", str(sample_manifest(tmp_path / "m.yaml", run_dir)))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: run_dir: {run_dir}: the filesystem is read-only (Read-only file system)"
    )


# Data feasibility: known only once the text is there, refused at the start of the stage
# that can know it, in one line naming the key. Each test runs one stage on a copy of the
# worker's sample build (`fleece <stage>` leaves the others as they are).


def _copy_of(sample_run: Path, tmp_path: Path, changes: dict) -> tuple[Path, Path]:
    run_dir = tmp_path / "run"
    shutil.copytree(sample_run, run_dir, symlinks=True)
    return run_dir, yaml_manifest(tmp_path, run_dir, changes)


@pytest.mark.slow
def test_a_vocabulary_larger_than_the_text_allows_is_one_line(
    sample_run: Path, tmp_path: Path
) -> None:
    run_dir, manifest = _copy_of(sample_run, tmp_path, {"tokenizer": {"vocab_size": 300_000}})
    result = fleece("tokenizer", "--manifest", str(manifest))
    assert_one_line(result.returncode, result.stderr, "tokenizer.vocab_size: 300000 is more ")
    assert "(SentencePiece: at most " in result.stderr
    assert not (run_dir / "tokenizer").exists()


@pytest.mark.slow
def test_a_token_target_the_data_cannot_meet_is_refused_before_reading(
    sample_run: Path, tmp_path: Path
) -> None:
    run_dir, manifest = _copy_of(sample_run, tmp_path, {"shards": {"token_target": 10**11}})
    result = fleece("shards", "--manifest", str(manifest))
    assert_one_line(result.returncode, result.stderr, "shards.token_target: 100,000,000,000 ")
    assert "more than shards.max_epochs=64; lower shards.token_target" in result.stderr
    assert "mix." not in result.stderr
    assert not (run_dir / "shards").exists()


@pytest.mark.slow
def test_max_epochs_that_only_the_validation_split_breaks_is_one_line(
    sample_run: Path, tmp_path: Path
) -> None:
    # between the most epochs of any source over all its tokens (what the stage's start
    # checks) and over its training tokens (known once the validation split is made)
    mixture = json.loads((sample_run / "shards" / "manifest.json").read_text())["mixture"]
    encoded = json.loads((sample_run / "encode" / "_stats.json").read_text())["counters"]
    target = json.loads((sample_run / "shards" / "manifest.json").read_text())["token_target"]
    over_all = max(
        round(m["target"] * target)
        / (encoded[f"tokens.{s}"] + quotas.SPECIAL_TOKENS * encoded[f"documents.{s}"])
        for s, m in mixture.items()
    )
    over_train = max(m["epochs"] for m in mixture.values())
    assert over_all < over_train
    limit = (over_all + over_train) / 2
    run_dir, manifest = _copy_of(sample_run, tmp_path, {"shards": {"max_epochs": limit}})
    result = fleece("shards", "--manifest", str(manifest))
    assert_one_line(result.returncode, result.stderr, f"more than shards.max_epochs={limit:g}")
    assert result.stderr.startswith("Error: shards: shards.token_target: 1,000,000 repeats")
    assert not (run_dir / "shards").exists()
