"""What the stage fault tests share: building the sample corpus through the CLI and a digest
of a run that two builds of the same manifest must share byte for byte."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline import stages
from pipeline.documents import read_documents
from tests.faults.conftest import fleece, sample_manifest
from tests.helpers import tree_digest

STAGE_NAMES = stages.stage_names()


def run_digest(run_dir: Path) -> dict[str, str]:
    """tree_digest of a run, less what names the run's own folder or its history: the run
    manifest's run_dir inside manifest.json (with the checksum over it), the input paths in
    error rows and report.html, and the sample stage's counters (files written vs
    unchanged)."""
    digest = tree_digest(run_dir)
    digest.pop("sample/_stats.json", None)
    if (run_dir / "report.html").exists():
        report = (run_dir / "report.html").read_text(encoding="utf-8")
        digest["report.html"] = hashlib.sha256(
            report.replace(str(run_dir), "<run>").encode("utf-8")
        ).hexdigest()
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
