"""Language ID with the bundled lid.176.ftz, and perplexity under SentencePiece + KenLM
models trained here (lmplz from `make install`): English prose scores lowest, the same
words shuffled higher, random letters highest."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pipeline.sample import text
from pipeline.sample.commoncrawl import PageMaker
from pipeline.sources.commoncrawl.language import LanguageIdentifier, language_verdict
from pipeline.sources.commoncrawl.lm_training import train_models, write_lm_text
from pipeline.sources.commoncrawl.perplexity import PerplexityModel


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


@pytest.fixture(scope="module")
def english_models(tmp_path_factory: pytest.TempPathFactory) -> PerplexityModel:
    root = tmp_path_factory.mktemp("lm")
    grammar, rng = text.grammar("en"), random.Random(0)
    documents = [
        "\n".join(grammar.paragraph(rng, rng.randrange(3, 7)) for _ in range(4)) for _ in range(400)
    ]
    text_path = str(root / "en.txt")
    count, _ = write_lm_text(documents, text_path, max_documents=300)
    trained = train_models(text_path, str(root), "en", vocab_size=2000, memory="10%",
                           work_dir=str(root / "work"))  # fmt: skip
    assert count == 300 and trained.vocab_size <= 2000
    return PerplexityModel(trained.sentencepiece, trained.kenlm)


def test_prose_scores_below_word_salad_below_gibberish(english_models: PerplexityModel) -> None:
    maker, rng = PageMaker(), random.Random(7)
    prose = [english_models.perplexity(maker.reference(rng, "bridges")) for _ in range(20)]
    salad = [english_models.perplexity(maker.word_salad(rng)) for _ in range(20)]
    noise = [english_models.perplexity(maker.gibberish(rng)) for _ in range(20)]
    assert max(prose) < min(salad), (prose, salad)
    assert sorted(salad)[10] < sorted(noise)[10]
    assert english_models.perplexity("\n \n") is None


def test_lm_text_is_the_language_model_form(tmp_path: Path) -> None:
    path = tmp_path / "en.txt"
    assert write_lm_text(["Crème Brûlée, 1987!\n\n  Ça va?  "], str(path), 10) == (1, 25)
    assert path.read_text() == "creme brulee, 0000!\nca va?\n"


def test_missing_or_corrupt_model_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="en.sp.model: language model file missing"):
        PerplexityModel(str(tmp_path / "en.sp.model"), str(tmp_path / "en.arpa.bin"))
    (tmp_path / "en.sp.model").write_bytes(b"junk")
    (tmp_path / "en.arpa.bin").write_bytes(b"junk")
    with pytest.raises(ValueError, match="not a SentencePiece model"):
        PerplexityModel(str(tmp_path / "en.sp.model"), str(tmp_path / "en.arpa.bin"))


def test_auc_and_precision_recall() -> None:
    from pipeline.sources.commoncrawl.reference import auc, precision_recall

    assert auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert auc([0.1], [0.9]) == 0.0
    assert auc([0.5, 0.5], [0.5]) == 0.5
    assert auc([0.9, 0.3], [0.5, 0.1]) == 0.75
    assert precision_recall([0.9, 0.3], [0.6, 0.1], 0.5) == (0.5, 0.5)
