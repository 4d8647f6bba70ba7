"""Inline templates rendered from their arguments, and None where the form is not the
simple one (the template is then dropped)."""

from __future__ import annotations

import pytest

from pipeline.sources.wikipedia.templates import inline_renderer, template_key


def render(name: str, *positional: str, **named: str) -> str | None:
    render = inline_renderer(template_key(name))
    assert render is not None, name
    return render(list(positional), named)


@pytest.mark.parametrize(
    ("call", "shown"),
    [
        (("convert", "5", "km", "mi"), "5 km"),
        (("cvt", "5", "to", "10", "km"), "5 to 10 km"),
        (("convert", "5", "-", "10", "km2"), "5–10 km²"),
        (("convert", "6", "ft", "2", "in", "m"), "6 ft 2 in"),
        (("convert", "about", "km"), None),
        (("Lang", "fr", "le parc"), "le parc"),
        (("Lang-de", "Robert"), "Robert"),
        (("nowrap", "two hours"), "two hours"),
        (("IPA-de", "ˈbɛʁlɪn"), "[ˈbɛʁlɪn]"),
        (("IPAc-en", "ˈ", "b", "ɜːr", "l", "ɪ", "n"), "/ˈbɜːrlɪn/"),
        (("IPAc-en", "US", "ˈ", "æ"), "/ˈæ/"),
        (("IPAc-en",), None),
        (("birth date", "1950", "3", "5"), "March 5, 1950"),
        (("Birth_date_and_age", "1950", "13", "5"), None),
        (("frac", "3", "1", "2"), "3 1/2"),
        (("circa", "1950"), "c. 1950"),
        (("hlist", "a", "", "b"), "a · b"),
        (("resize", "text"), "text"),
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
    assert render("quote", text="To be.", sign="Hamlet") == "To be."


def test_other_templates_are_dropped() -> None:
    for name in ("Infobox settlement", "cite web", "citation needed", "sfn", "reflist", "coord"):
        assert inline_renderer(template_key(name)) is None
