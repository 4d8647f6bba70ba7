"""Tokenizer settings: SentencePiece BPE as LLaMA trained it, plus how the training sample is drawn."""

from __future__ import annotations

import dataclasses

from settings import BYTES_MAX, COUNT_MAX, INT32_MAX, param


@dataclasses.dataclass
class TokenizerConfig:
    """SentencePiece training parameters; LLaMA's values are the defaults."""

    # ids 0-2 are <unk> <s> </s>, then 256 byte pieces (byte_fallback), then the rest; at
    # most SentencePiece's int32 ids (the shards hold them as uint32 above 65,536).
    vocab_size: int = param(32000, "Vocabulary size (LLaMA: 32000).", min=300, max=INT32_MAX)
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
        max=BYTES_MAX,
    )
    input_sentence_size: int = param(
        10_000_000,
        "Most lines SentencePiece loads from the sample (bounds its memory).",
        min=1,
        max=COUNT_MAX,
    )
    max_sentence_length: int = param(
        4192,
        "Longest training line in bytes; longer lines are cut at a space first.",
        min=16,
        max=1 << 30,  # SentencePiece's limit
    )
    max_sentencepiece_length: int = param(
        16, "Longest piece in characters (SentencePiece: at most 512).", min=1, max=512
    )
    num_threads: int = param(
        0, "Training threads; 0 = all cores (SentencePiece: at most 1024).", min=0, max=1024
    )
    model_path: str = param(
        "",
        "An existing SentencePiece tokenizer.model (path or URI) to encode the corpus with "
        "instead of training one, e.g. to continue pre-training an imported model; its <s> "
        "and </s> must be ids 1 and 2, as in LLaMA's. Empty: train one.",
        path="file",
    )
