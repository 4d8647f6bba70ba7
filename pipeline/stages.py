"""The stage table: every stage in dependency order, the order `fleece corpus` runs them in.

The command line, `fleece corpus` and the tests read this table, and it imports nothing
heavy, so `fleece --help` can list the stages without Beam. A stage's name is also its
command, its output folder under the run directory and (for the sources, under
`sources.`) its manifest key. Adding a source = its package under pipeline/sources/, one
line here, and its config field in pipeline/config.py.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.sources import SOURCES

if TYPE_CHECKING:
    from pipeline.harness import Stage


@dataclass(frozen=True)
class StageEntry:
    name: str
    module: str  # defines STAGE (the Stage) and `command` (its click command)
    summary: str  # the one line `fleece --help` shows


STAGES: tuple[StageEntry, ...] = (
    StageEntry("sample", "pipeline.sample.stage",
               "Write deterministic synthetic inputs for all seven sources plus ground truth."),
    StageEntry("wikipedia", "pipeline.sources.wikipedia.stage",
               "Stage: MediaWiki XML dumps -> cleaned articles and cited URLs."),
    StageEntry("lm", "pipeline.sources.commoncrawl.lm_stage",
               "Stage: per language, SentencePiece + KenLM models trained on Wikipedia (cc_net)."),
    StageEntry("ccnet", "pipeline.sources.commoncrawl.ccnet_stage",
               "Stage: WET files -> deduplicated, language-identified, perplexity-scored pages."),
    StageEntry("refclf", "pipeline.sources.commoncrawl.refclf_stage",
               "Stage: a fastText classifier of the pages Wikipedia cites (LLaMA's filter)."),
    StageEntry("commoncrawl", "pipeline.sources.commoncrawl.stage",
               "Stage: ccnet pages -> the ones kept (perplexity buckets, reference classifier)."),
    StageEntry("c4", "pipeline.sources.c4.stage",
               "Stage: raw WET cleaned with C4's rules (or a built C4) -> English pages."),
    StageEntry("github", "pipeline.sources.github.stage",
               "Stage: GitHub JSONL exports -> licensed, filtered, deduplicated source files."),
    StageEntry("books", "pipeline.sources.books.stage",
               "Stage: Gutenberg and Books3 texts -> books without licence blocks, near-deduplicated."),
    StageEntry("arxiv", "pipeline.sources.arxiv.stage",
               "Stage: arXiv source tarballs -> papers' LaTeX bodies, macros expanded."),
    StageEntry("stackexchange", "pipeline.sources.stackexchange.stage",
               "Stage: per-site Posts.xml -> questions with their answers, highest score first."),
    StageEntry("tokenizer", "pipeline.tokenizer.stage",
               "Stage: train the SentencePiece BPE tokenizer (LLaMA settings) on the documents."),
    StageEntry("encode", "pipeline.encode.stage",
               "Stage: documents -> token ids, with token counts per source."),
    StageEntry("shards", "pipeline.shards.stage",
               "Stage: encoded documents -> mixed train/val Arrow token shards + manifest.json."),
)  # fmt: skip

# Other names a stage's command answers to.
ALIASES: dict[str, str] = {"mix": "shards"}


def entry(name: str) -> StageEntry:
    for candidate in STAGES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"unknown stage {name!r}; stages are {', '.join(stage_names())}")


def stage(name: str) -> Stage:
    return importlib.import_module(entry(name).module).STAGE


def all_stages() -> list[Stage]:
    return [stage(e.name) for e in STAGES]


def stage_names() -> list[str]:
    return [e.name for e in STAGES]


def source_stages() -> tuple[str, ...]:
    """The source stages in the table, in its order (what the tokenizer and encode read)."""
    return tuple(e.name for e in STAGES if e.name in SOURCES)
