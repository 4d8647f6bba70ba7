"""Language ID with the bundled lid.176.ftz (pipeline/signals/language.py) on the sample's
grammars, the verdict on its scores, and a clear error for a file that is no model."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pipeline.sample.commoncrawl import PageMaker
from pipeline.signals.language import LanguageIdentifier, language_verdict


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    return LanguageIdentifier()


def test_language_id_on_the_sample_grammars(identifier: LanguageIdentifier) -> None:
    maker, rng = PageMaker(), random.Random(3)
    for language in ("de", "fr", "es", "it", "fi"):
        found = [identifier.identify(maker.non_english(rng, language))[0] for _ in range(20)]
        assert found.count(language) >= 19, (language, found)
    english = [identifier.identify(maker.reference(rng, "rivers")) for _ in range(20)]
    assert all(lang == "en" and 0.5 <= score <= 1.0 for lang, score in english)
    salad = [identifier.identify(maker.word_salad(rng))[0] for _ in range(20)]
    assert salad.count("en") >= 18  # word salad passes language ID: perplexity must catch it


def test_language_verdicts() -> None:
    assert language_verdict("en", 0.91, ["en"], 0.5) is None
    assert language_verdict("de", 0.99, ["en"], 0.5) == "language"
    assert language_verdict("en", 0.42, ["en"], 0.5) == "language_score"
    # per-language thresholds win for the languages they name, and only for those
    assert language_verdict("hr", 0.42, ["hr", "en"], 0.5, {"hr": 0.3}) is None
    assert language_verdict("hr", 0.25, ["hr", "en"], 0.5, {"hr": 0.3}) == "language_score"
    assert language_verdict("en", 0.42, ["hr", "en"], 0.5, {"hr": 0.3}) == "language_score"


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "lid.bin"
    bad.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="lid.bin: not a fastText model"):
        LanguageIdentifier(str(bad))
    with pytest.raises(FileNotFoundError, match="no language-ID model"):
        LanguageIdentifier(str(tmp_path / "missing.bin"))
