"""The `lm` stage: per language of `sources.commoncrawl.languages`, a SentencePiece model and
a KenLM 5-gram trained on that language's Wikipedia documents (lm_training.py), or the
ready models the manifest names (cc_net's published `<lang>.sp.model` / `<lang>.arpa.bin`).

Plain Python, no Beam: each language trains on one machine, as cc_net's Makefile did. A
language with too little Wikipedia text gets no model, is logged and counted
(`languages.without_model`); its pages then fall in no perplexity bucket.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator

from pipeline import io
from pipeline.config import RunConfig
from pipeline.documents import read_documents
from pipeline.harness.commands import stage_command
from pipeline.harness.stage import Stage, StageCannotRun, StageContext
from pipeline.progress import note_phase
from pipeline.signals.perplexity import PerplexityModel
from pipeline.sources.commoncrawl import REFERENCE_SOURCE, SOURCE
from pipeline.sources.commoncrawl.config import LanguageModelConfig
from pipeline.sources.commoncrawl.lm_training import train_models, write_lm_text

log = logging.getLogger("fleece")
NAME = "lm"
SENTENCEPIECE = "{language}.sp.model"
KENLM = "{language}.arpa.bin"


@dataclasses.dataclass
class LanguageModelParameters:
    languages: list[str]
    lm: LanguageModelConfig


def wikipedia_texts(parts: list[str], language: str) -> Iterator[str]:
    """The texts of the Wikipedia documents in `language`, parts in name order."""
    for part in sorted(parts):
        for row in read_documents(part):
            if row["language"] == language:
                yield row["text"]


def model_paths(lm_dir: str, language: str) -> tuple[str, str]:
    """(SentencePiece, KenLM) paths of a language's models under the lm stage's folder."""
    return (
        io.join(lm_dir, SENTENCEPIECE.format(language=language)),
        io.join(lm_dir, KENLM.format(language=language)),
    )


def check_ready_models(language: str, paths: list[str]) -> None:
    """Load a language's ready models once, so a missing or corrupt file stops the run here,
    before any page is scored, naming the manifest key and the file."""
    with tempfile.TemporaryDirectory() as local:
        try:
            PerplexityModel(*(io.local_copy(path, local) for path in paths))
        except (OSError, ValueError) as error:
            raise StageCannotRun(f"lm: sources.commoncrawl.lm.ready.{language}: {error}") from None


class LanguageModelStage(Stage):
    name = NAME
    requires = SOURCE.stage(NAME).requires  # declared in the package's SOURCE
    outputs = {"sentencepiece": "*.sp.model", "kenlm": "*.arpa.bin"}
    loaded_whole = ("sentencepiece", "kenlm")
    config_key = "sources.commoncrawl.lm"
    help = (
        "Per language, SentencePiece + KenLM 5-gram models trained on the Wikipedia "
        "documents (cc_net's perplexity models), or the ready models the manifest names."
    )

    def enabled(self, run: RunConfig) -> bool:
        return bool(run.sources.commoncrawl.inputs)

    def parameters(self, run: RunConfig) -> LanguageModelParameters:
        config = run.sources.commoncrawl
        return LanguageModelParameters(list(config.languages), config.lm)

    def input_patterns(self, run: RunConfig) -> list[str]:
        ready = run.sources.commoncrawl.lm.ready
        return [p for m in ready.values() for p in (m.sentencepiece, m.kenlm) if p]

    def run(self, ctx: StageContext) -> dict[str, int]:
        config = ctx.run.sources.commoncrawl
        counters: dict[str, int] = {"languages.with_model": 0, "languages.without_model": 0}
        parts = [f.path for f in io.match_files([ctx.input(REFERENCE_SOURCE, "documents")])]
        for language in config.languages:
            sentencepiece, kenlm = model_paths(ctx.out_dir, language)
            ready = config.lm.ready.get(language)
            if ready is not None:
                sources = [ctx.run.resolve(ready.sentencepiece), ctx.run.resolve(ready.kenlm)]
                check_ready_models(language, sources)
                for source, target in zip(sources, (sentencepiece, kenlm), strict=True):
                    io.copy_file(source, target)
                counters["languages.with_model"] += 1
                counters[f"ready.{language}"] = 1
                continue
            # spm_train and lmplz write local files: in the stage's temporary folder, on the
            # run's disk when it is local (pipeline/harness/scratch.py)
            with tempfile.TemporaryDirectory() as work:
                text_path = os.path.join(work, f"{language}.txt")
                documents, characters = write_lm_text(
                    wikipedia_texts(parts, language), text_path, config.lm.max_documents
                )
                counters[f"documents.{language}"] = documents
                counters[f"characters.{language}"] = characters
                if characters < config.lm.min_characters:
                    log.warning(
                        "lm: %s has %d characters of Wikipedia text, fewer than "
                        "sources.commoncrawl.lm.min_characters=%d: no language model; its "
                        "pages fall in no perplexity bucket",
                        language, characters, config.lm.min_characters,
                    )  # fmt: skip
                    counters["languages.without_model"] += 1
                    continue
                note_phase(f"training the {language} SentencePiece and KenLM models")
                trained = train_models(
                    text_path,
                    work,
                    language,
                    vocab_size=config.lm.vocab_size,
                    memory=config.lm.memory,
                    work_dir=work,
                )
                for target in (sentencepiece, kenlm):
                    trained_file = os.path.join(work, os.path.basename(target))
                    if "://" not in ctx.out_dir:
                        shutil.move(trained_file, target)  # a rename on one disk
                    else:
                        io.copy_file(trained_file, target)
            counters[f"vocab_size.{language}"] = trained.vocab_size
            counters["languages.with_model"] += 1
        return counters


STAGE = LanguageModelStage()
command = stage_command(STAGE)
