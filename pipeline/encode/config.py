"""The `encode` stage's configuration and the encoded-document schema.

The stage itself (Beam) is in stage.py beside it: pipeline.config imports EncodeConfig from
here without importing Beam.
"""

from __future__ import annotations

import dataclasses

import pyarrow as pa

from settings import COUNT_MAX, param


@dataclasses.dataclass
class EncodeConfig:
    """How documents are encoded."""

    cache_entries: int = param(
        500_000,
        "Fragments whose ids each worker caches (memory ~200 bytes per entry).",
        min=0,
        max=COUNT_MAX,
    )


def encoded_schema(vocab_size: int) -> pa.Schema:
    """Encoded documents: id, source, the SentencePiece ids (no BOS/EOS), UTF-8 text bytes."""
    id_type = pa.uint16() if vocab_size <= 1 << 16 else pa.uint32()
    return pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("source", pa.string(), nullable=False),
            pa.field("tokens", pa.list_(pa.field("item", id_type, nullable=False)), nullable=False),
            pa.field("bytes", pa.int64(), nullable=False),
        ]
    )
