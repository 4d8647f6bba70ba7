"""Bytes to text for inputs that declare no encoding: Gutenberg books, LaTeX sources.

UTF-8 first (a byte-order mark dropped); bytes that are not valid UTF-8 are read as cp1252,
the Windows superset of Latin-1 that old `.tex` files and Gutenberg's `-8.txt` editions
use. cp1252 leaves five bytes undefined; those become U+FFFD, and the share of U+FFFD in
the result lets a stage drop what is not text at all (random bytes give about 2%).
"""

from __future__ import annotations

from dataclasses import dataclass

REPLACEMENT = "\ufffd"
FALLBACK = "cp1252"


@dataclass(frozen=True)
class Decoded:
    text: str
    fallback: bool  # the bytes were not UTF-8 and were read as cp1252
    replacement_share: float  # U+FFFD characters per character of `text`


def decode_text(data: bytes) -> Decoded:
    """`data` as text: UTF-8 if it is, else cp1252 with undefined bytes as U+FFFD."""
    try:
        text = data.decode("utf-8-sig")
        fallback = False
    except UnicodeDecodeError:
        text = data.decode(FALLBACK, errors="replace")
        fallback = True
    share = text.count(REPLACEMENT) / len(text) if text else 0.0
    return Decoded(text, fallback, share)
