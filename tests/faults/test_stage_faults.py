"""Nothing half-done is ever used: a deleted or truncated output file makes its stage rerun
(then its dependents, as needed) and the run ends byte-identical to an uninterrupted build;
a stage refuses an upstream without _SUCCESS. Killed stages: test_stage_kills_*.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.harness.stage import SUCCESS
from tests.faults.conftest import fleece, kill_when, sample_manifest
from tests.faults.stage_runs import STAGE_NAMES, build, run_digest


def _largest_output(stage_dir: Path) -> Path:
    files = [p for p in stage_dir.rglob("*") if p.is_file() and p.name != SUCCESS]
    return max(files, key=lambda p: (p.stat().st_size, str(p)))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One built run the damage tests below take turns on (each leaves it rebuilt)."""
    return build(tmp_path_factory.mktemp("damaged"), "run")


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["deleted", "truncated"])
@pytest.mark.parametrize("name", STAGE_NAMES)
def test_a_damaged_output_makes_its_stage_rerun(
    built: tuple[Path, Path], reference: dict[str, str], name: str, damage: str
) -> None:
    manifest, run_dir = built
    victim = _largest_output(run_dir / name)
    if damage == "deleted":
        victim.unlink()
    else:
        data = victim.read_bytes()
        victim.write_bytes(data[: len(data) // 2])
    rerun = fleece("corpus", "--manifest", str(manifest))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    relative = victim.relative_to(run_dir / name)
    why = "is missing" if damage == "deleted" else "changed after the stage finished"
    assert f"{name}: running (output file {relative} {why}" in rerun.stdout, rerun.stdout
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
