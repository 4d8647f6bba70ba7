"""C4 on real web pages: the WET pages of realtext.commoncrawl (the Python docs and the UDHR
in 500+ languages) as raw input, and the real bad-words list C4 used, LDNOOBW's English list
(npm `naughty-words`, which packages that list as JSON).

The checks are the ones of issue 25's class 5: the dropped rows per reason, and whether each
row dropped by the language rule says the language lid.176 found (not `en`) with its score.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from realtext import commoncrawl, outputs
from realtext.download import Package

BADWORDS = Package("npm", "naughty-words", "1.2.0")
PACKAGES = [*commoncrawl.PACKAGES, BADWORDS]


def write_badwords(folder: Path, target: Path) -> str:
    """LDNOOBW's English list, one word a line, as the c4 stage reads it."""
    words = json.loads((folder / "package" / "en.json").read_text(encoding="utf-8"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(f"{word}\n" for word in words), encoding="utf-8")
    return str(target)


def build_inputs(packages: dict[str, Path], inputs: Path) -> dict:
    globs = commoncrawl.write_wet(commoncrawl.real_pages(packages), inputs / "raw", "CC-MAIN")
    badwords = write_badwords(packages[BADWORDS.name], inputs / "badwords.txt")
    return {"inputs": globs, "badwords_file": badwords}


def language_drop_figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Of the rows dropped by the language rule: how many name a language other than `en`,
    how many carry a score, and the languages named most."""
    metas = [row["meta"] for row in rows]  # parsed by realtext.outputs
    return {
        "rows": len(rows),
        "language_not_en": sum(row["language"] not in (None, "en") for row in rows),
        "language_en": sum(row["language"] == "en" for row in rows),
        "with_score": sum(meta.get("lang_score") is not None for meta in metas),
        "top_languages": Counter(row["language"] for row in rows).most_common(8),
    }


def checks(run_dir: Path, inputs: Path) -> dict:
    """The dropped rows by reason (beside the counters the framework prints) and what the
    language drops say of their pages."""
    rows = outputs.dropped(run_dir, "c4")
    return {
        "dropped_rows": dict(sorted(Counter(row["reason"] for row in rows).items())),
        "dropped_by_language": language_drop_figures(
            [row for row in rows if row["reason"] == "language"]
        ),
    }
