"""A few documents of each source, drawn the same way on every render.

Which documents: the `parts` Parquet parts whose stable hash of (seed, part name) is
smallest (more, in that order, while they hold fewer than `count` documents), then of their
documents the `count` whose stable hash of (seed, id) is smallest. Only those parts' id
columns are read to choose, so a corpus of any size costs a few parts, and the choice
depends on the seed and the names alone, never on the order files are listed in. Dropped
documents (`<stage>/dropped/`, written under --keep-dropped) are drawn the same way among
the rows of one reason.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

import pyarrow.parquet as pq

from pipeline import io
from pipeline.documents import stable_hash

SHOWN_COLUMNS = ["id", "text", "url", "language", "meta"]
SHOWN_CHARS = 600  # of each sampled document's text in the page; `fleece show` prints all


@dataclass(frozen=True)
class Sample:
    id: str
    part: str  # the Parquet part holding it
    text: str
    url: str | None
    language: str | None
    meta: dict[str, Any]

    @property
    def show_command(self) -> str:
        """The command that prints this document whole."""
        return f"fleece show {shlex.quote(self.part)} --id {shlex.quote(self.id)} --chars 0"


def _rank(seed: int, name: str) -> int:
    return stable_hash(name, f"report-sample-{seed}")


def _rows(path: str, columns: list[str], ids: set[str] | None = None) -> list[dict[str, Any]]:
    """Rows of one part; with `ids`, only those (parts are sorted by id, so only the row
    groups whose id range holds one of them are read)."""
    if ids is None:
        return io.read_parquet(path, columns).to_pylist()

    def holds_one(row_group: pq.RowGroupMetaData) -> bool:
        chunks = (row_group.column(i) for i in range(row_group.num_columns))
        stats = next(c.statistics for c in chunks if c.path_in_schema == "id")
        if stats is None or not stats.has_min_max:
            return True
        return any(stats.min <= doc_id <= stats.max for doc_id in ids)

    rows = io.read_parquet(path, columns, row_groups=holds_one).to_pylist()
    return [row for row in rows if row["id"] in ids]


def _ids(path: str, reason: str | None) -> list[str]:
    """The ids of one part; with `reason`, of its dropped rows of that reason only."""
    if reason is None:
        return [row["id"] for row in _rows(path, ["id"])]
    return [row["id"] for row in _rows(path, ["id", "reason"]) if row["reason"] == reason]


def sample_documents(
    stage_dir: str, seed: int, count: int = 3, parts: int = 3, reason: str | None = None
) -> list[Sample]:
    """`count` documents of the stage's `part-*.parquet` (fewer if it has fewer), by id; with
    `reason`, of the parts of its `dropped/` folder, among the rows dropped for `reason`."""
    folder = stage_dir if reason is None else io.join(stage_dir, "dropped")
    try:
        listed = [f.path for f in io.match_files([io.join(folder, "part-*.parquet")])]
    except FileNotFoundError:
        return []
    ranked_parts = sorted(listed, key=lambda p: (_rank(seed, p.rsplit("/", 1)[-1]), p))
    found: list[tuple[int, str, str]] = []
    for read, path in enumerate(ranked_parts):
        if read >= parts and len(found) >= count:  # small parts: read on until enough
            break
        found += [(_rank(seed, doc_id), doc_id, path) for doc_id in _ids(path, reason)]
    candidates = sorted(found)[:count]
    wanted: dict[str, set[str]] = {}
    for _, doc_id, path in candidates:
        wanted.setdefault(path, set()).add(doc_id)
    samples = [
        Sample(
            id=row["id"],
            part=path,
            text=row["text"],
            url=row["url"],
            language=row["language"],
            meta=json.loads(row["meta"]),
        )
        for path, ids in sorted(wanted.items())  # each part read once, only its chosen rows
        for row in _rows(path, [*SHOWN_COLUMNS, *(["reason"] if reason else [])], ids)
        if reason is None or row["reason"] == reason
    ]
    return sorted(samples, key=lambda s: s.id)
