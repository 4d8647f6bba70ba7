"""A few documents of each source, drawn the same way on every render.

Which documents: the `parts` Parquet parts whose sha256 of (seed, part name) is smallest,
then of their documents the `count` whose sha256 of (seed, id) is smallest. Only those
parts' id columns are read to choose, so a corpus of any size costs a few parts, and the
choice depends on the seed and the names alone, never on the order files are listed in.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import dataclass
from typing import Any

import pyarrow.parquet as pq

from pipeline import io

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


def _rank(seed: int, name: str) -> str:
    return hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()


def _column(path: str, columns: list[str], wanted: set[str] | None = None) -> list[dict]:
    with io.open_read(path) as f:
        table = pq.read_table(f, columns=columns)
    rows = table.to_pylist()
    return rows if wanted is None else [r for r in rows if r["id"] in wanted]


def sample_documents(stage_dir: str, seed: int, count: int = 3, parts: int = 3) -> list[Sample]:
    """`count` documents of the stage's `part-*.parquet` (fewer if it has fewer), by id."""
    try:
        listed = [f.path for f in io.match_files([io.join(stage_dir, "part-*.parquet")])]
    except FileNotFoundError:
        return []
    chosen_parts = sorted(listed, key=lambda p: (_rank(seed, p.rsplit("/", 1)[-1]), p))[:parts]
    candidates = sorted(
        (_rank(seed, row["id"]), row["id"], path)
        for path in chosen_parts
        for row in _column(path, ["id"])
    )[:count]
    samples = []
    for _, wanted, path in candidates:
        (row,) = _column(path, ["id", "text", "url", "language", "meta"], {wanted})
        samples.append(
            Sample(
                id=row["id"],
                part=path,
                text=row["text"],
                url=row["url"],
                language=row["language"],
                meta=json.loads(row["meta"]),
            )
        )
    return sorted(samples, key=lambda s: s.id)
