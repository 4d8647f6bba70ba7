"""Every stage, in dependency order: the order `fleece corpus` runs them in."""

from __future__ import annotations

from pipeline.harness import Stage


def all_stages() -> list[Stage]:
    from pipeline.sample.stage import STAGE as sample
    from pipeline.wikipedia.stage import STAGE as wikipedia

    return [sample, wikipedia]


def stage_names() -> list[str]:
    return [stage.name for stage in all_stages()]
