"""SentencePiece BPE with LLaMA's settings: training (tokenizer.train), exact fast encoding
(tokenizer.encoder) and `encode_batch`, the one-call Python API."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import pyarrow.fs as pafs

from tokenizer.encoder import FastEncoder


@functools.lru_cache(maxsize=4)
def _encoder(model: bytes) -> FastEncoder:
    return FastEncoder(model)


def _model_bytes(model: str | bytes) -> bytes:
    if isinstance(model, bytes):
        return model
    fs, path = (
        pafs.FileSystem.from_uri(model) if "://" in model else (pafs.LocalFileSystem(), model)
    )
    with fs.open_input_stream(path) as stream:
        return stream.read()


def encode_batch(texts: Sequence[str], model: str | bytes) -> list[list[int]]:
    """Each text's ids, exactly SentencePieceProcessor.encode(text) (lone surrogates become
    U+FFFD first), without BOS/EOS. `model`: tokenizer.model bytes or its path (local or URI).
    The encoder and its fragment cache are kept per model between calls."""
    return _encoder(_model_bytes(model)).encode_batch(texts)
