"""The template policy: each template rendered, reduced to one parameter, or dropped, and
the renderers of each family as a reader sees the template."""

from __future__ import annotations

import pytest

from pipeline.sources.wikipedia.clean import clean_wikitext
from pipeline.sources.wikipedia.templates import (
    UNKNOWN,
    Drop,
    KeepParameter,
    Render,
    apply_policy,
    split_name,
    template_key,
    template_policy,
)


def render(name: str, *positional: str, **named: str) -> str | None:
    key, first = split_name(template_key(name))
    policy = template_policy(key)
    assert not isinstance(policy, Drop), name
    arguments = {str(i): p for i, p in enumerate(([first] if first else []) + list(positional), 1)}
    return apply_policy(policy, {**arguments, **named})


@pytest.mark.parametrize(
    ("call", "shown"),
    [
        (("convert", "5", "km", "mi"), "5 km (3.1 mi)"),
        (("cvt", "5", "to", "10", "km"), "5 to 10 km (3.1 to 6.2 mi)"),
        (("convert", "60", "and", "80", "kg"), "60 and 80 kg (132 and 176 lb)"),
        (("convert", "60", "and(-)", "80", "kg"), "60 and 80 kg (132 and 176 lb)"),
        (("convert", "3", "x", "4", "m"), "3 × 4 m (9.8 × 13 ft)"),
        (("convert", "5", "-", "10", "km2"), "5–10 km² (1.9–3.9 sq mi)"),
        (("convert", "6", "ft", "2", "in", "m"), "6 ft 2 in"),
        (("convert", "5", "mi", "km", "0"), "5 mi (8 km)"),
        (("convert", "12", "furlong"), "12 furlong"),
        (("convert", "about", "km"), None),
        (("e", "24"), "×10^24"),
        (("sfrac", "1", "4"), "1/4"),
        (("val", "1.00794", "(7)"), "1.00794(7)"),
        (("As of", "2013", "June", "8"), "As of June 8, 2013"),
        (("death date and age", "1999", "5", "2", "1920", "1", "7"), "May 2, 1999 (aged 79)"),
        (("birth date", "1950", "3", "5"), "March 5, 1950"),
        (("Birth_date_and_age", "1950", "13", "5"), None),
        (("Columns-list", "2", "a\nb"), "a\nb"),
        (("hlist", "a", "", "b"), "a · b"),
        (("flatlist", "a\nb"), "a · b"),
        (("ordered list", "a", "b"), "1. a\n2. b"),
        (("div col", "4"), None),
        (("mdashb",), "—"),
        (("snd",), " – "),
        (("quote", "To be.", "Hamlet"), "To be.\n— Hamlet"),
        (("Lang", "fr", "le parc"), "le parc"),
        (("Lang-de", "Robert"), "Robert"),
        (("transl", "ar", "ALA", "Allāh"), "Allāh"),
        (("ill", "de", "Gotha", "Gotha"), "Gotha"),
        (("IPA-de", "ˈbɛʁlɪn"), "[ˈbɛʁlɪn]"),
        (("IPAc-en", "ˈ", "n", "juː", "_", "j", "ɔːr", "k"), "/ˈnjuː jɔːrk/"),
        (("IPAc-en", "US", "ˈ", "æ"), "/ˈæ/"),
        (("IPAc-en",), None),
        (("respell", "BUR", "lin"), "BUR-lin"),
        (("chem", "H", "2", "O"), "H2O"),
        (("vr", "ay"), "ay"),
        (("angbr", "t"), "⟨t⟩"),
        (("math", "x + 1"), "x + 1"),
        (("mvar", "x"), "x"),
        (("coord", "8", "8", "N", "165", "1", "W"), "8°8′N 165°1′W"),
        (("coord", "32.7", "-86.7"), "32.7°N 86.7°W"),
        (("formatnum:1234",), "1234"),
        (("nowrap", "two hours"), "two hours"),
        (("nihongo", "Tokyo", "東京", "Tōkyō"), "Tokyo (東京, Tōkyō)"),
        (("ndash",), "–"),
        (("Template:Nbsp",), "\xa0"),
    ],
)
def test_rendered_as_a_reader_sees_them(call: tuple[str, ...], shown: str | None) -> None:
    assert render(*call) == shown


def test_named_arguments() -> None:
    assert render("birth date", "1950", "3", "5", df="y") == "5 March 1950"
    assert render("val", "1.23", e="5", u="m") == "1.23×10^5 m"
    assert render("quote", text="To be.") == "To be."
    assert render("As of", "2012", lc="y") == "as of 2012"
    assert render("convert", "12392", "lb", "kg", order="flip") == "5,621 kg (12392 lb)"
    assert render("coord", "1", "N", "2", "E", display="title") is None


def test_three_outcomes_whatever_the_case_and_spacing() -> None:
    assert isinstance(template_policy(template_key("Convert")), Render)
    assert template_policy(template_key("Template:As_of")).family == "dates"
    assert isinstance(template_policy(template_key("Abbr")), KeepParameter)
    families = {name: template_policy(template_key(name)) for name in (
        "Infobox settlement", "Navbox", "cite web", "Citation needed", "sfn", "reflist")}  # fmt: skip
    assert families == {
        "Infobox settlement": Drop("infobox"),
        "Navbox": Drop("navigation"),
        "cite web": Drop("citation"),
        "Citation needed": Drop("maintenance"),
        "sfn": Drop("citation"),
        "reflist": Drop("citation"),
    }
    assert template_policy(template_key("No such template")) is UNKNOWN


def test_the_words_of_real_article_forms_are_kept() -> None:
    """Each form below lost words or glued them before the policy (the issue's list)."""
    cases = {
        "mass 5.98{{e|24}} kg": "mass 5.98×10^24 kg",
        "1{{sfrac|1|4}} cups": "1 1/4 cups",
        "{{As of|2013|June|8}}, a total of": "As of June 8, 2013, a total of",
        "computers{{mdashb}}following": "computers—following",
        "the formula is {{chem|C|''n''|H|2''n''+2}}, where": "the formula is CnH2n+2, where",
        "at {{coord|8|8|N|165|1|W}}, in the Pacific": "at 8°8′N 165°1′W, in the Pacific",
        "{{IPAc-en|ˈ|n|juː|_|j|ɔːr|k}}": "/ˈnjuː jɔːrk/",
        "{{vr|ay}}, {{angbr|t}}": "ay, ⟨t⟩",
    }
    for wikitext, shown in cases.items():
        assert clean_wikitext(wikitext).text == shown, wikitext


def test_unknown_templates_are_dropped_and_named() -> None:
    article = clean_wikitext("A {{Some_Box|x}} b {{some box}} c {{cite web|url=x}}.")
    assert article.text == "A b c."
    assert article.unknown_templates == ("some box", "some box")
