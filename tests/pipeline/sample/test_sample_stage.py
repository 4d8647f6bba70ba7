"""The sample stage in a manifest: its scratch space lives in its own folder, so what a
killed run left there is gone after the next run, and nothing else is left in run_dir but
the stage's log."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run_fleece, write_manifest


def test_scratch_space_of_a_killed_run_is_removed(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    leftover = run_dir / "sample" / "tmpkilled"
    leftover.mkdir(parents=True)
    (leftover / "half-written.xml.bz2").write_bytes(b"BZh")
    manifest = write_manifest(tmp_path / "m.yaml", {"run_dir": str(run_dir),
                                                    "sample": {"enabled": True}})  # fmt: skip
    result = run_fleece("corpus", "--manifest", str(manifest), "--only", "sample")
    assert "sample: done" in result.output
    assert not leftover.exists()
    assert sorted(p.name for p in run_dir.iterdir()) == ["inputs", "logs", "sample"]
    assert sorted(p.name for p in (run_dir / "sample").iterdir()) == ["_SUCCESS", "_stats.json"]
    assert (run_dir / "inputs" / "ground_truth.json").exists()
