"""What a stage of the real-text run wrote, read back for a source module's checks: its
documents (`<stage>/part-*.parquet`) and, as `make realtext` runs with --keep-dropped, the
rows it dropped with their reasons (`<stage>/dropped/part-*.parquet`). Each row is a dict of
the Document columns, `meta` parsed from its JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.io import read_parquet


def rows(folder: Path) -> list[dict[str, Any]]:
    """The rows of every part in `folder`, parts in name order; [] if it has none."""
    found = []
    for part in sorted(folder.glob("part-*.parquet")):
        for row in read_parquet(str(part)).to_pylist():
            found.append({**row, "meta": json.loads(row["meta"] or "{}")})
    return found


def kept(run_dir: Path, stage: str) -> list[dict[str, Any]]:
    """The documents `stage` kept."""
    return rows(run_dir / stage)


def dropped(run_dir: Path, stage: str) -> list[dict[str, Any]]:
    """The rows `stage` dropped, each with its `reason`."""
    return rows(run_dir / stage / "dropped")
