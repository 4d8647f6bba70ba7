"""pipeline.io's Parquet readers: columns, row groups and batches of a part, read without
starting Arrow's thread pools."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import io


def write_part(path: Path) -> None:
    table = pa.table({"id": [f"d{i:02d}" for i in range(30)], "n": list(range(30))})
    pq.write_table(table, path, row_group_size=10)


def test_read_parquet_gives_the_columns_of_the_row_groups_asked_for(tmp_path: Path) -> None:
    part = tmp_path / "part-00000.parquet"
    write_part(part)
    assert io.read_parquet(str(part)).column_names == ["id", "n"]
    assert io.read_parquet(str(part), ["n"]).column("n").to_pylist() == list(range(30))

    def second_group(row_group: pq.RowGroupMetaData) -> bool:
        return row_group.column(0).statistics.min == "d10"

    middle = io.read_parquet(str(part), ["id"], row_groups=second_group)
    assert middle.column("id").to_pylist() == [f"d{i:02d}" for i in range(10, 20)]
    nothing = io.read_parquet(str(part), ["id"], row_groups=lambda _: False)
    assert nothing.num_rows == 0 and nothing.column_names == ["id"]


def test_parquet_batches_give_every_row_in_order_in_batches_of_the_size_asked(
    tmp_path: Path,
) -> None:
    part = tmp_path / "part-00000.parquet"
    write_part(part)
    batches = list(io.parquet_batches(str(part), ["n"], batch_size=4))
    assert [b.num_rows for b in batches] == [4, 4, 4, 4, 4, 4, 4, 2]
    assert [n for b in batches for n in b.column("n").to_pylist()] == list(range(30))


def test_the_readers_start_no_arrow_threads_that_could_abort_the_exit(tmp_path: Path) -> None:
    # pq.read_table's scanner leaves pool threads behind, and a process that exits while one
    # is alive aborts ("terminate called without an active exception"): `fleece corpus`
    # did so after rendering its report, with every stage done.
    part = tmp_path / "part-00000.parquet"
    write_part(part)
    script = f"""
import os
from pipeline import io
before = len(os.listdir("/proc/self/task"))
rows = io.read_parquet({str(part)!r}, ["id"]).num_rows
rows += sum(b.num_rows for b in io.parquet_batches({str(part)!r}))
print(rows, len(os.listdir("/proc/self/task")) - before)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["60", "0"]
