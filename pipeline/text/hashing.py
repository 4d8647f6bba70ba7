"""64-bit hashes of text, as cc_net computes them for line dedup."""

from __future__ import annotations

import hashlib

from pipeline.text.normalize import dedup_form


def text_hash(text: str) -> int:
    """The first 8 bytes of the SHA-1 of the UTF-8 text, as a signed 64-bit integer (the
    bits of cc_net's uint64 on a little-endian machine; signed so that every Beam coder and
    Arrow int64 column takes it)."""
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "little", signed=True)


def line_hash(line: str) -> int | None:
    """The hash line dedup keys a line by: of its dedup form; None for a line whose form is
    empty (blank, or only marks), which is kept as a separator and never deduplicated."""
    form = dedup_form(line)
    return text_hash(form) if form else None
