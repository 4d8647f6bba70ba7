"""Document perplexity under a language's SentencePiece + KenLM models, as cc_net scores it.

Each line is put in its language-model form (pipeline/text/normalize.lm_form), cut into
SentencePiece pieces and scored by KenLM (log10, with sentence boundaries); the document's
perplexity is 10 ** (-Σ log10 p / Σ (pieces + 1)) over its non-empty lines, rounded to 0.1.
"""

from __future__ import annotations

import os

import kenlm
import sentencepiece as spm

from pipeline.text.normalize import lm_form


class PerplexityModel:
    """One language's models, loaded once per worker."""

    def __init__(self, sentencepiece_path: str, kenlm_path: str) -> None:
        for path in (sentencepiece_path, kenlm_path):
            if not os.path.isfile(path):
                raise FileNotFoundError(f"{path}: language model file missing")
        self.pieces = spm.SentencePieceProcessor()
        try:
            self.pieces.Load(sentencepiece_path)
        except (OSError, RuntimeError) as error:
            raise ValueError(f"{sentencepiece_path}: not a SentencePiece model: {error}") from None
        try:
            self.model = kenlm.Model(kenlm_path)
        except (OSError, RuntimeError) as error:
            raise ValueError(
                f"{kenlm_path}: not a KenLM model (.arpa or binary): {error}"
            ) from None

    def perplexity(self, text: str) -> float | None:
        """The document's perplexity; None for a text with no scorable line."""
        log_score, length = 0.0, 0
        for line in text.split("\n"):
            line = lm_form(line)
            if not line:
                continue
            pieces = self.pieces.EncodeAsPieces(line)
            log_score += self.model.score(" ".join(pieces))
            length += len(pieces) + 1
        if not length:
            return None
        return round(10.0 ** (-log_score / length), 1)
