"""The `encode` stage's configuration and the encoded-document schema.

The stage itself (Beam) is in pipeline/encode_stage.py: pipeline.config imports EncodeConfig
from here, and the stage imports the harness, which imports pipeline.config, so keeping the
stage out of this module keeps that import cycle open.
"""

from __future__ import annotations

import dataclasses

import pyarrow as pa

from pipeline.params import param


@dataclasses.dataclass
class EncodeConfig:
    """How documents are encoded."""

    parts: int = param(0, "Output Parquet parts per source; 0 = as many as its document parts.")
    cache_entries: int = param(
        500_000, "Fragments whose ids each worker caches (memory ~200 bytes per entry)."
    )

    def validate(self) -> None:
        if self.parts < 0:
            raise ValueError("parts must be 0 (as many as the input) or more")
        if self.cache_entries < 0:
            raise ValueError("cache_entries must not be negative")


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
