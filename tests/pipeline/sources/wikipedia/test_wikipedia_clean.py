"""Wikitext cleaning: link text stays; templates, references, comments, files, categories
and tables go; cited URLs are collected from refs, cite templates and external links."""

from __future__ import annotations

from pipeline.sources.wikipedia.clean import clean_wikitext

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
    for marker in [
        "TEMPLATEVALUE",
        "Infobox",
        "Short description",
        "REFTITLE",
        "REFTEXT",
        "COMMENTTEXT",
        "CAPTIONTEXT",
        "KARTETEXT",
        "TABLEHEADER",
        "TABLECELL",
        "CATEGORYTEXT",
        "KATEGORIETEXT",
        "Reflist",
        "NOTOC",
        "wikitable",
        "{{",
        "}}",
        "[[",
        "]]",
        "<ref",
        "</ref>",
        "<!--",
        "{|",
        "|}",
        "'''",
        "de:Berlin",
        "https://",
        "http://",
    ]:
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
