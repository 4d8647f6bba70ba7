"""Nothing half-done is ever used: a deleted or truncated output file makes its stage rerun
(then its dependents, as needed) and the run ends byte-identical to an uninterrupted build
(rebuilt for a deleted file; for a truncated one, whose rerun is the same, the completion
check is asked);
a stage refuses an upstream without _SUCCESS, and a stage that reads the sample's inputs
refuses a sample stage killed while it moved them. Killed stages: test_stage_kills_*.py."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import load_manifest
from pipeline.harness.completion import completion
from pipeline.harness.stage import SUCCESS, find_stage
from pipeline.sample import write_sample
from pipeline.sample.stage import replace_file
from tests.faults.conftest import ROOT, fleece, kill_when, sample_manifest
from tests.faults.stage_runs import STAGE_NAMES, run_digest


def _largest_output(stage_dir: Path) -> Path:
    files = [p for p in stage_dir.rglob("*") if p.is_file() and p.name != SUCCESS]
    return max(files, key=lambda p: (p.stat().st_size, str(p)))


@pytest.fixture(scope="module")
def built(sample_run: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the worker's sample build (file times kept, so complete) the damage tests
    below take turns on (each leaves it rebuilt)."""
    tmp = tmp_path_factory.mktemp("damaged")
    shutil.copytree(sample_run, tmp / "run")
    return sample_manifest(tmp / "run.yaml", tmp / "run"), tmp / "run"


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["deleted", "truncated"])
@pytest.mark.parametrize("name", STAGE_NAMES)
def test_a_damaged_output_makes_its_stage_rerun(
    built: tuple[Path, Path], reference: dict[str, str], name: str, damage: str
) -> None:
    manifest, run_dir = built
    victim = _largest_output(run_dir / name)
    relative = victim.relative_to(run_dir / name)
    if damage == "truncated":
        # the rerun is the one a deleted file gets (below): here, that the check sees it
        before, data = victim.stat(), victim.read_bytes()
        victim.write_bytes(data[: len(data) // 2])
        complete, why, _ = completion(find_stage(name), load_manifest(str(manifest)), None)
        victim.write_bytes(data)
        os.utime(victim, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert not complete and why.startswith(f"output file {relative} changed after"), why
        return
    victim.unlink()
    rerun = fleece("corpus", "--manifest", str(manifest))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"{name}: running (output file {relative} is missing" in rerun.stdout, rerun.stdout
    assert run_digest(run_dir) == reference


def test_a_stage_run_alone_refuses_an_upstream_without_success(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    manifest = sample_manifest(tmp_path / "m.yaml", run_dir)
    (run_dir / "encode").mkdir(parents=True)
    (run_dir / "encode" / "part-00000.parquet").write_bytes(b"left by a killed run")
    (run_dir / "tokenizer").mkdir()
    result = fleece("mix", "--manifest", str(manifest))
    assert result.returncode == 1
    assert "shards: needs tokenizer, which is not complete" in result.stderr
    assert "build it first: `fleece tokenizer --manifest" in result.stderr
    assert not (run_dir / "shards").exists()


def test_a_killed_sample_stage_leaves_no_scratch(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    manifest = sample_manifest(tmp_path / "m.yaml", run_dir)
    kill_when(["corpus", "--manifest", str(manifest), "--only", "sample"],
              (run_dir / ".sample.inprogress").exists, delay=0.3)  # fmt: skip
    result = fleece("corpus", "--manifest", str(manifest), "--only", "sample")
    assert result.returncode == 0, result.stderr
    leftovers = [p.name for p in run_dir.iterdir() if p.name.startswith((".", "tmp"))]
    assert leftovers == [], leftovers
    shutil.rmtree(run_dir)


def test_workers_run_this_code_not_a_pipeline_package_in_the_current_folder(
    tmp_path: Path,
) -> None:
    shadow = tmp_path / "elsewhere" / "pipeline"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(
        'raise ImportError("the pipeline/ of the current folder")\n'
    )
    run_dir = tmp_path / "run"
    manifest = sample_manifest(tmp_path / "m.yaml", run_dir)  # multi_processing workers
    result = fleece("corpus", "--manifest", str(manifest), "--only", "sample,wikipedia",
                    cwd=shadow.parent)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "the pipeline/ of the current folder" not in result.stderr
    assert (run_dir / "wikipedia" / SUCCESS).exists()


# `fleece corpus --only sample`, SIGKILLed by itself once it has moved ten of its files
KILLED_AFTER_TEN_MOVES = """
import os, signal, sys
import pipeline.sample.stage as sample_stage
from pipeline.cli import main

moved = []
real = sample_stage.replace_file

def replace_then_die(fresh, target):
    real(fresh, target)
    moved.append(target)
    if len(moved) == 10:
        os.kill(os.getpid(), signal.SIGKILL)

sample_stage.replace_file = replace_then_die
sys.argv = ["fleece", "corpus", "--manifest", sys.argv[1], "--only", "sample"]
main()
"""


def test_a_stage_alone_refuses_inputs_a_killed_sample_stage_was_moving(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    manifest = sample_manifest(tmp_path / "m.yaml", run_dir)
    killed = subprocess.run([sys.executable, "-c", KILLED_AFTER_TEN_MOVES, str(manifest)],
                            cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    moved = [p for p in (run_dir / "inputs").rglob("*") if p.is_file()]
    assert len(moved) == 10
    write_sample(str(tmp_path / "whole"), scale=1, seed=0)
    for path in moved:  # each file it moved is whole
        assert filecmp.cmp(path, tmp_path / "whole" / path.relative_to(run_dir / "inputs"),
                           shallow=False), path  # fmt: skip

    refused = fleece("c4", "--manifest", str(manifest))
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stderr.strip().splitlines()[-1] == (  # after the stale lock taken over
        "Error: c4: needs sample, which is not complete (no _SUCCESS); build it first: "
        "`fleece corpus --manifest ... --only sample` or `fleece corpus`"
    )
    assert not (run_dir / "c4").exists() and not (run_dir / ".c4.inprogress").exists()


def test_a_file_moved_to_another_filesystem_is_replaced_whole_or_not_at_all(
    tmp_path: Path, small_disk: Path, monkeypatch
) -> None:
    fresh, target = tmp_path / "fresh.txt", small_disk / "inputs" / "page.txt"
    target.parent.mkdir()
    target.write_text("the old input\n")
    fresh.write_text("the new input, longer than the old one\n" * 100)

    def copy_then_killed(source, destination, **_):
        Path(destination).write_bytes(Path(source).read_bytes()[:100])
        raise KeyboardInterrupt  # what a kill in the middle of the copy leaves

    monkeypatch.setattr(shutil, "copyfile", copy_then_killed)
    with pytest.raises(KeyboardInterrupt):
        replace_file(str(fresh), str(target))
    assert target.read_text() == "the old input\n"
    assert [p.name for p in target.parent.iterdir()] == ["page.txt"]

    monkeypatch.undo()
    replace_file(str(fresh), str(target))
    assert target.read_text() == "the new input, longer than the old one\n" * 100
    assert [p.name for p in target.parent.iterdir()] == ["page.txt"]
