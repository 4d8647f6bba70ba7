"""Tokenizer settings: SentencePiece BPE as LLaMA trained it, plus how the training sample is drawn.

This module must not import `pipeline` (the dependency points pipeline -> tokenizer), so fields
carry their help text in dataclass metadata directly.
"""

from __future__ import annotations

import dataclasses


def _field(default: object, help: str) -> object:  # noqa: A002 - same keyword as pipeline.params
    return dataclasses.field(default=default, metadata={"help": help})


@dataclasses.dataclass
class TokenizerConfig:
    """SentencePiece training parameters; LLaMA's values are the defaults."""

    vocab_size: int = _field(32000, "Vocabulary size (LLaMA: 32000).")
    character_coverage: float = _field(
        0.99995, "Share of characters covered by pieces; the rest fall back to bytes."
    )
    sample_bytes: int = _field(
        2_000_000_000, "UTF-8 bytes of text drawn from the documents (at the mixture ratios)."
    )
    input_sentence_size: int = _field(
        10_000_000, "Most lines SentencePiece loads from the sample (bounds its memory)."
    )
    max_sentence_length: int = _field(
        4192, "Longest training line in bytes; longer lines are cut at a space first."
    )
    max_sentencepiece_length: int = _field(16, "Longest piece in characters.")
    num_threads: int = _field(0, "Training threads; 0 = all cores.")

    def validate(self) -> None:
        # ids 0-2 are <unk> <s> </s>, then 256 byte pieces (byte_fallback), then the rest.
        if self.vocab_size < 300:
            raise ValueError("vocab_size must be at least 300 (3 special + 256 byte pieces)")
        if not 0 < self.character_coverage <= 1:
            raise ValueError("character_coverage must be in (0, 1]")
        if self.sample_bytes <= 0 or self.input_sentence_size <= 0:
            raise ValueError("sample_bytes and input_sentence_size must be positive")
        if self.max_sentence_length < 16 or self.max_sentencepiece_length < 1:
            raise ValueError("max_sentence_length must be >= 16 and max_sentencepiece_length >= 1")
        if self.num_threads < 0:
            raise ValueError("num_threads must be 0 (all cores) or positive")
