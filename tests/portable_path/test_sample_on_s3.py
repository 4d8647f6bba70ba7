"""The sample stage writes its inputs to an object store too, so that a whole run, inputs
included, can live on one (`make corpus-portable`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from portable.store import S3Server
from tests.faults.conftest import fleece, sample_manifest


def digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_sample_stage_writes_the_same_inputs_to_s3(tmp_path: Path, s3: S3Server, sample_run: Path):
    remote = sample_manifest(tmp_path / "s3.yaml", s3.url("sample-run"))  # type: ignore[arg-type]
    built = fleece("corpus", "--only", "sample", "--manifest", str(remote), *s3.beam_flags)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "files.written=" in built.stdout
    s3.download("sample-run/inputs/", tmp_path / "downloaded")
    assert digests(tmp_path / "downloaded") == digests(sample_run / "inputs")
