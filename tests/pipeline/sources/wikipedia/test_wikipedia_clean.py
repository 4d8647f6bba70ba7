"""Wikitext cleaning: link text stays; templates, references, comments, files, categories
and tables go; cited URLs are collected from refs, cite templates and external links.

The cases below are the constructs that left markup in real articles (unbalanced quotes,
markup in link targets, dropped inline templates...), each written the way it occurs in an
export, each checked for what must stay and for every kind of remnant."""

from __future__ import annotations

import pytest

from pipeline.sources.wikipedia.clean import clean_wikitext, tidy
from pipeline.sources.wikipedia.preprocess import REMOVED, resolve_quotes
from pipeline.sources.wikipedia.remnants import remnants, without_math

ARTICLE = """{{Infobox settlement|name=Berlin|population=TEMPLATEVALUE}}
{{Short description|Capital of {{country|Germany}}}}
'''Berlin''' is the [[Capital city|capital]] and largest city of [[Germany]].<ref name="census">{{cite web |url=https://www.statistik.de/berlin |title=REFTITLE}}</ref> It has 3.8 million people.<ref name="census"/>
<!-- COMMENTTEXT: do not change -->
== History ==
The city was first documented in the 13th century.<ref>Plain REFTEXT, see [http://archive.example.org/doc archive].</ref> See also [https://example.com/tour the official tour].
[[File:Berlin skyline.jpg|thumb|CAPTIONTEXT with [[Spree]]]]
[[Datei:Karte.png|mini|KARTETEXT]]
{| class="wikitable"
! Year !! TABLEHEADER
|-
| 1900 || TABLECELL
|}
=== Districts ===
* [[Mitte]]
* [[Pankow (district)|Pankow]]
[[Category:CATEGORYTEXT]]
[[Kategorie:KATEGORIETEXT]]
[[de:Berlin]]
__NOTOC__
== References ==
{{Reflist}}
<references />
"""


def test_keeps_prose_and_link_text():
    text = clean_wikitext(ARTICLE, frozenset({"Datei"}), frozenset({"Kategorie"})).text
    assert text.startswith("Berlin is the capital and largest city of Germany. It has 3.8 million")
    assert "History" in text and "Districts" in text
    assert "the official tour" in text
    assert "Mitte" in text and "Pankow" in text and "Pankow (district)" not in text
    assert "first documented in the 13th century." in text


def test_drops_templates_refs_comments_files_categories_tables():
    text = clean_wikitext(ARTICLE, frozenset({"Datei"}), frozenset({"Kategorie"})).text
    assert remnants(text) == {}
    for marker in ["TEMPLATEVALUE", "Infobox", "Short description", "REFTITLE", "REFTEXT",
                   "COMMENTTEXT", "CAPTIONTEXT", "KARTETEXT", "TABLEHEADER", "TABLECELL",
                   "CATEGORYTEXT", "KATEGORIETEXT", "Reflist", "NOTOC", "de:Berlin", "://",
                   "References"]:  # fmt: skip
        assert marker not in text, marker


def test_collects_cited_urls_in_order():
    urls = clean_wikitext(ARTICLE).cited_urls
    assert urls == (
        "https://www.statistik.de/berlin",
        "http://archive.example.org/doc",
        "https://example.com/tour",
    )


def test_template_only_article_cleans_to_nothing():
    assert clean_wikitext("{{Disambiguation}}\n[[Category:Stubs]]").text == ""


def test_html_entities_and_formatting():
    text = clean_wikitext("''Caf&eacute;'' &amp; <b>bar</b> &nbsp;x<br/>y").text
    assert text == "Café & bar \xa0x\ny"


def clean(wikitext: str, **options: str) -> str:
    text = clean_wikitext(wikitext, **options).text
    left = remnants(without_math(text))
    assert not left, left
    return text


# Each case: wikitext, words that must be in the text (in this order), words that must not.
CASES = {
    # -- an unbalanced '' or ''' closes at the end of its line, as in MediaWiki --------------
    "ref with unbalanced italics": (
        "Intro.<ref>Some Book'' by A. Author.</ref> Then ''an italic'' word.",
        ["Intro. Then an italic word."],
        ["Some Book", "Author"],
    ),
    "cite template in such a ref": (
        "Fact.<ref>{{cite web |url=http://pub.example.org/a |publisher=''Pub}}</ref> "
        "More ''x'' here.",
        ["Fact. More x here."],
        ["Pub", "cite"],
    ),
    "table with unclosed bold in a cell": (
        "Before.\n{| class=\"wikitable\"\n! Year !! Score\n|-\n| 1990 || '''87.5\n|-\n"
        "| 1991 || 88\n|}\nAfter ''x'' end.",
        ["Before.", "After x end."],
        ["87.5", "1991", "Score"],
    ),
    "unclosed bold in piped link text in a table": (
        "Lead.\n{| class=\"wikitable\"\n|-\n| [[1992 Wimbledon Championships|'''W]]\n|"
        " [[Other event|QF]]\n|}\nTail ''y''.",
        ["Lead.", "Tail y."],
        ["Wimbledon", "QF"],
    ),
    "file caption with '''…''<br />": (
        "Text.\n[[File:X.svg|thumb|Caption: '''Bold''<br />Line 2.]]\nNext ''z'' line.",
        ["Text.", "Next z line."],
        ["Caption", "Line 2", "X.svg"],
    ),
    "unbalanced '' on an earlier line": (
        "* Book One'' (1962).\n* Author, ''Book Two'' (1977).",
        ["Book One (1962).", "Author, Book Two (1977)."],
        [],
    ),
    "possessive after italics": (
        "The ''Some Book'''s theme is ''text''.",
        ["The Some Book's theme is text."],
        [],
    ),
    "apostrophe runs of four and of six": (
        "He said ''''hello'''' and ''''''wow''''''.",
        ["He said 'hello' and 'wow'."],
        [],
    ),
    "bold after a one-letter word (French elision)": (
        "C'est l'''amour'' fou et '''bien''' sûr.",
        ["C'est l'amour fou et bien sûr."],
        [],
    ),
    "quotes around a link in brackets": (
        "Reading [''[[The Art of Being Right]]''] online.",
        ["Reading [The Art of Being Right] online."],
        [],
    ),
    # -- link targets ------------------------------------------------------------------------
    "markup in an unpiped link target": (
        "See [[Foo&ndash;Bar]], [[Baz&nbsp;Q]] and [[Foo<!-- c -->bar]].",
        ["See Foo–Bar, Baz\xa0Q and Foobar."],
        ["&ndash;", "&nbsp;", "<!--"],
    ),
    "a 2–3 letter word and a colon": (
        "Shows like [[CSI: Miami]] and [[NCIS: Los Angeles]] ran [[de:Berlin]].",
        ["Shows like CSI: Miami and NCIS: Los Angeles ran."],
        ["de:Berlin"],
    ),
    "section anchor": (
        "Read [[Paris#History]] and [[#Early life]].",
        ["Read Paris#History and #Early life."],
        [],
    ),
    "piped interlanguage link and a colon link": (
        "Also [[fr:Paris|Paris]] and [[:fr:Paris|the French article]].",
        ["Also and the French article."],
        [],
    ),
    # -- math ---------------------------------------------------------------------------------
    "math kept as LaTeX": (
        "Energy is <math>E = mc^2</math>, and\n:<math display=\"block\">f''(x)</math>\ndone.",
        ["Energy is $E = mc^2$, and", "$$f''(x)$$", "done."],
        ["<math"],
    ),
    # -- what removals leave -----------------------------------------------------------------
    "emptied sections": (
        "Body text.\n== See also ==\n* [[Other]]\n== References ==\n{{reflist}}\n"
        "== Notes ==\n<references/>\n=== Sub ===\n{{notelist}}\n== External links ==\n"
        "* [http://example.org Official site]\n;Sources\n{{refbegin}}\n{{refend}}",
        ["Body text.", "See also", "Other", "External links", "Official site"],
        ["References", "Notes", "Sub", "Sources"],
    ),
    "dropped inline templates": (
        "'''Anna''' ({{IPA-en|ˈænə}}; born 1900) ran {{convert|5|km|mi}} in "
        "{{lang|fr|le parc}}, {{nowrap|two hours}} {{cn}}. Bob ({{lang-de|Robert}}) "
        "came ({{circa|1950}}){{sfn|Smith|2001|p=3}}. Size {{convert|3|to|4|m2}}.",
        [
            "Anna ([ˈænə]; born 1900) ran 5 km (3.1 mi) in le parc, two hours. Bob (Robert) "
            "came (c. 1950). Size 3 to 4 m² (32 to 43 sq ft)."
        ],
        ["( ;", "()", "  "],
    ),
    "templates that leave nothing inside brackets": (
        "Albedo ({{IPAc-en|}}) is {{citation needed|date=May 2020}} white (;{{efn|x}}).",
        ["Albedo is white."],
        ["(", ")"],
    ),
    "dates and quotes": (
        "She was born {{birth date|1950|3|5}} and {{birth date|1950|3|5|df=y}}.\n"
        "{{quote|text=To be or not to be.|sign=Hamlet}}",
        # the page signs the quote
        ["She was born March 5, 1950 and 5 March 1950.", "To be or not to be.\n— Hamlet"],
        ["sign"],
    ),
    # -- literal content ---------------------------------------------------------------------
    "nowiki and pre stay literal": (
        "Write <nowiki>''[[x]]''</nowiki> or <code>a &lt; b</code>.\n<pre>\nf() &amp; g()\n</pre>",
        ["Write ''[[x]]'' or a < b.", "f() & g()"],
        [],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_real_article_constructs_come_out_clean(name: str) -> None:
    wikitext, present, absent = CASES[name]
    if name == "nowiki and pre stay literal":  # its text is meant to look like markup
        text = clean_wikitext(wikitext).text
    else:
        text = clean(wikitext)
    position = 0
    for words in present:
        found = text.find(words, position)
        assert found >= 0, (words, text)
        position = found + len(words)
    for words in absent:
        assert words not in text, (words, text)


def test_math_can_be_dropped() -> None:
    text = clean("Energy is <math>E = mc^2</math> here.", math="drop")
    assert text == "Energy is here."


def test_resolve_quotes_follows_mediawiki() -> None:
    plain = [resolve_quotes(line).replace(REMOVED, "").replace("&#39;", "'") for line in (
        "''a'' '''b''' '''''c'''''", "l'''amour''", "x '''y'' z", "''''four''''")]  # fmt: skip
    assert plain == ["a b c", "l'amour", "x 'y z", "'four'"]


def test_tidy_mends_only_where_something_was_removed() -> None:
    assert tidy(f"Call f() or g( ) now.{REMOVED}") == "Call f() or g( ) now."
    assert tidy(f"A ({REMOVED}; b) c ({REMOVED}) d {REMOVED}.") == "A (b) c d."


def test_a_colon_before_a_dropped_table_or_list_is_counted() -> None:
    """Tables stay dropped (LLaMA), but the sentence that announced one is noted."""
    wikitext = (
        "The members are:\n{| class=wikitable\n| A || B\n|}\nSpecies include:\n"
        "{{Unknown species list|x}}\nKept as it is:\n* a list item\nHe said: yes.\n"
    )
    article = clean_wikitext(wikitext)
    assert article.dangling_colons == 2
    assert "The members are:\n\nSpecies include:\n\nKept as it is:\na list item" in article.text


def test_a_parser_function_renders_the_templates_inside_it() -> None:
    """Real enwiki (Abraham Lincoln): `{{formatnum:{{Inflation|US|800|1861|r=-2}}}}` left
    `{{inflation|us|800|1861|r=-2}}` in the text, lower-cased: the text after the colon was
    taken raw from the lookup key instead of being rendered."""
    article = clean_wikitext(
        "A tax on incomes above $800 (${{formatnum:{{Inflation|US|800|1861|r=-2}}}} in "
        "current dollar terms) and {{formatnum:{{val|1234}}}} Km."
    )
    assert "{{" not in article.text and "inflation" not in article.text.lower()
    assert "current dollar terms" in article.text and "1234 Km" in article.text
    assert article.unknown_templates == ("inflation",)
    assert not remnants(article.text)
