"""What the stage fault tests share: building the sample corpus through the CLI, a digest
of a run that two builds of the same manifest must share byte for byte, and a stage killed
mid-run then rebuilt."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from pipeline import stages
from pipeline.documents import read_documents
from pipeline.harness.stage import SUCCESS, all_stages
from tests.faults.conftest import FLEECE, ROOT, fleece, kill_when, sample_manifest
from tests.helpers import tree_digest

STAGE_NAMES = stages.stage_names()


def run_digest(run_dir: Path) -> dict[str, str]:
    """tree_digest of a run, less what names the run's own folder or its history: the run
    manifest's run_dir inside manifest.json (with the checksum over it), the run's folder in
    the input paths of error rows and in report.html, the stages' timings in report.html,
    and the sample stage's counters (files written vs unchanged)."""
    digest = tree_digest(run_dir)
    digest.pop("sample/_stats.json", None)
    if (run_dir / "report.html").exists():
        report = (run_dir / "report.html").read_text(encoding="utf-8")
        digest["report.html"] = hashlib.sha256(
            # stage timings are the one figure two identical runs do not share
            re.sub(r"<td data-timing>[^<]*", "<td data-timing>", report)
            .replace(str(run_dir), "<run>")
            .encode("utf-8")
        ).hexdigest()
    # error rows name the input's path: the sample's inputs are under some run's inputs/
    # (a copied stage's rows name the run it was copied from)
    for name in [n for n in digest if "/errors/" in n]:
        rows = list(read_documents(str(run_dir / name)))
        for row in rows:
            row["file"] = "<run>/inputs/" + row["file"].rsplit("/inputs/", 1)[-1]
        digest[name] = json.dumps(rows, sort_keys=True)
    manifest = json.loads((run_dir / "shards" / "manifest.json").read_text())
    manifest["run_manifest"].pop("run_dir")
    manifest.pop("checksum")
    digest["shards/manifest.json"] = json.dumps(manifest, sort_keys=True)
    return digest


def dependents(name: str) -> list[str]:
    return [s.name for s in all_stages() if name in s.requires]


def downstream(name: str) -> list[str]:
    """`name` and every stage that reads it, directly or through others, in table order."""
    found = {name}
    for stage in all_stages():  # the table's order: a stage after those it reads
        if found & set(stage.requires):
            found.add(stage.name)
    return [n for n in STAGE_NAMES if n in found]


SYSTEM_TEMP = "system-temp"


def build(tmp: Path, name: str, *flags: str) -> tuple[Path, Path]:
    """`fleece corpus` of the sample manifest into `tmp/name` (with `flags`), with
    `tmp/system-temp` for the system temp folder: a test reads there what the build left
    behind (nothing)."""
    run_dir = tmp / name
    manifest = sample_manifest(tmp / f"{name}.yaml", run_dir)
    system_temp = tmp / SYSTEM_TEMP
    system_temp.mkdir()
    result = subprocess.run(
        [FLEECE, "corpus", "--manifest", str(manifest), *flags],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
        env={**os.environ, "TMPDIR": str(system_temp)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return manifest, run_dir


def kill_mid_run_then_rerun(
    tmp_path: Path, sample_run: Path, reference: dict[str, str], name: str
) -> None:
    """Kill `fleece corpus` while stage `name` runs: it leaves no output folder (only a hidden
    in-progress one), the stages after it refuse to read it, and the rerun clears what the
    killed run left and ends byte-identical to an uninterrupted build (`reference`).

    The run starts as a copy of the worker's sample build (file times kept) less `name` and
    the stages that read it, directly or not: the others are complete, as a run killed
    there would have left them, and are not built again."""
    run_dir = tmp_path / "run"
    shutil.copytree(sample_run, run_dir)
    for stale in downstream(name):
        shutil.rmtree(run_dir / stale, ignore_errors=True)
    (run_dir / "report.html").unlink(missing_ok=True)
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
    assert rerun.returncode == 0, f"exit {rerun.returncode}\n{rerun.stdout}{rerun.stderr}"
    assert f"{name}: running" in rerun.stdout
    assert not in_progress.exists(), "the rerun clears what the killed run left"
    assert not list(run_dir.glob(".*.inprogress"))
    assert run_digest(run_dir) == reference
