"""The language models the lm stage trains (lmplz from `make install`): perplexity under them
ranks English prose lowest, the same words shuffled higher, random letters highest; and the
reference classifier's measures. Language ID and the model loading: tests/pipeline/signals/."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pipeline.sample import text
from pipeline.sample.commoncrawl import PageMaker
from pipeline.signals.perplexity import PerplexityModel
from pipeline.sources.commoncrawl.lm_training import train_models, write_lm_text
from pipeline.sources.commoncrawl.reference import auc, precision_recall


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


def test_auc_and_precision_recall() -> None:
    assert auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert auc([0.1], [0.9]) == 0.0
    assert auc([0.5, 0.5], [0.5]) == 0.5
    assert auc([0.9, 0.3], [0.5, 0.1]) == 0.75
    assert precision_recall([0.9, 0.3], [0.6, 0.1], 0.5) == (0.5, 0.5)
