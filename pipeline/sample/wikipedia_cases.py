"""Hard cases for the Wikipedia sample: the constructs that left markup in real articles.

Each builder writes one block of wikitext the way it occurs in real exports (an unbalanced
`''` in a reference, unclosed bold in a table cell, a file caption ending in `''<br />`,
markup inside an unpiped link target, inline templates inside brackets, math...) and
returns what a correct cleaner must show (`present`, exact substrings of the cleaned text)
and what it must not (`absent`). A naive mwparserfromhell cleaner fails most of them: an
unbalanced quote pairs with one paragraphs later and the construct between is printed as
markup. Each hard article holds one case after a plain lead, so the rest of the sample stays
readable by a simple reference cleaner.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.sample import sites
from pipeline.sources.wikipedia.languages import WIKIPEDIA_EDITIONS

# Unique tokens inside content that must be dropped (no other text contains them).
DROPPED_MARKER = "qxhardcasedropped"


@dataclass
class Case:
    wikitext: str
    present: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)
    # templates the stage's policy does not know: name (as templates.template_key) -> uses
    unknown_templates: dict[str, int] = field(default_factory=dict)
    dangling_colon: bool = False  # a line ends in ":" right before a dropped table


def _italic_sentence(sentence: str) -> tuple[str, str]:
    """The sentence with its second word in italics, and the sentence as it should read."""
    words = sentence.split(" ")
    if len(words) > 2:
        words[1] = f"''{words[1]}''"
    return " ".join(words), sentence


def ref_with_unbalanced_italics(w, rng: random.Random) -> Case:
    first, (second, second_plain) = (
        w.grammar.sentence(rng),
        _italic_sentence(w.grammar.sentence(rng)),
    )
    book = w.grammar.place_title(rng)
    ref = f"<ref>{DROPPED_MARKER} {book}'' {w.grammar.proper_name(rng)}.</ref>"
    return Case(f"{first}{ref} {second}", [f"{first} {second_plain}"], [book])


def cite_template_in_such_a_ref(w, rng: random.Random) -> Case:
    first, (second, second_plain) = (
        w.grammar.sentence(rng),
        _italic_sentence(w.grammar.sentence(rng)),
    )
    url = sites.uncrawled_url(rng)
    publisher = w.grammar.proper_name(rng)
    ref = (f"<ref>{{{{{w.site.cite} |url={url} |title={DROPPED_MARKER} "
           f"|publisher=''{publisher}}}}}</ref>")  # fmt: skip
    return Case(f"{first}{ref} {second}", [f"{first} {second_plain}"], [publisher], [url])


def table_with_unclosed_bold(w, rng: random.Random) -> Case:
    after, after_plain = _italic_sentence(w.grammar.sentence(rng))
    score = f"{rng.randrange(10, 99)}.{rng.randrange(0, 9)}"
    table = "\n".join((
        '{| class="wikitable"', "! " + w.grammar.proper_name(rng) + " !! " + DROPPED_MARKER,
        "|-", f"| {rng.randrange(1900, 2020)} || '''{score}", "|-",
        f"| {rng.randrange(1900, 2020)} || {DROPPED_MARKER}", "|}",
    ))  # fmt: skip
    return Case(f"{table}\n{after}", [after_plain], [score])


def piped_link_with_unclosed_bold_in_a_table(w, rng: random.Random) -> Case:
    after, after_plain = _italic_sentence(w.grammar.sentence(rng))
    target = rng.choice(w.titles)
    table = "\n".join((
        '{| class="wikitable"', "|-", f"| [[{target}|'''W]]",
        f"| {DROPPED_MARKER} [[{rng.choice(w.titles)}|QF]]", "|}",
    ))  # fmt: skip
    return Case(f"{table}\n{after}", [after_plain], ["'''W", "QF"])


def file_caption_with_unbalanced_quotes(w, rng: random.Random) -> Case:
    after, after_plain = _italic_sentence(w.grammar.sentence(rng))
    caption = (f"{DROPPED_MARKER}: '''{w.grammar.proper_name(rng)}''<br />"
               f"{w.grammar.place_title(rng)}.")  # fmt: skip
    image = f"{w.grammar.proper_name(rng)}.svg"
    return Case(f"[[{w.file_ns}:{image}|thumb|{caption}]]\n{after}", [after_plain], [image])


def unbalanced_italics_on_an_earlier_line(w, rng: random.Random) -> Case:
    one, two, author = (
        w.grammar.place_title(rng),
        w.grammar.place_title(rng),
        w.grammar.proper_name(rng),
    )
    year1, year2 = rng.randrange(1900, 1960), rng.randrange(1960, 2020)
    return Case(
        f"* {one}'' ({year1}).\n* {author}, ''{two}'' ({year2}).",
        [f"{one} ({year1}).", f"{author}, {two} ({year2})."],
    )


def possessive_after_italics(w, rng: random.Random) -> Case:
    book, sentence = w.grammar.place_title(rng), w.grammar.sentence(rng)
    after, after_plain = _italic_sentence(w.grammar.sentence(rng))
    return Case(f"''{book}'''s {sentence} {after}", [f"{book}'s {sentence} {after_plain}"])


def markup_in_unpiped_link_targets(w, rng: random.Random) -> Case:
    a, b, c, d, e, f = (w.grammar.proper_name(rng) for _ in range(6))
    return Case(
        f"* [[{a}&ndash;{b}]]\n* [[{c}&nbsp;{d}]]\n* [[{e}<!-- {DROPPED_MARKER} -->{f}]]",
        [f"{a}–{b}", f"{c}\xa0{d}", f"{e}{f}"],
        ["&ndash;", "&nbsp;"],
    )


def short_word_and_colon(w, rng: random.Random) -> Case:
    while True:
        prefix = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.choice((2, 3))))
        if prefix.lower() not in WIKIPEDIA_EDITIONS:
            break
    show = f"{prefix}: {w.grammar.place_title(rng)}"
    return Case(f"* [[{show}]] ([[de:{DROPPED_MARKER}]])", [show], ["de:"])


def section_anchor(w, rng: random.Random) -> Case:
    target = f"{rng.choice(w.titles)}#{w.site.sections[rng.randrange(4)]}"
    return Case(f"* [[{target}]]", [target])


def math(w, rng: random.Random) -> Case:
    a, b = rng.choice("xyzab"), rng.choice("nmk")
    latex = f"{a}^{{{b}}} + \\frac{{1}}{{{b}}}"
    sentence = w.grammar.sentence(rng)[:-1]
    return Case(f"{sentence} <math>{latex}</math>.", [f"{sentence} ${latex}$."], ["<math"])


def inline_templates(w, rng: random.Random) -> Case:
    name, ipa = w.grammar.proper_name(rng), "ˈ" + w.grammar.proper_name(rng).lower()
    born, died = rng.randrange(1800, 1900), rng.randrange(1900, 2000)
    value, word = rng.randrange(2, 90), w.grammar.proper_name(rng)
    sentence = w.grammar.sentence(rng)[:-1]
    return Case(
        f"'''{name}''' ({{{{IPA-{w.language}|{ipa}}}}}; {born}–{died}) "
        f"{{{{nowrap|{word}}}}} {{{{convert|{value}|km|mi}}}}.{{{{citation needed}}}} "
        f"{sentence} {{{{lang|fr|{word.lower()}}}}}.",
        # the conversion follows the value: "10 km (6.2 mi)"
        [
            f"{name} ([{ipa}]; {born}–{died}) {word} {value} km (",
            f" mi). {sentence} {word.lower()}.",
        ],  # fmt: skip
        ["( ;", "()"],
    )


def templates_that_leave_empty_brackets(w, rng: random.Random) -> Case:
    name, sentence = w.grammar.proper_name(rng), w.grammar.sentence(rng)
    tail = sentence[0].lower() + sentence[1:]
    return Case(
        f"{name} ({{{{IPAc-en|}}}}) {tail}{{{{efn|{DROPPED_MARKER}}}}}",
        [f"{name} {tail}"],
        ["()", "( )"],
    )


def number_templates(w, rng: random.Random) -> Case:
    """Numbers and units: {{convert}} in its range forms, {{e}}, {{sfrac}}, {{val}}."""
    low, high, mass = rng.randrange(2, 40), rng.randrange(50, 90), rng.randrange(2, 9)
    sentence = w.grammar.sentence(rng)[:-1]
    return Case(
        f"{sentence} of {mass}.5{{{{e|{low}}}}} kg, between {{{{convert|{low}|and(-)|{high}|kg}}}}"
        f" or {{{{convert|{low}|x|{high}|m}}}} or {{{{cvt|{low}|-|{high}|km}}}}, "
        f"{mass}{{{{sfrac|1|4}}}} cups and {{{{val|{mass}.25|e={low}|u=m}}}}.",
        [f"{sentence} of {mass}.5×10^{low} kg, between {low} and {high} kg (",
         f" or {low} × {high} m (", f" or {low}–{high} km (",
         f"{mass} 1/4 cups and {mass}.25×10^{low} m."],
    )  # fmt: skip


def word_templates(w, rng: random.Random) -> Case:
    """Dates, dashes, chemistry and coordinates: words the reader sees in the sentence."""
    year, day, word = rng.randrange(1990, 2020), rng.randrange(1, 28), w.grammar.proper_name(rng)
    lat, lon = rng.randrange(1, 80), rng.randrange(1, 170)
    return Case(
        f"{{{{As of|{year}|June|{day}}}}}, {word}{{{{mdashb}}}}{word.lower()} holds "
        f"{{{{chem|H|2|O}}}}, {{{{vr|ay}}}} and {{{{angbr|t}}}}{{{{snd}}}}at "
        f"{{{{coord|{lat}|N|{lon}|W}}}}, since {{{{start date|{year}|3|{day}}}}}.",
        [f"As of June {day}, {year}, {word}—{word.lower()} holds H2O, ay and ⟨t⟩ – at "
         f"{lat}°N {lon}°W, since March {day}, {year}."],
    )  # fmt: skip


def list_and_language_templates(w, rng: random.Random) -> Case:
    """Lists inside templates, and pronunciation: items and sounds the page shows."""
    items = [w.grammar.proper_name(rng) for _ in range(6)]
    name = w.grammar.proper_name(rng)
    return Case(
        f"{name} ({{{{IPAc-en|ˈ|n|iː|_|j|ɔːr|k}}}}) lists:\n{{{{Columns-list|2|\n* {items[0]}\n"
        f"* {items[1]}\n}}}}\nAlso {{{{hlist|{items[2]}|{items[3]}}}}} and\n"
        f"{{{{flatlist|\n* {items[4]}\n* {items[5]}\n}}}}",
        [f"{name} (/ˈniː jɔːrk/) lists:\n{items[0]}\n{items[1]}\nAlso {items[2]} · {items[3]}"
         f" and\n{items[4]} · {items[5]}"],
        ["_"],
    )  # fmt: skip


def unknown_template_and_dangling_colon(w, rng: random.Random) -> Case:
    """A template no policy knows is dropped and counted; so is the colon announcing a
    dropped table."""
    sentence, after = w.grammar.sentence(rng), w.grammar.sentence(rng)
    lead = sentence[:-1] + ":"
    table = f'{{| class="wikitable"\n| {DROPPED_MARKER} || 1\n|}}'
    return Case(
        f"{lead}\n{table}\n{after} {{{{Qx unplanned box|{DROPPED_MARKER}}}}}",
        [f"{lead}\n\n{after}"],
        unknown_templates={"qx unplanned box": 1},
        dangling_colon=True,
    )


BUILDERS: tuple[Callable[..., Case], ...] = (
    ref_with_unbalanced_italics,
    cite_template_in_such_a_ref,
    table_with_unclosed_bold,
    piped_link_with_unclosed_bold_in_a_table,
    file_caption_with_unbalanced_quotes,
    unbalanced_italics_on_an_earlier_line,
    possessive_after_italics,
    markup_in_unpiped_link_targets,
    short_word_and_colon,
    section_anchor,
    math,
    inline_templates,
    templates_that_leave_empty_brackets,
    number_templates,
    word_templates,
    list_and_language_templates,
    unknown_template_and_dangling_colon,
)
