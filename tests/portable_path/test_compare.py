"""`make corpus-portable` accepts a file that differs between the two runs only for a reason
it checks, never for its name alone."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from portable.compare import compare_runs


def error_part(path: Path, file: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([{"file": file, "record": "line 5", "reason": "x"}]), path)


def test_a_part_that_differs_is_reported_and_an_error_row_naming_its_run_is_not(tmp_path):
    direct, portable = tmp_path / "direct", tmp_path / "portable"
    for root, run_dir in ((direct, "/runs/sample"), (portable, "s3://fleece/sample")):
        error_part(root / "github/errors/part-00000.parquet", f"{run_dir}/inputs/github/a.gz")
        (root / "github/part-00000.parquet").write_bytes(b"same")
    (direct / "github/part-00001.parquet").write_bytes(b"one")
    (portable / "github/part-00001.parquet").write_bytes(b"two")
    same, differences = compare_runs(direct, portable, ("/runs/sample", "s3://fleece/sample"))
    assert list(same) == ["github/part-00000.parquet"]
    reasons = {d.path: d.reason for d in differences}
    assert reasons["github/errors/part-00000.parquet"].startswith("its rows name")
    assert reasons["github/part-00001.parquet"] == ""  # unexplained: the target fails

    error_part(portable / "github/errors/part-00000.parquet", "s3://fleece/sample/inputs/b.gz")
    _, differences = compare_runs(direct, portable, ("/runs/sample", "s3://fleece/sample"))
    assert {d.path: d.reason for d in differences}["github/errors/part-00000.parquet"] == ""
