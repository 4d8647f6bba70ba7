"""The frozen words-kept measure: what its denominator counts, and how it charges losses."""

from __future__ import annotations

from collections import Counter

from pipeline.sources.wikipedia.word_recall import TEXT, WordRecall, article_recall, prose_words


def counted(wikitext: str) -> Counter[str]:
    return Counter(word for word, _ in prose_words(wikitext, frozenset({"Datei"})))


def test_the_denominator_is_prose_and_plainly_read_templates() -> None:
    wikitext = (
        "{{Infobox city|name=Hidden}}The [[dog]]s ran{{cite web|title=Gone}}<ref>Refword</ref>"
        " {{convert|5|km|mi|abbr=on}} <!-- note --> [[File:X.jpg|thumb|Caption]] "
        "[[Datei:Y.png|Bild]] {{quote|text=Said so|author=Ann}}\n"
        "{| class=wikitable\n| Cell\n|}\n== Empty ==\n{{reflist}}\n[[Category:Cats]]"
    )
    assert counted(wikitext) == Counter(
        {"the": 1, "dogs": 1, "ran": 1, "5": 1, "km": 1, "mi": 1, "said": 1, "so": 1, "ann": 1}
    )


def test_origins_and_recall_charge_templates_first() -> None:
    prose = prose_words("Ran {{convert|5|km}} and {{Mystery|ran}}.")
    assert ("5", "convert") in prose and ("ran", TEXT) in prose and ("ran", "mystery") in prose
    article = article_recall(prose, "Ran 5 km and.")
    assert (article.words, article.kept) == (5, 4)
    assert article.lost_by_origin == Counter({"mystery": 1})
    total = WordRecall()
    total.add(article)
    total.add(article_recall(prose, "Ran 5 km and ran."))
    assert total.recall == 9 / 10 and total.top_lost(1) == {"mystery": 1}


def test_superscripts_count_as_the_digits_the_wikitext_writes() -> None:
    assert article_recall(prose_words("{{convert|3|km2}}"), "3 km²").kept == 2
