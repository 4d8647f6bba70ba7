"""The rules a cleaned paper must pass (steps on Documents): some text, and text that is
mostly characters rather than undecodable bytes."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.documents import Document
from pipeline.steps import Dropped
from pipeline.text.decode import REPLACEMENT


@dataclass(frozen=True)
class NotEmpty:
    """Drop papers with no text left once the LaTeX is cleaned."""

    def __call__(self, doc: Document) -> Document | Dropped:
        return doc if doc.text.strip() else Dropped("empty")


@dataclass(frozen=True)
class MaxReplacementShare:
    """Drop papers whose text has more than `share` U+FFFD characters per character: bytes
    that neither UTF-8 nor cp1252 read (random bytes give about 2%), not LaTeX."""

    share: float

    def __call__(self, doc: Document) -> Document | Dropped:
        replaced = doc.text.count(REPLACEMENT)
        return doc if replaced <= self.share * len(doc.text) else Dropped("replacement_chars")
