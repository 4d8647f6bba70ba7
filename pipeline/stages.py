"""The stage table: every stage in dependency order, the order `fleece corpus` runs them in.

The sample comes first, then each source's stages (sources in the registry's order: after
the sources they read, then by name), then the stages every source feeds: tokenizer,
encode, shards. The source stages come from the sources' declarations (pipeline/registry.py),
so adding a source edits nothing here. The command line, `fleece corpus` and the tests read
this table, and it imports no stage, so `fleece --help` lists the stages without Beam
(the harness loads a stage's module by the name given here: pipeline.harness.stage.find_stage).
A stage's name is also its command and its output folder under the run directory.
"""

from __future__ import annotations

from pipeline.declaration import StageSpec
from pipeline.registry import source_names, source_stage_specs

SAMPLE = StageSpec(
    "sample",
    "pipeline.sample.stage",
    "Write deterministic synthetic inputs for all seven sources plus ground truth.",
)
# the stages after the sources; each reads every source stage (its `requires` says so)
AFTER_SOURCES: tuple[StageSpec, ...] = (
    StageSpec(
        "tokenizer",
        "pipeline.tokenizer.stage",
        "Stage: train the SentencePiece BPE tokenizer (LLaMA settings) on the documents.",
    ),
    StageSpec(
        "encode",
        "pipeline.encode.stage",
        "Stage: documents -> token ids, with token counts per source.",
    ),
    StageSpec(
        "shards",
        "pipeline.shards.stage",
        "Stage: encoded documents -> mixed train/val Arrow token shards + manifest.json.",
    ),
)

# Other names a stage's command answers to.
ALIASES: dict[str, str] = {"mix": "shards"}


def table() -> tuple[StageSpec, ...]:
    """Every stage, in the order they run."""
    return (SAMPLE, *source_stage_specs(), *AFTER_SOURCES)


def entry(name: str) -> StageSpec:
    for candidate in table():
        if candidate.name == name:
            return candidate
    raise KeyError(f"unknown stage {name!r}; stages are {', '.join(stage_names())}")


def stage_names() -> list[str]:
    return [e.name for e in table()]


def source_stages() -> tuple[str, ...]:
    """The stages that write each source's documents (named as the sources), in source order:
    what the tokenizer and encode read."""
    return source_names()
