"""Which sources a run has built: the stages after them (tokenizer, encode) read these.

A source is present when its stage finished (`_SUCCESS`) and wrote document parts. Until
every source stage exists, a run mixes what it has.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pipeline import io
from pipeline.harness.stage import StageContext
from pipeline.stages import source_stages

log = logging.getLogger("fleece")


def present_sources(ctx: StageContext) -> dict[str, list[str]]:
    """source -> its document part paths (sorted), for every finished source stage."""
    present: dict[str, list[str]] = {}
    for source in source_stages():
        if not ctx.finished(source):
            continue
        try:
            parts = [f.path for f in io.match_files([ctx.input(source, "documents")])]
        except FileNotFoundError:
            parts = []
        if parts:
            present[source] = parts
    return present


def warn_missing(stage: str, missing: list[str], unmixed: Sequence[str] = ()) -> None:
    """Say which sources with a mixture ratio are absent (their share goes to the others),
    and which present sources have none (outside LLaMA's Table 1 and not given one in
    `shards.ratios`), so none of their documents are mixed."""
    if missing:
        log.warning(
            "%s: sources missing from this run, ratios renormalised over the rest: %s",
            stage,
            ", ".join(missing),
        )
    if unmixed:
        log.warning(
            "%s: sources with ratio 0, not mixed (give them one in shards.ratios): %s",
            stage,
            ", ".join(unmixed),
        )
