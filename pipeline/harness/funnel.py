"""The funnel of a stage that reads records, and the check that it adds up.

A stage whose declaration names a read unit (`StageSpec.read_unit`) accounts for every
record it reads, once:

    read = kept + Σ dropped.* + Σ errors.* + Σ merged.*

(`merged.*`: records written inside another's document, an answer in its question's;
`warnings.*` lose no record and are not in it). The harness checks it when it writes the
stage's `_stats.json` (running.py). A gap is a counting bug, never the user's: in a user's
run it is a warning on the console and in the log, and the run goes on, its documents as
good as without the check; with FLEECE_FUNNEL_GAPS=fail in the environment (the test suite
sets it) the stage fails instead, so no test passes over a funnel that does not add up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline import counters
from pipeline.stages import entry

STRICT_ENV = "FLEECE_FUNNEL_GAPS"  # "fail": a gap fails the stage (tests); else a warning
LOSSES = ("dropped", "errors", "merged")  # the counter families a record read can end in


class FunnelGapError(RuntimeError):
    """A stage's counters that do not add up, under FLEECE_FUNNEL_GAPS=fail."""


@dataclass(frozen=True)
class Funnel:
    """A stage's records: those read, and where each went."""

    read: int
    kept: int
    lost: Mapping[str, int]  # family (dropped, errors, merged) -> its sum

    @property
    def gap(self) -> int:
        """Records read but accounted nowhere (negative: accounted more than once)."""
        return self.read - self.kept - sum(self.lost.values())


def funnel(stage_counters: Mapping[str, int]) -> Funnel:
    lost = {
        family: sum(n for name, n in stage_counters.items() if name.startswith(f"{family}."))
        for family in LOSSES
    }
    return Funnel(
        read=stage_counters.get(counters.READ, 0),
        kept=stage_counters.get(counters.KEPT, 0),
        lost=lost,
    )


def read_unit(stage: str) -> str:
    """What one record is for `stage` ("" for a stage without a funnel: the sample, models,
    the tokenizer, encode, shards)."""
    try:
        return entry(stage).read_unit
    except KeyError:  # a stage outside the table (a test's own): no declared funnel
        return ""


def funnel_gap(stage: str, stage_counters: Mapping[str, int]) -> str | None:
    """The one-line account of a stage's funnel that does not add up, or None."""
    unit = read_unit(stage)
    if not unit:
        return None
    found = funnel(stage_counters)
    if found.gap == 0:
        return None
    parts = " + ".join(f"{family} {n:,}" for family, n in found.lost.items())
    return (
        f"{stage}: counters do not add up: read {found.read:,} (each a {unit}) != kept "
        f"{found.kept:,} + {parts} ({found.gap:+,} records unaccounted); the documents "
        "written are not affected, but a figure of the report is wrong: please report it"
    )


def gaps_fail() -> bool:
    return os.environ.get(STRICT_ENV, "") == "fail"
