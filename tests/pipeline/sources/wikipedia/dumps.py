"""MediaWiki XML exports built in the tests, with faults placed between good pages."""

from __future__ import annotations

from xml.sax.saxutils import escape

NS = "http://www.mediawiki.org/xml/export-0.11/"


def page_xml(
    page_id: int,
    title: str,
    text: str,
    ns: int = 0,
    redirect: str | None = None,
    revision: int | None = None,
    timestamp: str = "2023-01-01T00:00:00Z",
) -> str:
    redirect_tag = f'    <redirect title="{escape(redirect)}" />\n' if redirect else ""
    revision = page_id * 10 if revision is None else revision
    return (
        "  <page>\n"
        f"    <title>{escape(title)}</title>\n    <ns>{ns}</ns>\n    <id>{page_id}</id>\n"
        f"{redirect_tag}"
        f"    <revision>\n      <id>{revision}</id>\n"
        f"      <timestamp>{timestamp}</timestamp>\n"
        "      <contributor><username>Test</username><id>1</id></contributor>\n"
        "      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
        f'      <text bytes="{len(text.encode())}" xml:space="preserve">{escape(text)}</text>\n'
        "    </revision>\n  </page>\n"
    )


def dump_xml(lang: str, pages: list[str], encoding: str = "UTF-8", doctype: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n{doctype}'
        f'<mediawiki xmlns="{NS}" version="0.11" xml:lang="{lang}">\n'
        "  <siteinfo>\n    <sitename>Wikipedia</sitename>\n"
        f"    <dbname>{lang}wiki</dbname>\n"
        "    <namespaces>\n"
        '      <namespace key="0" case="first-letter" />\n'
        '      <namespace key="6" case="first-letter">Datei</namespace>\n'
        '      <namespace key="14" case="first-letter">Kategorie</namespace>\n'
        "    </namespaces>\n  </siteinfo>\n" + "".join(pages) + "</mediawiki>\n"
    )


def article(i: int) -> str:
    return page_xml(i, f"Good {i}", f"'''Good {i}''' is an article about [[Topic {i}|topic {i}]].")


BOMB_DOCTYPE = (
    '<!DOCTYPE mediawiki [\n  <!ENTITY lol "lol">\n'
    '  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    '  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
)
