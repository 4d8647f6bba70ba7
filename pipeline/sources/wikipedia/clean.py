"""Wikitext to plain text: keep link text, drop templates, references, comments, files,
categories and tables; collect the external URLs an article cites.

mwparserfromhell parses; the rendering walk is ours because `strip_code` keeps things we
must drop (table cells, file captions) and removing nodes one by one from a parsed tree is
quadratic in the number of templates on a page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import mwparserfromhell
from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

# Canonical names; each dump's <siteinfo> adds its local ones (Datei, Kategorie, ...).
MEDIA_NAMESPACES = frozenset({"file", "image", "media"})
CATEGORY_NAMESPACES = frozenset({"category"})
# Tags whose whole content is dropped: references, tables, galleries and non-prose blocks.
DROPPED_TAGS = frozenset(
    {"ref", "references", "table", "gallery", "imagemap", "timeline", "graph", "mapframe",
     "maplink", "templatestyles", "score", "noinclude", "onlyinclude", "includeonly", "style",
     "script"}
)  # fmt: skip
LINE_BREAK_TAGS = frozenset({"br", "p", "div", "li", "dd", "dt", "tr"})
# Interlanguage links ([[de:Artikel]]) are navigation, not text.
_INTERWIKI = re.compile(r"^\s*:?\s*[a-z]{2,3}(-[a-z]+)?\s*:", re.I)
_MAGIC_WORD = re.compile(r"__[A-Z]+__")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_URL_PARAMS = frozenset({"url", "chapter-url", "chapterurl", "contribution-url"})


@dataclass(frozen=True)
class CleanArticle:
    text: str
    cited_urls: tuple[str, ...]


def _namespace_prefix(title: str) -> str | None:
    head, sep, _ = title.strip().lstrip(":").partition(":")
    return head.strip().lower().replace("_", " ") if sep else None


class _Renderer:
    def __init__(self, media: frozenset[str], categories: frozenset[str]) -> None:
        self.media = media
        self.categories = categories
        self.urls: list[str] = []

    def collect_url(self, url: str) -> None:
        url = url.strip()
        if url.lower().startswith(("http://", "https://", "//")) and url not in self.urls:
            self.urls.append(url)

    def render(self, code: Wikicode) -> str:
        return "".join(self.node(node) for node in code.nodes)

    def node(self, node: object) -> str:  # noqa: PLR0911 - one branch per node type
        if isinstance(node, Text):
            return str(node.value)
        if isinstance(node, Wikilink):
            prefix = _namespace_prefix(str(node.title))
            if prefix in self.media or prefix in self.categories:
                self.scan(node.text)
                return ""
            if (
                node.text is None
                and _INTERWIKI.match(str(node.title))
                and not str(node.title).lstrip().startswith(":")
            ):
                return ""
            if node.text is not None:
                return self.render(node.text)
            return str(node.title).strip().lstrip(":").split("#")[0] or str(node.title).strip()
        if isinstance(node, ExternalLink):
            self.collect_url(str(node.url))
            return self.render(node.title) if node.title is not None else ""
        if isinstance(node, Template):
            self.scan_template(node)
            return ""
        if isinstance(node, Tag):
            name = str(node.tag).strip().lower()
            if name in DROPPED_TAGS:
                self.scan(node.contents)
                return ""
            inner = self.render(node.contents) if node.contents is not None else ""
            if name in LINE_BREAK_TAGS and not node.wiki_markup:
                return inner + "\n" if name != "li" else "\n" + inner
            return inner
        if isinstance(node, Heading):
            return "\n" + self.render(node.title).strip() + "\n"
        if isinstance(node, HTMLEntity):
            return html.unescape(str(node))
        if isinstance(node, Comment | Argument):
            return ""
        return ""

    def scan(self, code: Wikicode | None) -> None:
        """Collect cited URLs inside content that is itself dropped (refs, captions)."""
        if code is None:
            return
        for link in code.filter_external_links(recursive=True):
            self.collect_url(str(link.url))
        for template in code.filter_templates(recursive=True):
            self.scan_template(template, nested=False)

    def scan_template(self, template: Template, nested: bool = True) -> None:
        for param in template.params:
            if str(param.name).strip().lower() in _URL_PARAMS:
                self.collect_url(param.value.strip_code() or str(param.value))
            if nested:
                self.scan(param.value)


def clean_wikitext(
    wikitext: str,
    media_names: frozenset[str] = MEDIA_NAMESPACES,
    category_names: frozenset[str] = CATEGORY_NAMESPACES,
) -> CleanArticle:
    """Plain text of an article and the external URLs it cites, in order of appearance."""
    renderer = _Renderer(
        MEDIA_NAMESPACES | {n.lower() for n in media_names},
        CATEGORY_NAMESPACES | {n.lower() for n in category_names},
    )
    text = renderer.render(mwparserfromhell.parse(wikitext))
    text = _MAGIC_WORD.sub("", text)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = _TRAILING_SPACE.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text).strip()
    return CleanArticle(text=text, cited_urls=tuple(renderer.urls))
