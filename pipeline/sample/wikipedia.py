"""MediaWiki XML exports (schema 0.11, bz2) with rich wikitext, one per language.

Per language: articles (namespace 0) with links, piped links, bold/italic, headings, infoboxes
and nested templates, references with cite templates, named and reused references, external
links, comments, files, categories, tables; redirects; pages in namespaces 1 2 4 6 10 14; and
articles that are only markup (they clean to an empty body). Unique marker tokens sit only in
one kind of markup each, so a test can tell which removal failed (see MARKERS).

Every CommonCrawl page in `cited_pages` is cited by at least one article of a LLaMA language.
Finnish (`fi`) is the language outside LLaMA's twenty: its articles must all be dropped.
"""

from __future__ import annotations

import bz2
import hashlib
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from pipeline.sample import sites, text, wikipedia_cases
from pipeline.sample.seeding import rng_for

LLAMA_LANGUAGES = (
    "bg",
    "ca",
    "cs",
    "da",
    "de",
    "en",
    "es",
    "fr",
    "hr",
    "hu",
    "it",
    "nl",
    "pl",
    "pt",
    "ro",
    "ru",
    "sl",
    "sr",
    "sv",
    "uk",
)
SAMPLE_LANGUAGES = ("en", "de", "fr", "es", "it", "fi")
ARTICLES_PER_LANGUAGE = 60
EMPTY_PER_LANGUAGE = 3

# Tokens that appear only inside one kind of markup; none may survive cleaning.
MARKERS = {
    "template_parameter": "qxtemplparam",
    "comment": "qxcommentonly",
    "reference": "qxrefonly",
    "table_cell": "qxtablecell",
    "file_caption": "qxfilecaption",
    "category_name": "qxcategoryname",
}
ABSENT_MARKUP = [
    "''",
    "(;",
    "()",
    "<math",
    "&ndash;",
    "&nbsp;",
    "{{",
    "}}",
    "[[",
    "]]",
    "<ref",
    "</ref>",
    "<!--",
    "{|",
    "|}",
    "Infobox",
    *MARKERS.values(),
]


@dataclass(frozen=True)
class Site:
    """What differs between the language editions: names of namespaces, templates, sections."""

    sitename: str
    base: str
    namespaces: dict[int, str]
    redirect: str
    infobox: str
    cite: str  # cite-web template name, then its url/title/site/date parameter names
    cite_params: tuple[str, str, str, str]
    sections: tuple[str, ...]  # history geography economy culture see-also references links
    misc_templates: tuple[str, ...]
    month: str


SITES: dict[str, Site] = {
    "en": Site(
        "Wikipedia",
        "https://en.wikipedia.org/wiki/Main_Page",
        {
            -2: "Media",
            -1: "Special",
            1: "Talk",
            2: "User",
            3: "User talk",
            4: "Wikipedia",
            6: "File",
            8: "MediaWiki",
            10: "Template",
            12: "Help",
            14: "Category",
        },
        "#REDIRECT",
        "Infobox settlement",
        "cite web",
        ("url", "title", "website", "access-date"),
        ("History", "Geography", "Economy", "Culture", "See also", "References", "External links"),
        ("Authority control", "Coord missing", "Use dmy dates|date=March 2022"),
        "March",
    ),
    "de": Site(
        "Wikipedia",
        "https://de.wikipedia.org/wiki/Wikipedia:Hauptseite",
        {
            -2: "Medium",
            -1: "Spezial",
            1: "Diskussion",
            2: "Benutzer",
            3: "Benutzer Diskussion",
            4: "Wikipedia",
            6: "Datei",
            8: "MediaWiki",
            10: "Vorlage",
            12: "Hilfe",
            14: "Kategorie",
        },
        "#WEITERLEITUNG",
        "Infobox Ort",
        "Internetquelle",
        ("url", "titel", "werk", "abruf"),
        (
            "Geschichte",
            "Geographie",
            "Wirtschaft",
            "Kultur",
            "Siehe auch",
            "Einzelnachweise",
            "Weblinks",
        ),
        ("Normdaten|TYP=g", "Navigationsleiste Orte", "Coordinate|NS=51|EW=9"),
        "März",
    ),
    "fr": Site(
        "Wikipédia",
        "https://fr.wikipedia.org/wiki/Wikip%C3%A9dia:Accueil_principal",
        {
            -2: "Média",
            -1: "Spécial",
            1: "Discussion",
            2: "Utilisateur",
            3: "Discussion utilisateur",
            4: "Wikipédia",
            6: "Fichier",
            8: "MediaWiki",
            10: "Modèle",
            12: "Aide",
            14: "Catégorie",
        },
        "#REDIRECTION",
        "Infobox Commune de France",
        "Lien web",
        ("url", "titre", "site", "consulté le"),
        (
            "Histoire",
            "Géographie",
            "Économie",
            "Culture",
            "Voir aussi",
            "Références",
            "Liens externes",
        ),
        ("Portail|géographie", "Palette|Communes", "Article détaillé|Histoire"),
        "mars",
    ),
    "es": Site(
        "Wikipedia",
        "https://es.wikipedia.org/wiki/Wikipedia:Portada",
        {
            -2: "Medio",
            -1: "Especial",
            1: "Discusión",
            2: "Usuario",
            3: "Usuario discusión",
            4: "Wikipedia",
            6: "Archivo",
            8: "MediaWiki",
            10: "Plantilla",
            12: "Ayuda",
            14: "Categoría",
        },
        "#REDIRECCIÓN",
        "Ficha de localidad",
        "Cita web",
        ("url", "título", "obra", "fechaacceso"),
        (
            "Historia",
            "Geografía",
            "Economía",
            "Cultura",
            "Véase también",
            "Referencias",
            "Enlaces externos",
        ),
        ("Control de autoridades", "Traducido ref|en|Morvane", "ORDENAR:Morvane"),
        "marzo",
    ),
    "it": Site(
        "Wikipedia",
        "https://it.wikipedia.org/wiki/Pagina_principale",
        {
            -2: "Media",
            -1: "Speciale",
            1: "Discussione",
            2: "Utente",
            3: "Discussioni utente",
            4: "Wikipedia",
            6: "File",
            8: "MediaWiki",
            10: "Template",
            12: "Aiuto",
            14: "Categoria",
        },
        "#RINVIA",
        "Divisione amministrativa",
        "Cita web",
        ("url", "titolo", "sito", "accesso"),
        (
            "Storia",
            "Geografia",
            "Economia",
            "Cultura",
            "Voci correlate",
            "Note",
            "Collegamenti esterni",
        ),
        ("Controllo di autorità", "Portale|geografia", "Comuni della provincia"),
        "marzo",
    ),
    "fi": Site(
        "Wikipedia",
        "https://fi.wikipedia.org/wiki/Wikipedia:Etusivu",
        {
            -2: "Media",
            -1: "Toiminnot",
            1: "Keskustelu",
            2: "Käyttäjä",
            3: "Keskustelu käyttäjästä",
            4: "Wikipedia",
            6: "Tiedosto",
            8: "MediaWiki",
            10: "Malline",
            12: "Ohje",
            14: "Luokka",
        },
        "#OHJAUS",
        "Kunta infobox",
        "Verkkoviite",
        ("osoite", "nimeke", "julkaisija", "viitattu"),
        (
            "Historia",
            "Maantiede",
            "Talous",
            "Kulttuuri",
            "Katso myös",
            "Lähteet",
            "Aiheesta muualla",
        ),
        ("Auktoriteettitunnisteet", "Tynkä/Maantiede", "Commonscat"),
        "maaliskuuta",
    ),
}

USERNAMES = (
    "Valdor",
    "Kartograf",
    "Ostra42",
    "WikiGnome7",
    "Marta.B",
    "Lusitano",
    "Hjalmar",
    "Quillon",
    "Ferrante",
    "Bibliophile88",
)


def base36_sha1(data: bytes) -> str:
    """The <sha1> of a MediaWiki revision: SHA-1 in base 36, 31 digits."""
    value, digits = int.from_bytes(hashlib.sha1(data).digest(), "big"), []
    while value:
        value, rest = divmod(value, 36)
        digits.append("0123456789abcdefghijklmnopqrstuvwxyz"[rest])
    return "".join(reversed(digits)).rjust(31, "0")


@dataclass
class Article:
    """What the ground truth needs to know about one generated article."""

    title: str
    wikitext: str = ""
    present: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # strings the cleaned text must not hold
    absent_lines: list[str] = field(default_factory=list)  # nor hold as a whole line
    unknown_templates: dict[str, int] = field(default_factory=dict)
    dangling_colon: bool = False
    revision_id: int = 0
    timestamp: str = ""


class ArticleWriter:
    """Builds the wikitext of one language's articles and records what must survive cleaning."""

    def __init__(self, language: str, titles: list[str], rng: random.Random) -> None:
        self.language = language
        self.site = SITES[language]
        self.grammar = text.grammar(language)
        self.web = text.WebWriter()
        self.reports = text.ReportWriter()
        self.titles = titles
        self.rng = rng
        self.file_ns = self.site.namespaces[6]
        self.category_ns = self.site.namespaces[14]

    # -- inline pieces ---------------------------------------------------------------------
    def link_fn(self, article: Article) -> Callable[[random.Random], str]:
        """A proper-name slot filler that sometimes writes a wiki link and records its text."""

        def fill(rng: random.Random) -> str:
            roll = rng.random()
            if roll < 0.35:
                target = rng.choice(self.titles)
                article.present.append(target)
                return f"[[{target}]]"
            if roll < 0.6:
                target = rng.choice(self.titles)
                shown = self.grammar.proper_name(rng)
                anchor = f"#{self.site.sections[rng.randrange(4)]}" if rng.random() < 0.2 else ""
                article.present.append(shown)
                return f"[[{target}{anchor}|{shown}]]"
            if roll < 0.7:
                shown = self.grammar.proper_name(rng)
                article.present.append(shown)
                return f"'''{shown}'''"
            if roll < 0.8:
                return f"''{self.grammar.proper_name(rng)}''"
            return self.grammar.proper_name(rng)

        return fill

    def cite_template(self, url: str, rng: random.Random) -> str:
        url_key, title_key, site_key, date_key = self.site.cite_params
        title = self.grammar.place_title(rng)
        return (
            f"{{{{{self.site.cite} |{url_key}={url} |{title_key}={title} "
            f"|{site_key}={self.grammar.proper_name(rng)} "
            f"|{date_key}=2022-0{rng.randrange(1, 7)}-{rng.randrange(10, 29)}}}}}"
        )

    def reference(
        self, article: Article, url: str | None, rng: random.Random, name: str | None
    ) -> str:
        """A <ref> holding a cite template or an external link for `url`, or a book citation."""
        open_tag = f'<ref name="{name}">' if name else "<ref>"
        if url is None:
            body = (
                f"{MARKERS['reference']} {self.grammar.proper_name(rng)}, "
                f"{self.grammar.proper_name(rng)[0]}. ({rng.randrange(1900, 2020)}). "
                f"''{self.grammar.place_title(rng)}''. p. {rng.randrange(1, 400)}."
            )
        else:
            article.cited.append(url)
            if rng.random() < 0.7:
                body = f"{MARKERS['reference']} {self.cite_template(url, rng)}"
            else:
                body = f"[{url} {self.grammar.place_title(rng)}] {MARKERS['reference']}"
        return f"{open_tag}{body}</ref>"

    def infobox(self, rng: random.Random) -> str:
        inner = rng.choice(
            (
                f"{{{{convert|{rng.randrange(10, 3000)}|m|ft|abbr=on}}}}",
                f"{{{{nowrap|{{{{formatnum:{rng.randrange(1000, 99999)}}}}}}}}}",
                f"{{{{flagicon|{self.grammar.proper_name(rng)}}}}}",
            )
        )
        return "\n".join(
            (
                f"{{{{{self.site.infobox}",
                f"| name = {self.grammar.place_title(rng)}",
                f"| population = {rng.randrange(100, 200000)}",
                f"| elevation = {inner}",
                f"| note = {MARKERS['template_parameter']} {self.grammar.proper_name(rng)}",
                f"| map = {self.grammar.proper_name(rng)}.svg",
                "}}",
            )
        )

    def table(self, rng: random.Random) -> str:
        rows = [
            '{| class="wikitable sortable"',
            "|-",
            "! Jahr !! Wert" if self.language == "de" else "! Year !! Value",
        ]
        for _ in range(rng.randrange(2, 5)):
            rows += [
                "|-",
                f"| {rng.randrange(1800, 2020)} || {MARKERS['table_cell']} "
                f"{text.group_digits(rng.randrange(100, 99999), self.grammar.thousands)}",
            ]
        rows.append("|}")
        return "\n".join(rows)

    def file_link(self, rng: random.Random) -> str:
        prefix = self.file_ns if rng.random() < 0.7 else rng.choice(("File", "Image"))
        caption = f"{MARKERS['file_caption']} {self.grammar.place_title(rng)}"
        if rng.random() < 0.3:
            caption += f" [[{rng.choice(self.titles)}]]"
        options = rng.choice(
            (
                "thumb",
                "thumb|left",
                "miniatur|hochkant" if self.language == "de" else "thumb|upright",
                "thumb|220px",
            )
        )
        image = f"{self.grammar.proper_name(rng)} {rng.randrange(1, 99)}.jpg"
        return f"[[{prefix}:{image}|{options}|{caption}]]"

    def comment(self, rng: random.Random) -> str:
        if rng.random() < 0.5:
            return f"<!-- {MARKERS['comment']} {self.grammar.sentence(rng)} -->"
        return f"<!--\n{MARKERS['comment']} {self.grammar.sentence(rng)}\n-->"

    # -- whole articles --------------------------------------------------------------------
    def article(self, title: str, cited_urls: list[str]) -> Article:
        rng, site, article = self.rng, self.site, Article(title=title)
        names = self.link_fn(article)
        refs: list[str] = []  # names of references that can be reused
        urls = list(cited_urls)
        extra = rng.randrange(0, 3)
        urls += [sites.uncrawled_url(rng) for _ in range(extra)]
        rng.shuffle(urls)
        external_section = [urls.pop()] if urls and rng.random() < 0.3 else []

        def sentence_with_refs() -> str:
            sentence = self.grammar.sentence(rng, names)
            roll = rng.random()
            if urls and roll < 0.25:
                name = f"r{len(refs) + 1}" if rng.random() < 0.5 else None
                if name:
                    refs.append(name)
                return sentence + self.reference(article, urls.pop(), rng, name)
            if 0.25 <= roll < 0.37:
                return sentence + self.reference(article, None, rng, None)
            if refs and roll < 0.45:
                return sentence + f'<ref name="{rng.choice(refs)}"/>'
            if 0.45 <= roll < 0.49:
                return sentence[:-1] + f" {{{{citation needed|date={site.month} 2021}}}}."
            return sentence

        def paragraph() -> str:
            return " ".join(sentence_with_refs() for _ in range(rng.randrange(3, 7)))

        bold = f"'''{title}'''"
        article.present.append(title)
        lead = f"{bold} – {self.grammar.sentence(rng, names)}"
        blocks = [f"{{{{{site.misc_templates[2]}}}}}", self.infobox(rng), lead + " " + paragraph()]
        if rng.random() < 0.5:
            blocks.append(self.comment(rng))
        for heading in site.sections[: rng.randrange(2, 5)]:
            blocks.append(f"== {heading} ==")
            if rng.random() < 0.3:
                blocks.append(f"{{{{Main|{rng.choice(self.titles)}}}}}")
            for _ in range(rng.randrange(1, 3)):
                blocks.append(paragraph())
            extra_roll = rng.random()
            if extra_roll < 0.3:
                blocks.append(self.file_link(rng))
            elif extra_roll < 0.5:
                blocks.append(self.table(rng))
            elif extra_roll < 0.65:
                blocks.append(self.comment(rng))
            if rng.random() < 0.25:
                blocks.append(f"=== {self.grammar.place_title(rng)} ===\n{paragraph()}")
        if self.language == "en":
            # Real English Wikipedia draws on archives and local reports and speaks of them,
            # and now and then of shops and prices: the sample's language model knows the
            # register of the pages Wikipedia cites well and the web's a little, so that
            # reports score near encyclopedic prose and shop pages above both.
            if rng.random() < 0.6:
                records = [self.reports.sentence(rng) for _ in range(rng.randrange(2, 5))]
                blocks.append("== Records ==\n" + " ".join(records))
            if rng.random() < 0.15:
                blocks.append(f"== Trade ==\n{self.web.paragraph(rng, rng.randrange(1, 3))}")
        if urls:  # citations not yet placed get a closing paragraph of their own
            blocks.append(
                " ".join(
                    self.grammar.sentence(rng, names) + self.reference(article, url, rng, None)
                    for url in reversed(urls)
                )
            )
            urls.clear()
        blocks.append(f"== {site.sections[4]} ==")
        blocks.append("\n".join(f"* [[{rng.choice(self.titles)}]]" for _ in range(2)))
        article.absent_lines.append(site.sections[5])  # only <references/> under it
        blocks.append(
            f"== {site.sections[5]} ==\n<references/>"
            if rng.random() < 0.5
            else f"== {site.sections[5]} ==\n{{{{Reflist}}}}"
        )
        if external_section:
            url = external_section[0]
            article.cited.append(url)
            blocks.append(f"== {site.sections[6]} ==\n* [{url} {self.grammar.place_title(rng)}]")
        blocks.append(f"{{{{{site.misc_templates[0]}}}}}")
        blocks.append(
            f"[[{self.category_ns}:{self.grammar.place_title(rng)}|{title}]]\n"
            f"[[{self.category_ns}:{self.grammar.proper_name(rng)} "
            f"{MARKERS['category_name']}]]"
        )
        article.wikitext = "\n\n".join(blocks)
        article.cited = list(dict.fromkeys(article.cited))
        return article

    def hard_article(self, title: str, case: wikipedia_cases.Case) -> Article:
        """A plain lead, one hard case, and a references section that cleans to nothing."""
        lead = self.grammar.sentence(self.rng)
        references = self.site.sections[5]
        wikitext = (
            f"'''{title}''' – {lead}\n\n{case.wikitext}\n\n"
            f"== {references} ==\n{{{{Reflist}}}}\n\n[[{self.category_ns}:{title}]]"
        )
        return Article(
            title=title,
            wikitext=wikitext,
            present=[f"{title} – {lead}", *case.present],
            cited=list(case.cited),
            absent=[*case.absent, wikipedia_cases.DROPPED_MARKER],
            absent_lines=[references],
            unknown_templates=dict(case.unknown_templates),
            dangling_colon=case.dangling_colon,
        )

    def empty_article(self, title: str, variant: int) -> Article:
        """An article that is only markup: it cleans to an empty body."""
        rng = self.rng
        if variant % 3 == 0:  # one template and nothing else
            wikitext = (
                f"{{{{{self.site.misc_templates[1]}|{MARKERS['template_parameter']} "
                f"{self.grammar.proper_name(rng)}}}}}"
            )
        elif variant % 3 == 1:
            wikitext = (
                f"{self.infobox(rng)}\n"
                f"[[{self.category_ns}:{self.grammar.proper_name(rng)} "
                f"{MARKERS['category_name']}]]"
            )
        else:
            wikitext = (
                f"{self.comment(rng)}\n{{{{{self.site.misc_templates[1]}}}}}\n{self.table(rng)}"
            )
        return Article(title=title, wikitext=wikitext)


class ExportWriter:
    """Streams one MediaWiki XML export to a bz2 file."""

    def __init__(self, path: str, language: str) -> None:
        self.out = bz2.BZ2File(path, "wb", compresslevel=9)
        self.language = language
        self.revisions: dict[int, tuple[int, str]] = {}  # page id -> (revision id, timestamp)
        self.write_header()

    def write(self, chunk: str) -> None:
        self.out.write(chunk.encode("utf-8"))

    def write_header(self) -> None:
        site = SITES[self.language]
        namespaces = "\n".join(
            f'      <namespace key="{key}" case="first-letter">{escape(name)}</namespace>'
            if key
            else '      <namespace key="0" case="first-letter" />'
            for key, name in sorted({0: "", **site.namespaces}.items())
        )
        self.write(
            '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.mediawiki.org/xml/export-0.11/ '
            'http://www.mediawiki.org/xml/export-0.11.xsd" version="0.11" '
            f'xml:lang="{self.language}">\n'
            "  <siteinfo>\n"
            f"    <sitename>{escape(site.sitename)}</sitename>\n"
            f"    <dbname>{self.language}wiki</dbname>\n"
            f"    <base>{escape(site.base)}</base>\n"
            "    <generator>MediaWiki 1.39.0-wmf.21</generator>\n"
            "    <case>first-letter</case>\n"
            "    <namespaces>\n"
            f"{namespaces}\n"
            "    </namespaces>\n"
            "  </siteinfo>\n"
        )

    def page(
        self,
        rng: random.Random,
        page_id: int,
        revision_id: int,
        title: str,
        ns: int,
        wikitext: str,
        redirect: str | None = None,
        timestamp: str | None = None,
    ) -> str:
        """Write one page; return its revision timestamp (`timestamp`, when given)."""
        if rng.random() < 0.8:
            contributor = (
                f"        <username>{escape(rng.choice(USERNAMES))}</username>\n"
                f"        <id>{rng.randrange(1000, 9_000_000)}</id>\n"
            )
        else:
            contributor = f"        <ip>192.0.2.{rng.randrange(1, 255)}</ip>\n"
        data = wikitext.encode("utf-8")
        redirect_tag = f"    <redirect title={quoteattr(redirect)} />\n" if redirect else ""
        minor = "      <minor />\n" if rng.random() < 0.2 else ""
        parent = revision_id - rng.randrange(1, 5000)
        drawn = (
            f"2022-0{rng.randrange(6, 9)}-{rng.randrange(10, 29)}T"
            f"{rng.randrange(10, 24)}:{rng.randrange(10, 60)}:{rng.randrange(10, 60)}Z"
        )
        timestamp = timestamp or drawn
        self.revisions[page_id] = (revision_id, timestamp)
        self.write(
            "  <page>\n"
            f"    <title>{escape(title)}</title>\n"
            f"    <ns>{ns}</ns>\n"
            f"    <id>{page_id}</id>\n"
            f"{redirect_tag}"
            "    <revision>\n"
            f"      <id>{revision_id}</id>\n"
            f"      <parentid>{parent}</parentid>\n"
            f"      <timestamp>{timestamp}</timestamp>\n"
            "      <contributor>\n"
            f"{contributor}"
            "      </contributor>\n"
            f"{minor}"
            "      <model>wikitext</model>\n"
            "      <format>text/x-wiki</format>\n"
            f'      <text bytes="{len(data)}" xml:space="preserve">'
            f"{escape(wikitext, {chr(34): '&quot;'})}</text>\n"
            f"      <sha1>{base36_sha1(data)}</sha1>\n"
            "    </revision>\n"
            "  </page>\n"
        )
        return timestamp

    def close(self) -> None:
        self.write("</mediawiki>\n")
        self.out.close()


def unique_titles(grammar: text.Grammar, rng: random.Random, count: int) -> list[str]:
    titles: list[str] = []
    seen: set[str] = set()
    while len(titles) < count:
        title = grammar.place_title(rng)
        if title not in seen:
            seen.add(title)
            titles.append(title)
    return titles


def assign_citations(
    cited_pages: list[sites.CitedPage], counts: dict[str, int], rng: random.Random
) -> dict[tuple[str, int], list[str]]:
    """Spread the cited CommonCrawl URLs over articles of the LLaMA languages."""
    languages = [lang for lang in SAMPLE_LANGUAGES if lang in LLAMA_LANGUAGES]
    assigned: dict[tuple[str, int], list[str]] = {}
    for i, page in enumerate(cited_pages):
        language = languages[i % len(languages)]
        key = (language, rng.randrange(counts[language]))
        assigned.setdefault(key, []).append(page.cited_url)
    return assigned


def talk_text(writer: ArticleWriter, rng: random.Random) -> str:
    user = rng.choice(USERNAMES)
    ns = writer.site.namespaces
    return (
        f"== {writer.grammar.place_title(rng)} ==\n{writer.grammar.paragraph(rng, 3)} "
        f"[[{ns[2]}:{user}|{user}]] ([[{ns[3]}:{user}|talk]]) 12:{rng.randrange(10, 60)}, "
        f"{rng.randrange(1, 28)} {writer.site.month} 2022 (UTC)\n"
        f":{writer.grammar.sentence(rng)} ~~~~"
    )


def write_language(
    out_dir: str, language: str, scale: int, seed: int, citations: dict[tuple[str, int], list[str]]
) -> dict:
    """Write one language's export; return its ground truth entry and per-document facts."""
    rng = rng_for(seed, "wikipedia", language)
    grammar = text.grammar(language)
    n_articles = ARTICLES_PER_LANGUAGE * scale
    n_empty = EMPTY_PER_LANGUAGE * scale
    titles = unique_titles(grammar, rng, n_articles + n_empty + 4 * scale)
    titles[rng.randrange(n_articles)] = f"{grammar.proper_name(rng)} & {grammar.proper_name(rng)}"
    article_titles = titles[:n_articles]
    writer = ArticleWriter(language, article_titles, rng)
    ns = SITES[language].namespaces
    path = os.path.join(out_dir, f"{language}wiki-sample-pages-articles.xml.bz2")
    export = ExportWriter(path, language)
    truth = {
        "file": f"wikipedia/{language}wiki-sample-pages-articles.xml.bz2",
        "in_llama": language in LLAMA_LANGUAGES,
        "articles": [],
        "redirects": [],
        "other_namespaces": [],
        "empty": [],
    }
    documents: dict[int, Article] = {}
    page_id, revision_id = rng.randrange(10, 1000), rng.randrange(10**8, 10**9)
    empty_slots = set(rng.sample(range(n_articles), n_empty))
    empty_titles = iter(titles[n_articles : n_articles + n_empty])
    redirect_titles = iter(titles[n_articles + n_empty :])

    def next_ids() -> tuple[int, int]:
        nonlocal page_id, revision_id
        page_id += rng.randrange(1, 40)
        revision_id += rng.randrange(1, 100000)
        return page_id, revision_id

    for index, title in enumerate(article_titles):
        article = writer.article(title, citations.get((language, index), []))
        pid, rid = next_ids()
        export.page(rng, pid, rid, title, 0, article.wikitext)
        truth["articles"].append(pid)
        documents[pid] = article
        if index in empty_slots:
            empty = writer.empty_article(next(empty_titles), len(truth["empty"]))
            pid, rid = next_ids()
            export.page(rng, pid, rid, empty.title, 0, empty.wikitext)
            truth["empty"].append(pid)
        roll = rng.random()
        if roll < 0.1:
            pid, rid = next_ids()
            redirect_title = next(redirect_titles, None) or f"{title} ({grammar.proper_name(rng)})"
            keyword = SITES[language].redirect if rng.random() < 0.6 else "#REDIRECT"
            export.page(
                rng,
                pid,
                rid,
                redirect_title,
                0,
                f"{keyword} [[{title}]]\n\n{{{{R from move}}}}",
                redirect=title,
            )
            truth["redirects"].append(pid)
        elif roll < 0.25:
            namespace = rng.choice((1, 1, 2, 4, 6, 10, 14))
            pid, rid = next_ids()
            export.page(
                rng,
                pid,
                rid,
                f"{ns[namespace]}:{other_title(namespace, title, rng)}",
                namespace,
                other_namespace_text(writer, namespace, rng),
            )
            truth["other_namespaces"].append(pid)
    # hard cases (wikipedia_cases.py): their own random stream, so the articles above stay
    # as they are when a case is added
    hard_rng = rng_for(seed, "wikipedia", language, "hard")
    hard_writer = ArticleWriter(language, article_titles, hard_rng)
    truth["hard"] = []
    seen = set(titles)
    for number in range(len(wikipedia_cases.BUILDERS) * scale):
        title = grammar.place_title(hard_rng)
        while title in seen:
            title = grammar.place_title(hard_rng)
        seen.add(title)
        builder = wikipedia_cases.BUILDERS[number % len(wikipedia_cases.BUILDERS)]
        article = hard_writer.hard_article(title, builder(hard_writer, hard_rng))
        pid, rid = next_ids()
        export.page(rng, pid, rid, title, 0, article.wikitext)
        truth["articles"].append(pid)
        truth["hard"].append(pid)
        documents[pid] = article
    for pid, article in documents.items():
        article.revision_id, article.timestamp = export.revisions[pid]
    export.close()
    return {"truth": truth, "documents": documents}


def other_title(namespace: int, article_title: str, rng: random.Random) -> str:
    if namespace == 1:
        return article_title
    if namespace == 2:
        return f"{rng.choice(USERNAMES)}/Sandbox{rng.randrange(1, 99)}"
    if namespace == 6:
        return f"{article_title} {rng.randrange(1, 99)}.jpg"
    return f"{article_title} {rng.randrange(1, 999)}"


def other_namespace_text(writer: ArticleWriter, namespace: int, rng: random.Random) -> str:
    grammar = writer.grammar
    if namespace in (1, 2, 4):
        return talk_text(writer, rng)
    if namespace == 6:
        summary = grammar.sentence(rng)
        return (
            f"== Summary ==\n{summary}\n\n{{{{Information|description={grammar.sentence(rng)}}}}}"
        )
    if namespace == 10:
        return (
            '<includeonly>{| class="infobox"\n! {{{name|{{PAGENAME}}}}}\n|-\n| {{{1}}}\n|}'
            "</includeonly><noinclude>\n" + grammar.sentence(rng) + "\n</noinclude>"
        )
    return f"{grammar.paragraph(rng, 2)}\n\n[[{writer.category_ns}:{grammar.place_title(rng)}]]"


# A later partial export of one language: some pages again, as newer, older and the same
# revision, and pages the main export lacks. One document per page must come out.
UPDATE_LANGUAGE = "en"
UPDATE_MARKER = "qxupdatedrevision"  # opens the newer copy of a page: must be in the document
STALE_MARKER = "qxstalerevision"  # opens an older copy: must not


def write_update(out_dir: str, documents: dict[int, Article], scale: int, seed: int) -> dict:
    """Write the update export of UPDATE_LANGUAGE; adjust `documents` to what must win."""
    language = UPDATE_LANGUAGE
    rng = rng_for(seed, "wikipedia", language, "update")
    grammar = text.grammar(language)
    name = f"{language}wiki-sample-update-pages-articles.xml.bz2"
    export = ExportWriter(os.path.join(out_dir, name), language)
    chosen = rng.sample(sorted(documents), 6 * scale)
    newer, older, same = chosen[0::3], chosen[1::3], chosen[2::3]
    for pid in chosen:
        article = documents[pid]
        if pid in newer:
            opening = f"{UPDATE_MARKER} {grammar.sentence(rng)}"
            article.present.append(opening)
            revision, wikitext = article.revision_id + rng.randrange(1, 5000), article.wikitext
            export.page(rng, pid, revision, article.title, 0, f"{opening}\n\n{wikitext}")
        elif pid in older:
            article.absent.append(STALE_MARKER)
            revision = article.revision_id - rng.randrange(1, 5000)
            wikitext = f"{STALE_MARKER} {grammar.sentence(rng)}\n\n{article.wikitext}"
            export.page(rng, pid, revision, article.title, 0, wikitext)
        else:  # the same revision: the copy in the earlier file is kept
            export.page(rng, pid, article.revision_id, article.title, 0, article.wikitext,
                        timestamp=article.timestamp)  # fmt: skip
    titles = {a.title for a in documents.values()}
    writer = ArticleWriter(language, sorted(titles), rng)
    added = []
    page_id, revision_id = max(documents) + 1000, max(a.revision_id for a in documents.values())
    for _ in range(2 * scale):
        title = grammar.place_title(rng)
        while title in titles:
            title = grammar.place_title(rng)
        titles.add(title)
        article = writer.article(title, [])
        page_id, revision_id = page_id + rng.randrange(1, 40), revision_id + rng.randrange(1, 999)
        export.page(rng, page_id, revision_id, title, 0, article.wikitext)
        documents[page_id] = article
        added.append(page_id)
    export.close()

    def ids(pids: list[int]) -> list[str]:
        return sorted(f"wikipedia/{language}/{pid}" for pid in pids)

    return {"file": f"wikipedia/{name}", "language": language, "newer": ids(newer),
            "older": ids(older), "same": ids(same), "new": ids(added)}  # fmt: skip


def write_wikipedia(
    out_dir: str, scale: int, seed: int, cited_pages: list[sites.CitedPage]
) -> dict:
    """Write every language's export under `out_dir`; return the "wikipedia" ground truth."""
    os.makedirs(out_dir, exist_ok=True)
    counts = {language: ARTICLES_PER_LANGUAGE * scale for language in SAMPLE_LANGUAGES}
    citations = assign_citations(cited_pages, counts, rng_for(seed, "wikipedia", "citations"))
    truth = {
        "languages": {},
        "expected_documents": [],
        "absent_markup": ABSENT_MARKUP,
        "present_text": {},
        "absent_text": {},
        "absent_lines": {},
        "cited_urls": {},
        "titles": {},
        "unknown_templates": {},
        "dangling_colon": [],
    }
    for language in SAMPLE_LANGUAGES:
        written = write_language(out_dir, language, scale, seed, citations)
        truth["languages"][language] = written["truth"]
        if language == UPDATE_LANGUAGE:
            truth["update"] = write_update(out_dir, written["documents"], scale, seed)
        if not written["truth"]["in_llama"]:
            continue
        for page_id, article in written["documents"].items():
            doc_id = f"wikipedia/{language}/{page_id}"
            truth["expected_documents"].append(doc_id)
            truth["present_text"][doc_id] = sorted(set(article.present))
            truth["absent_text"][doc_id] = sorted(set(article.absent))
            truth["absent_lines"][doc_id] = sorted(set(article.absent_lines))
            truth["cited_urls"][doc_id] = article.cited
            truth["titles"][doc_id] = article.title
            for name, uses in article.unknown_templates.items():
                truth["unknown_templates"][name] = truth["unknown_templates"].get(name, 0) + uses
            if article.dangling_colon:
                truth["dangling_colon"].append(doc_id)
    truth["expected_documents"].sort()
    truth["dangling_colon"].sort()
    return truth
