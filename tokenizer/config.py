"""Tokenizer settings: SentencePiece BPE as LLaMA trained it, plus how the training sample is drawn."""

from __future__ import annotations

import dataclasses

from settings import param


@dataclasses.dataclass
class TokenizerConfig:
    """SentencePiece training parameters; LLaMA's values are the defaults."""

    # ids 0-2 are <unk> <s> </s>, then 256 byte pieces (byte_fallback), then the rest.
    vocab_size: int = param(32000, "Vocabulary size (LLaMA: 32000).", min=300)
    character_coverage: float = param(
        0.99995,
        "Share of characters covered by pieces; the rest fall back to bytes.",
        above=0,
        max=1,
    )
    sample_bytes: int = param(
        2_000_000_000,
        "UTF-8 bytes of text drawn from the documents (at the mixture ratios).",
        min=1,
    )
    input_sentence_size: int = param(
        10_000_000, "Most lines SentencePiece loads from the sample (bounds its memory).", min=1
    )
    max_sentence_length: int = param(
        4192, "Longest training line in bytes; longer lines are cut at a space first.", min=16
    )
    max_sentencepiece_length: int = param(16, "Longest piece in characters.", min=1)
    num_threads: int = param(0, "Training threads; 0 = all cores.", min=0)
    model_path: str = param(
        "",
        "An existing SentencePiece tokenizer.model (path or URI) to encode the corpus with "
        "instead of training one, e.g. to continue pre-training an imported model; its <s> "
        "and </s> must be ids 1 and 2, as in LLaMA's. Empty: train one.",
    )
