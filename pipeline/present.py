"""Which sources a run has built: the stages after them (tokenizer, encode, mix) use these.

A source is present when its stage finished (`<run>/<source>/_SUCCESS`) and wrote document
parts. Until every source stage exists, a run mixes what it has.
"""

from __future__ import annotations

import logging

from pipeline import io
from pipeline.config import SOURCES, RunConfig
from pipeline.harness import SUCCESS

log = logging.getLogger("fleece")


def document_pattern(run: RunConfig, source: str) -> str:
    """The glob of a source stage's document parts."""
    return io.join(run.resolve(run.run_dir), source, "part-*.parquet")


def present_sources(run: RunConfig) -> dict[str, list[str]]:
    """source -> its document part paths (sorted), for every finished source stage."""
    present: dict[str, list[str]] = {}
    for source in SOURCES:
        if not io.exists(io.join(run.resolve(run.run_dir), source, SUCCESS)):
            continue
        try:
            parts = [f.path for f in io.match_files([document_pattern(run, source)])]
        except FileNotFoundError:
            parts = []
        if parts:
            present[source] = parts
    return present


def warn_missing(stage: str, missing: list[str]) -> None:
    """Say which sources with a mixture ratio are absent (their share goes to the others)."""
    if missing:
        log.warning(
            "%s: sources missing from this run, ratios renormalised over the rest: %s",
            stage,
            ", ".join(missing),
        )
