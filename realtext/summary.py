"""One JSON line per source: the counters its stages wrote and the checks of its module.

The counters come from each stage's `_stats.json` (the house scheme: `read`, `kept`,
`dropped.<reason>`, `errors.<reason>`, `merged.<reason>`, `warnings.<reason>`, `bytes.read`,
`bytes.kept`, and the `lines.*` of the stages that edit lines). The stage named like the source gives them as they are; another
stage of the same source (commoncrawl's ccnet) gives them prefixed by its name
(`ccnet.lines.removed`). A stage that has not run gives none.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

SHOWN = (
    "read", "kept", "dropped.", "errors.", "merged.", "warnings.", "bytes.read", "bytes.kept",
    "lines.",
)  # fmt: skip


def stage_counters(run_dir: Path, stage: str) -> dict[str, int]:
    """The shown counters of `stage`'s `_stats.json` in `run_dir`; {} if it has none."""
    path = run_dir / stage / "_stats.json"
    if not path.is_file():
        return {}
    counters = json.loads(path.read_text(encoding="utf-8")).get("counters", {})
    return {key: value for key, value in sorted(counters.items()) if shown(key)}


def shown(counter: str) -> bool:
    return any(
        counter == name or (name.endswith(".") and counter.startswith(name)) for name in SHOWN
    )


def source_counters(run_dir: Path, source: str, stages: Iterable[str]) -> dict[str, int]:
    """The counters of a source's stages: its own stage's bare, the others' prefixed."""
    found: dict[str, int] = {}
    for stage in stages:
        prefix = "" if stage == source else f"{stage}."
        found |= {prefix + key: value for key, value in stage_counters(run_dir, stage).items()}
    return found


def summary_line(source: str, counters: Mapping[str, int], checks: Mapping[str, Any]) -> str:
    """{"source": ..., <counters>, "checks": {...}} as one line of JSON."""
    return json.dumps({"source": source, **counters, "checks": dict(checks)}, sort_keys=False)
