"""Every stage, in dependency order: the order `fleece corpus` runs them in."""

from __future__ import annotations

from pipeline.harness import Stage


def all_stages() -> list[Stage]:
    from pipeline.encode_stage import STAGE as encode
    from pipeline.mix.stage import STAGE as shards
    from pipeline.sample.stage import STAGE as sample
    from pipeline.tokenizer_stage import STAGE as tokenizer
    from pipeline.wikipedia.stage import STAGE as wikipedia

    return [sample, wikipedia, tokenizer, encode, shards]


def stage_names() -> list[str]:
    return [stage.name for stage in all_stages()]
