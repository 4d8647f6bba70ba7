"""Train a SentencePiece BPE tokenizer with LLaMA's settings on a byte-bounded document sample.

SentencePiece reads "sentences" one per line and skips lines longer than max_sentence_length,
so documents are written one line per text line, long lines cut at a space first. Training
goes through SentencePieceTrainer (the generated protobuf module needs a newer protobuf than
apache-beam allows).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping

import sentencepiece as spm

from tokenizer.config import TokenizerConfig

# LLaMA's trainer_spec / normalizer_spec (see research/trainer-anchors.md section 4.1).
LLAMA_OPTIONS: dict[str, object] = {
    "model_type": "bpe",
    "split_digits": True,
    "byte_fallback": True,
    "allow_whitespace_only_pieces": True,
    "normalization_rule_name": "identity",
    "remove_extra_whitespaces": False,
    "add_dummy_prefix": True,
    "split_by_whitespace": True,
    "split_by_unicode_script": True,
    "split_by_number": True,
    "treat_whitespace_as_suffix": False,
    "shuffle_input_sentence": True,
    "unk_id": 0,
    "bos_id": 1,
    "eos_id": 2,
    "pad_id": -1,
    "minloglevel": 1,
}


# SentencePiece's refusal of a vocabulary its sample cannot fill, with the largest that fits:
# "Vocabulary size too high (30000). Please set it to a value <= 19959."
_TOO_HIGH = re.compile(r"Vocabulary size too high \((\d+)\)\. Please set it to a value <= (\d+)")


class TrainingRefused(ValueError):
    """Settings the sample text cannot support (a vocabulary larger than it allows, an empty
    sample): one line naming the `tokenizer.*` key to change."""


def _refusal(error: str, config: TokenizerConfig, sampled: int, lines: int) -> str:
    """SentencePiece's error as one line naming the key and what to set it to."""
    text = f"{sampled:,} bytes ({lines:,} lines) of sample text"
    too_high = _TOO_HIGH.search(error)
    if too_high is not None:
        return (
            f"tokenizer.vocab_size: {config.vocab_size} is more pieces than {text} allows "
            f"(SentencePiece: at most {int(too_high.group(2)):,}); lower it or give the "
            "tokenizer more text (tokenizer.sample_bytes, sources)"
        )
    first = error.strip().splitlines()[0] if error.strip() else "no reason given"
    return (
        f"tokenizer: SentencePiece could not train tokenizer.vocab_size={config.vocab_size} "
        f"on {text}: {first}; lower tokenizer.vocab_size or give it more text "
        "(tokenizer.sample_bytes, sources)"
    )


@dataclasses.dataclass(frozen=True)
class SampleStats:
    """How much text each source contributed to the training sample."""

    documents: dict[str, int]
    bytes: dict[str, int]
    lines: int


def byte_budgets(shares: Mapping[str, float], sample_bytes: int) -> dict[str, int]:
    """Bytes to draw per source: its share (renormalised over the given sources) of the total."""
    total = sum(shares.values())
    if total <= 0:
        raise ValueError(f"mixture shares must sum to a positive number, got {dict(shares)}")
    return {source: int(sample_bytes * share / total) for source, share in sorted(shares.items())}


def draw_sample(
    streams: Mapping[str, Iterable[str]], budgets: Mapping[str, int]
) -> Iterator[tuple[str, str]]:
    """(source, text) for each source's documents, in stream order, until its byte budget is
    reached (the document that crosses the budget is included). Streams should already be in
    a seeded random order; this only bounds them."""
    for source in sorted(streams):
        budget = budgets.get(source, 0)
        taken = 0
        if budget <= 0:
            continue
        for text in streams[source]:
            yield source, text
            taken += len(text.encode("utf-8", "replace"))
            if taken >= budget:
                break


def training_lines(text: str, max_bytes: int) -> Iterator[str]:
    """The non-empty lines of a document, each at most max_bytes of UTF-8 (cut at a space
    where one exists, else at a character boundary)."""
    for line in text.split("\n"):
        line = line.rstrip("\r")
        while line:
            encoded = line.encode("utf-8", "replace")
            if len(encoded) <= max_bytes:
                yield line
                break
            cut = len(encoded[:max_bytes].decode("utf-8", "ignore"))
            space = line.rfind(" ", 1, cut)
            cut = space if space > 0 else cut
            yield line[:cut]
            line = line[cut:]


def train_model(
    documents: Iterable[tuple[str, str]], config: TokenizerConfig, seed: int
) -> tuple[bytes, SampleStats]:
    """Train on (source, text) documents; return the serialized model and what it saw."""
    documents_per_source: dict[str, int] = {}
    bytes_per_source: dict[str, int] = {}
    lines = 0
    with tempfile.TemporaryDirectory(prefix="fleece-spm-") as workdir:
        sample_path = os.path.join(workdir, "sample.txt")
        with open(sample_path, "w", encoding="utf-8", errors="replace", newline="\n") as sample:
            for source, text in documents:
                documents_per_source[source] = documents_per_source.get(source, 0) + 1
                bytes_per_source[source] = bytes_per_source.get(source, 0) + len(
                    text.encode("utf-8", "replace")
                )
                for line in training_lines(text, config.max_sentence_length):
                    sample.write(line)
                    sample.write("\n")
                    lines += 1
        if lines == 0:
            raise TrainingRefused("the tokenizer sample is empty: no document text to train on")
        spm.set_random_generator_seed(seed)
        model = io.BytesIO()
        # Lines come through an iterator rather than `input=`, so the model records no
        # temporary path and two trainings on the same sample give identical bytes.
        with open(sample_path, encoding="utf-8", newline="\n") as sample:
            try:
                _train(sample, model, config)
            except RuntimeError as error:
                sampled = sum(bytes_per_source.values())
                raise TrainingRefused(_refusal(str(error), config, sampled, lines)) from error
    stats = SampleStats(
        documents=dict(sorted(documents_per_source.items())),
        bytes=dict(sorted(bytes_per_source.items())),
        lines=lines,
    )
    return model.getvalue(), stats


def _train(sample: Iterable[str], model: io.BytesIO, config: TokenizerConfig) -> None:
    spm.SentencePieceTrainer.train(
        sentence_iterator=(line.rstrip("\n") for line in sample),
        model_writer=model,
        vocab_size=config.vocab_size,
        character_coverage=config.character_coverage,
        input_sentence_size=config.input_sentence_size,
        max_sentence_length=config.max_sentence_length,
        max_sentencepiece_length=config.max_sentencepiece_length,
        num_threads=config.num_threads or os.cpu_count() or 1,
        **LLAMA_OPTIONS,
    )


def model_sha256(model: bytes) -> str:
    return hashlib.sha256(model).hexdigest()
