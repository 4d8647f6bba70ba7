"""Wikitext to plain text: the words a reader sees, without markup; and the cited URLs.

Kept: prose, link text, headings (those with text under them), list items, the inline
templates whose text is their content (the policy of templates.py), math as LaTeX between `$` (or
dropped: the `math` parameter), the literal content of `<nowiki>` and `<pre>`. Dropped:
other templates, references, comments, files, categories, interlanguage links, tables,
galleries, and what removing them leaves behind (empty brackets, doubled spaces).
Templates the policy does not know are dropped and named in `unknown_templates`; a line
ending in ":" right before a dropped table or template (a list the text announces and no
longer holds: "The members are:") is counted in `dangling_colons`.

Four passes: preprocess.py does what MediaWiki does before parsing (comments out,
extension tags cut out, bold/italics resolved per line); mwparserfromhell parses the rest;
the walk below renders it (ours because `strip_code` keeps table cells and file captions,
and removing nodes one by one from a tree is quadratic in the number of templates); `tidy`
mends what the removals left and drops headings with nothing under them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import mwparserfromhell
from mwparserfromhell.nodes import (
    ExternalLink,
    Heading,
    HTMLEntity,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

from pipeline.sources.wikipedia.languages import WIKIPEDIA_EDITIONS
from pipeline.sources.wikipedia.preprocess import REMOVED, preprocess, restore
from pipeline.sources.wikipedia.templates import (
    UNKNOWN,
    Drop,
    apply_policy,
    split_name,
    template_key,
    template_policy,
)

# Canonical names; each dump's <siteinfo> adds its local ones (Datei, Kategorie, ...).
MEDIA_NAMESPACES = frozenset({"file", "image", "media"})
CATEGORY_NAMESPACES = frozenset({"category"})
# HTML tags whose whole content is dropped (wiki tables parse as <table> too).
DROPPED_TAGS = frozenset({"table", "style", "script", "includeonly"})
BLOCK_TAGS = frozenset({"br", "p", "div", "li", "dd", "dt", "tr", "blockquote", "center", "hr"})
MATH_OPTIONS = ("latex", "drop")

# A heading line while rendering: HEADING + level digit + title. A definition term on a line
# of its own (";Sources", a pseudo-heading) is level 7; DEFINITION marks a ":" definition.
HEADING = "\x03"
TERM_LEVEL = "7"
DEFINITION = "\x05"
_MAGIC_WORD = re.compile(r"__[A-Z]+__")
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t]+")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")
# Brackets around nothing but removed constructs and separators: "Albedo ({{IPA}}) is".
# (Character classes, not alternations: these run over every article.)
_EMPTY_BRACKETS = re.compile(rf"[ \t]*\([\s,;:{REMOVED}]*{REMOVED}[\s,;:{REMOVED}]*\)")
# Removed constructs (and the separators they leave) just inside brackets: "( ; born".
_AFTER_OPEN = re.compile(rf"\([\s{REMOVED}]*{REMOVED}[\s,;:{REMOVED}]*")
_BEFORE_CLOSE = re.compile(rf"[\s,;:{REMOVED}]*{REMOVED}[\s{REMOVED}]*\)")
_REMOVED_RUN = re.compile(rf"[ \t]*{REMOVED}[{REMOVED} \t]*")
# A dropped table or template: REMOVED once the dangling colons before it are counted.
DROPPED_BLOCK = "\x04"
# A line ending in ":", then (blank lines and) a line of nothing but removed constructs,
# one of them a dropped block.
_DANGLING_COLON = re.compile(
    rf":[ \t{REMOVED}]*\n[\s{REMOVED}]*?^[ \t{REMOVED}]*{DROPPED_BLOCK}"
    rf"[ \t{REMOVED}{DROPPED_BLOCK}]*$",
    re.M,
)


@dataclass(frozen=True)
class CleanArticle:
    text: str
    cited_urls: tuple[str, ...]
    unknown_templates: tuple[str, ...] = ()  # each unknown template met, by name
    dangling_colons: int = 0


def _namespace_prefix(title: str) -> str | None:
    head, sep, _ = title.strip().lstrip(":").partition(":")
    return head.strip().lower().replace("_", " ") if sep else None


class _Renderer:
    def __init__(self, media: frozenset[str], categories: frozenset[str]) -> None:
        self.media = media
        self.categories = categories
        self.unknown: list[str] = []

    def render(self, code: Wikicode) -> str:
        pieces: list[str] = []
        for node in code.nodes:
            text = self.node(node)
            # two numbers never run together: 1{{frac|1|4}} reads "1 1/4", not "11/4"
            if (
                isinstance(node, Template)
                and text[:1].isdigit()
                and pieces
                and pieces[-1][-1:].isdigit()
            ):
                text = " " + text
            if text:
                pieces.append(text)
        return "".join(pieces)

    def node(self, node: object) -> str:  # noqa: PLR0911 - one branch per node type
        if isinstance(node, Text):
            return node.value
        if isinstance(node, Wikilink):
            return self.link(node)
        if isinstance(node, Template):
            return self.template(node)
        if isinstance(node, Tag):
            return self.tag(node)
        if isinstance(node, HTMLEntity):
            return html.unescape(str(node))
        if isinstance(node, Heading):
            return f"\n{HEADING}{node.level}{self.render(node.title).strip()}\n"
        if isinstance(node, ExternalLink):
            if node.title is not None:
                return self.render(node.title)
            # a free URL is text on the page; a bare [url] shows only a number
            return REMOVED if node.brackets else str(node.url)
        return REMOVED  # comments, arguments

    def link(self, node: Wikilink) -> str:
        title = str(node.title)
        prefix = _namespace_prefix(title)
        if prefix in self.media or prefix in self.categories:
            return REMOVED
        if prefix in WIKIPEDIA_EDITIONS and not title.lstrip().startswith(":"):
            return REMOVED  # [[de:Berlin]]: an interlanguage link, not text
        if node.text is not None:
            return self.render(node.text)
        # MediaWiki shows an unpiped target as written, anchor included: [[Paris#History]]
        return self.render(node.title).strip().lstrip(":").strip()

    def template(self, node: Template) -> str:
        key, first = split_name(template_key(str(node.name)))
        if first is not None:  # {{formatnum:{{Inflation|...}}}}: the text after the colon,
            # rendered (nested templates too) and in its own case, not the lookup key's
            shown = self.render(node.name).replace(REMOVED, "").replace(DROPPED_BLOCK, "")
            first = shown.partition(":")[2].strip()
        policy = template_policy(key)
        if policy is UNKNOWN:
            self.unknown.append(key)
        if isinstance(policy, Drop):
            return DROPPED_BLOCK
        arguments: dict[str, str] = {} if first is None else {"1": first}
        shift = 0 if first is None else 1
        for param in node.params:
            name = str(param.name).strip()
            value = self.render(param.value).replace(REMOVED, "").replace(DROPPED_BLOCK, "")
            if name.isdigit():
                arguments[str(int(name) + shift)] = value.strip()
            else:
                arguments[name.lower()] = value.strip()
        text = apply_policy(policy, arguments)
        return text if text else REMOVED

    def tag(self, node: Tag) -> str:
        name = str(node.tag).strip().lower()
        if name == "table":
            return DROPPED_BLOCK
        if name in DROPPED_TAGS:
            return REMOVED
        inner = self.render(node.contents) if node.contents is not None else ""
        if node.wiki_markup:
            if name == "dt":
                return f"{HEADING}{TERM_LEVEL}{inner}"
            if name == "dd":
                return DEFINITION + inner
            return "\n" if name == "hr" else inner
        if name in BLOCK_TAGS:
            return inner + "\n" if name != "li" else "\n" + inner
        return inner


def _drop_empty_sections(lines: list[str]) -> list[str]:
    """Headings with no text under them before the next heading of their level or above
    ("== References ==" over a {{reflist}}) go; the markers of the others are removed."""
    keep = [True] * len(lines)
    for i, line in enumerate(lines):
        if not line.startswith(HEADING) or not line[2:].strip():
            keep[i] = not line.startswith(HEADING)
            continue
        level = line[1]
        has_text = False
        for later in lines[i + 1 :]:
            if later.startswith(HEADING):
                if later[1] <= level:
                    break
                continue
            if later.strip():
                has_text = True
                break
        keep[i] = has_text
    return [
        line[2:].strip() if line.startswith(HEADING) else line
        for line, kept in zip(lines, keep, strict=True)
        if kept
    ]


def _removed_run(match: re.Match[str]) -> str:
    """A removed construct with the spaces around it: one space between two words, none
    before punctuation or a line's end, none after a line's start or an opening bracket."""
    text, start, end = match.string, match.start(), match.end()
    if start == 0 or text[start - 1] in "\n(" or end == len(text) or text[end] in "\n.,)":
        return ""
    return " " if " " in match.group(0) or "\t" in match.group(0) else ""


def dangling_colons(text: str) -> int:
    """Lines of rendered text that end in ":" right before a dropped table or template."""
    return len(_DANGLING_COLON.findall(text)) if DROPPED_BLOCK in text else 0


def tidy(text: str) -> str:
    """Mend what removing constructs left: empty brackets, stray separators, spaces; drop
    headings with nothing under them; trim lines and blank runs."""
    text = _MAGIC_WORD.sub(REMOVED, text.replace(DROPPED_BLOCK, REMOVED))
    if REMOVED in text:
        text = _EMPTY_BRACKETS.sub("", text)
        text = _AFTER_OPEN.sub("(", text)
        text = _BEFORE_CLOSE.sub(")", text)
        text = _REMOVED_RUN.sub(_removed_run, text)
    if "&" in text:  # entities mwparserfromhell left as text (in a link target, say)
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    if DEFINITION in text:
        # ";Term : definition" shows the definition on a line of its own
        text = re.sub(rf"(?<=[^\n]){DEFINITION}", "\n", text).replace(DEFINITION, "")
    lines = [line.strip() for line in _SPACES.sub(" ", text).split("\n")]
    if HEADING in text:
        lines = _drop_empty_sections(lines)
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_wikitext(
    wikitext: str,
    media_names: frozenset[str] = MEDIA_NAMESPACES,
    category_names: frozenset[str] = CATEGORY_NAMESPACES,
    math: str = "latex",
) -> CleanArticle:
    """Plain text of an article and the external URLs it cites, in order of appearance.
    `math`: "latex" keeps <math> as LaTeX between $ (or $$ for display math), "drop"
    removes it."""
    if math not in MATH_OPTIONS:
        raise ValueError(f"math must be one of {MATH_OPTIONS}, got {math!r}")
    pre = preprocess(wikitext, math)
    renderer = _Renderer(
        MEDIA_NAMESPACES | {n.lower() for n in media_names},
        CATEGORY_NAMESPACES | {n.lower() for n in category_names},
    )
    rendered = renderer.render(mwparserfromhell.parse(pre.text))
    return CleanArticle(
        text=restore(tidy(rendered), pre.renderings),
        cited_urls=tuple(pre.urls),
        unknown_templates=tuple(renderer.unknown),
        dangling_colons=dangling_colons(rendered),
    )
