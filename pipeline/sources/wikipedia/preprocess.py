"""What MediaWiki does to wikitext before it parses links and templates, for plain text.

mwparserfromhell parses wikitext as one tree, and that goes wrong in two ways MediaWiki's
own parser avoids, leaving markup in about one real article in ten:

- **Quotes.** MediaWiki resolves `''` and `'''` line by line (Parser::doQuotes) and closes
  what a line leaves open. mwparserfromhell pairs an unbalanced `''` with the next one, maybe
  paragraphs later; the constructs between (a `<ref>`, a table, a file caption) then never
  close and are printed as markup. Bold and italics carry no text, so `resolve_quotes`
  removes them per line, keeping exactly the apostrophes MediaWiki would show
  (`''Some Book'''s theme` -> "Some Book's theme").
- **Extension tags.** `<ref>`, `<math>`, `<nowiki>`, `<pre>`, `<gallery>`... are cut out by
  MediaWiki's preprocessor before anything is parsed; their content is never wikitext to
  the page around them. `cut_extension_tags` does the same and leaves a placeholder that the
  cleaner replaces at the end with the tag's rendering: nothing for a reference (its URLs
  are collected), the literal content of `<nowiki>`/`<pre>`, LaTeX between `$` for `<math>`.

Comments go first, as in MediaWiki (an unclosed `<!--` runs to the end of the text).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# A removed inline construct: the cleaner tidies the spaces and brackets it leaves behind.
REMOVED = "\x02"
# Placeholder of a cut-out tag's rendering: PLACEHOLDER_OPEN + index + PLACEHOLDER_CLOSE.
# Private-use characters: they cannot come from a dump and mwparserfromhell keeps them.
PLACEHOLDER_OPEN, PLACEHOLDER_CLOSE = "\ue000", "\ue001"
PLACEHOLDER = re.compile(f"{PLACEHOLDER_OPEN}(\\d+){PLACEHOLDER_CLOSE}")

# An apostrophe that is text, written so that the parser cannot take two of them for italics.
APOSTROPHE = "&#39;"

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)

# Tags whose content is dropped (their external URLs are still collected).
DROPPED = ("ref", "references", "gallery", "imagemap", "timeline", "graph", "score",
           "templatestyles", "mapframe", "maplink", "inputbox", "categorytree", "indicator",
           "charinsert", "templatedata", "section", "hiero", "rss", "includeonly")  # fmt: skip
# Tags whose content is shown as it is written, never parsed.
LITERAL = ("nowiki", "pre", "syntaxhighlight", "source")
MATH = ("math", "chem", "ce")
_NAMES = "|".join(DROPPED + LITERAL + MATH)
# A paired tag's content may not hold another opening tag of the same name: MediaWiki shows
# an unclosed <ref> as text rather than letting it swallow the page up to the next </ref>.
_EXTENSION_TAG = re.compile(
    rf"<({_NAMES})\b([^<>]*?)(?:/>|>((?:(?!<\1\b).)*?)</\1\s*>)", re.I | re.S
)
_LONE_TAG = re.compile(rf"</?(?:{_NAMES})\b[^<>]*>", re.I)
_DISPLAY_BLOCK = re.compile(r"""display\s*=\s*["']?block""", re.I)

# External URLs: the target of a bracketed link (protocol-relative allowed there) or a free
# link (also the original inside an archive URL, //web.archive.org/web/2010/http://...);
# they end where MediaWiki ends them, and trailing punctuation is not part of them.
_URL = re.compile(
    r"\[\s*((?:https?:)?//[^\s\[\]<>\"{}|]+)|(?<![\w\[])(https?://[^\s\[\]<>\"{}|]+)", re.I
)
_URL_TRAIL = ",;.:!?"


@dataclass
class Preprocessed:
    text: str  # wikitext without comments and extension tags, quotes resolved
    renderings: list[str]  # what each placeholder stands for
    urls: list[str]  # external URLs of the whole page, in order of appearance


def external_urls(wikitext: str) -> list[str]:
    """http(s) URLs of external links, bracketed or free, in order, each once, with their
    entities decoded (`&amp;` in wikitext is `&` in the link)."""
    urls: dict[str, None] = {}
    for match in _URL.finditer(wikitext):
        url = html.unescape((match.group(1) or match.group(2)).split("''", 1)[0])
        url = url.rstrip(_URL_TRAIL)
        if url.endswith(")") and "(" not in url:
            url = url.rstrip(")").rstrip(_URL_TRAIL)
        if len(url) > len("https://"):
            urls.setdefault(url, None)
    return list(urls)


def cut_extension_tags(wikitext: str, math: str) -> tuple[str, list[str], list[str]]:
    """(text with placeholders, renderings, URLs outside literal tags)."""
    renderings: list[str] = []
    url_sources: list[str] = []
    pieces: list[str] = []
    position = 0

    def keep(rendering: str) -> str:
        renderings.append(rendering)
        return f"{PLACEHOLDER_OPEN}{len(renderings) - 1}{PLACEHOLDER_CLOSE}"

    for match in _EXTENSION_TAG.finditer(wikitext):
        before = wikitext[position : match.start()]
        pieces.append(before)
        url_sources.append(before)
        position = match.end()
        name, attributes, content = match.group(1).lower(), match.group(2), match.group(3) or ""
        if name in DROPPED:
            url_sources.append(content)
            pieces.append(REMOVED)
        elif name in LITERAL:
            literal = html.unescape(content) if name in ("nowiki", "pre") else content
            pieces.append(keep(literal) if literal else REMOVED)
        elif math == "latex" and content.strip():
            latex = " ".join(content.split())  # a line break is a space in LaTeX math
            latex = latex if name == "math" else f"\\ce{{{latex}}}"
            block = _DISPLAY_BLOCK.search(attributes) is not None
            pieces.append(keep(f"$${latex}$$" if block else f"${latex}$"))
        else:
            pieces.append(REMOVED)
    rest = wikitext[position:]
    pieces.append(rest)
    url_sources.append(rest)
    text = _LONE_TAG.sub(REMOVED, "".join(pieces))
    return text, renderings, external_urls("\n".join(url_sources))


def resolve_quotes(line: str) -> str:
    """One line without its bold/italic markup (each run replaced by REMOVED, which the
    cleaner tidies away), with the apostrophes MediaWiki shows.

    As Parser::doQuotes: a run of 4 is an apostrophe and bold, a run of more than 5 is
    apostrophes and bold italics; when a line has an odd number of both bold and italics,
    one bold is read as an apostrophe plus italics, preferring one after a single-letter
    word (l'''amour), then one after a longer word (Book'''s), then one after a space."""
    parts = re.split(r"(''+)", line)
    if len(parts) == 1:
        return line
    italics = bold = 0
    for i in range(1, len(parts), 2):
        run = len(parts[i])
        if run == 4:
            parts[i - 1] += APOSTROPHE
            parts[i] = "'''"
        elif run > 5:
            parts[i - 1] += APOSTROPHE * (run - 5)
            parts[i] = "'''''"
        run = len(parts[i])
        italics += run in (2, 5)
        bold += run in (3, 5)
    if italics % 2 and bold % 2:
        single = multi = space = -1
        for i in range(1, len(parts), 2):
            if len(parts[i]) != 3:
                continue
            before = parts[i - 1]
            x1, x2 = before[-1:], before[-2:-1] if len(before) > 1 else before[:1]
            if x1 == " ":
                space = i if space < 0 else space
            elif x2 == " ":
                single = i
                break
            elif multi < 0:
                multi = i
        chosen = single if single >= 0 else multi if multi >= 0 else space
        if chosen >= 0:
            parts[chosen - 1] += APOSTROPHE
    # REMOVED, not nothing, where a run was: ['' [[X]] ''] must not become [[[X]]]
    return REMOVED.join(parts[0::2])


def resolve_all_quotes(text: str) -> str:
    if "''" not in text:
        return text
    return "\n".join(resolve_quotes(line) if "''" in line else line for line in text.split("\n"))


def preprocess(wikitext: str, math: str = "latex") -> Preprocessed:
    """Comments removed, extension tags cut out, quotes resolved (see the module docstring)."""
    text = _COMMENT.sub(REMOVED, wikitext) if "<!--" in wikitext else wikitext
    text, renderings, urls = cut_extension_tags(text, math)
    return Preprocessed(resolve_all_quotes(text), renderings, urls)


def restore(text: str, renderings: list[str]) -> str:
    """The text with each placeholder replaced by its tag's rendering."""
    if PLACEHOLDER_OPEN not in text:
        return text
    return PLACEHOLDER.sub(lambda m: renderings[int(m.group(1))], text)
