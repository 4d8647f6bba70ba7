"""Nothing half-done is ever used, for every stage of the table: a stage killed mid-run leaves
no output folder (only a hidden in-progress one, cleared by its next run), the stages after
it refuse to read it, and the rerun is byte-identical to an uninterrupted build; a deleted or
truncated output file makes its stage rerun (then its dependents, as needed)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline import stages
from pipeline.documents import read_documents
from pipeline.harness import SUCCESS
from tests.faults.conftest import fleece, kill_when, sample_manifest
from tests.helpers import tree_digest

STAGE_NAMES = stages.stage_names()


def run_digest(run_dir: Path) -> dict[str, str]:
    """tree_digest of a run, less what names the run's own folder or its history: the run
    manifest's run_dir inside manifest.json (with the checksum over it), the input paths in
    error rows, and the sample stage's counters (files written vs unchanged)."""
    digest = tree_digest(run_dir)
    digest.pop("sample/_stats.json", None)
    for name in [n for n in digest if "/errors/" in n]:  # rows name the input's path
        rows = list(read_documents(str(run_dir / name)))
        digest[name] = json.dumps(rows, sort_keys=True).replace(str(run_dir), "<run>")
    manifest = json.loads((run_dir / "shards" / "manifest.json").read_text())
    manifest["run_manifest"].pop("run_dir")
    manifest.pop("checksum")
    digest["shards/manifest.json"] = json.dumps(manifest, sort_keys=True)
    return digest


def dependents(name: str) -> list[str]:
    return [s.name for s in stages.all_stages() if name in s.requires]


def build(tmp: Path, name: str) -> tuple[Path, Path]:
    run_dir = tmp / name
    manifest = sample_manifest(tmp / f"{name}.yaml", run_dir)
    result = fleece("corpus", "--manifest", str(manifest))
    assert result.returncode == 0, result.stdout + result.stderr
    return manifest, run_dir


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Digest of an uninterrupted build of the sample corpus."""
    _, run_dir = build(tmp_path_factory.mktemp("reference"), "run")
    return run_digest(run_dir)


@pytest.mark.slow
@pytest.mark.parametrize("name", STAGE_NAMES)
def test_a_stage_killed_mid_run_is_never_read_and_the_rerun_is_identical(
    tmp_path: Path, reference: dict[str, str], name: str
) -> None:
    run_dir = tmp_path / "run"
    manifest = sample_manifest(tmp_path / "m.yaml", run_dir)
    in_progress = run_dir / f".{name}.inprogress"

    # The tokenizer and the reference classifier train on the sample in a few tens of
    # milliseconds: killed on sight.
    delay = 0.0 if name in ("tokenizer", "refclf") else 0.3
    kill_when(["corpus", "--manifest", str(manifest)], in_progress.exists, delay)
    assert not (run_dir / name / SUCCESS).exists(), f"{name} finished before it was killed"
    assert not (run_dir / name).exists(), "a killed stage must leave no output folder"
    assert in_progress.exists()

    incomplete = STAGE_NAMES[STAGE_NAMES.index(name) :]
    for later in dependents(name):  # e.g. encode killed, then `fleece mix`
        refused = fleece(later, "--manifest", str(manifest))
        assert refused.returncode == 1, refused.stdout
        named = re.search(r"needs (\w+), which is not complete", refused.stderr)
        assert named and named.group(1) in incomplete, refused.stderr
        assert not (run_dir / later).exists()

    rerun = fleece("corpus", "--manifest", str(manifest))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"{name}: running" in rerun.stdout
    assert not in_progress.exists(), "the rerun clears what the killed run left"
    assert not list(run_dir.glob(".*.inprogress"))
    assert run_digest(run_dir) == reference


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
