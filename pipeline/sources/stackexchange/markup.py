"""HTML of a StackExchange post body -> plain text that keeps the structure a reader needs.

Conventions (what `html_to_text` writes):
- Paragraphs (`<p>`, headings, `<div>`, `<hr>`, tables, lists and code blocks as wholes) are
  separated by one blank line; `<br>` is a line break. Outside code, runs of whitespace
  collapse to one space, as a browser shows them, and lines are stripped.
- `<pre>` (with or without `<code>` inside) is a fenced block: a line "```", the code
  verbatim (whitespace and blank lines kept, tags inside dropped), a line "```".
- Inline `<code>` is wrapped in backticks: `x < y`.
- `<ul>` items start with "- ", `<ol>` items with "1. ", "2. ", ... (from its `start`);
  lines after an item's first and nested lists are indented under the item's text.
- `<blockquote>` lines start with "> " (a blank line inside a quote is ">").
- Links keep their text; with `link_urls` the URL follows in parentheses when it differs
  from the text. Images, `<script>` and `<style>` are dropped.
- Table rows are lines, their cells joined by " | ".
- Character references are resolved exactly once: the dump's XML escaping was undone by the
  XML parser, the HTML's own (`&amp;`, `&lt;`) is undone here, so `&amp;lt;` in the HTML is
  the text "&lt;" its author wrote.

RedPajama v1 used BeautifulSoup's get_text() after turning list items into "*" lines: code
indentation survived but code blocks, quotes and paragraphs ran into their neighbours.
BeautifulSoup is not a dependency here; the standard library's html.parser is enough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

PARAGRAPH_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 hr table dl dd dt figure figcaption details summary".split()
)
DROPPED_TAGS = frozenset(("script", "style"))
VOID_TAGS = frozenset(("br", "hr", "img", "input", "meta", "link", "wbr", "area", "col"))
SPACE = re.compile(r"\s+")
FENCE = "```"


@dataclass
class _Container:
    """A block that prefixes its lines: a quote ("> " on every line) or a list item (its
    marker on the first line, spaces as wide on the others)."""

    first: str
    rest: str
    quote: bool = False
    used: bool = False


@dataclass
class _List:
    ordered: bool
    next_number: int = 1


@dataclass
class _State:
    lines: list[str] = field(default_factory=list)
    inline: list[str] = field(default_factory=list)
    containers: list[_Container] = field(default_factory=list)
    lists: list[_List] = field(default_factory=list)
    blank_wanted: bool = False
    pre_depth: int = 0
    pre_text: list[str] = field(default_factory=list)
    dropped_depth: int = 0
    links: list[tuple[str, int]] = field(default_factory=list)  # (href, inline index)
    cells: int = 0  # cells seen in the current table row
    in_cell: int = 0  # open <td>/<th>: their paragraphs stay on the row's line


class _TextParser(HTMLParser):
    def __init__(self, link_urls: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.link_urls = link_urls
        self.s = _State()

    # -- emitting lines ---------------------------------------------------------------

    def _prefix(self, blank: bool = False) -> str:
        parts = []
        for container in self.s.containers:
            if blank:  # between paragraphs of the containers already begun
                parts.append(container.rest if container.used else "")
            else:
                parts.append(container.rest if container.used else container.first)
                container.used = True
        prefix = "".join(parts)
        return prefix.rstrip() if blank else prefix

    def _emit(self, text: str) -> None:
        if self.s.blank_wanted and self.s.lines:
            self.s.lines.append(self._prefix(blank=True))
        self.s.blank_wanted = False
        self.s.lines.append(self._prefix() + text)

    def _flush(self) -> None:
        """The pending inline text as one line (if any)."""
        text = SPACE.sub(" ", "".join(self.s.inline)).strip()
        self.s.inline = []
        self.s.links = []
        if text:
            self._emit(text)

    def _paragraph(self) -> None:
        self._flush()
        self.s.blank_wanted = True

    # -- parser callbacks -------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        s = self.s
        if tag in DROPPED_TAGS:
            s.dropped_depth += 1
            return
        if s.pre_depth:
            if tag == "pre":
                s.pre_depth += 1
            elif tag == "br":
                s.pre_text.append("\n")
            return  # markup inside a code block is not code
        if tag == "pre":
            self._paragraph()
            s.pre_depth, s.pre_text = 1, []
        elif tag in PARAGRAPH_TAGS and s.in_cell and tag != "table":
            s.inline.append(" ")
        elif tag in PARAGRAPH_TAGS:
            self._paragraph()
        elif tag == "br":
            self._flush()
        elif tag == "blockquote":
            self._paragraph()
            s.containers.append(_Container("> ", "> ", quote=True))
        elif tag in ("ul", "ol"):
            self._flush()
            if not s.lists:  # a top-level list is a paragraph; a nested one is not
                s.blank_wanted = True
            start = dict(attrs).get("start") or "1"
            s.lists.append(_List(tag == "ol", int(start) if start.isdigit() else 1))
        elif tag == "li":
            self._flush()
            if not s.lists:  # a stray <li>: treat it as an item of an unordered list
                s.lists.append(_List(False))
            current = s.lists[-1]
            if current.ordered:
                marker = f"{current.next_number}. "
                current.next_number += 1
            else:
                marker = "- "
            s.containers.append(_Container(marker, " " * len(marker)))
        elif tag == "tr":
            self._flush()
            s.cells, s.in_cell = 0, 0
        elif tag in ("td", "th"):
            if s.cells:
                s.inline.append(" | ")
            s.cells += 1
            s.in_cell += 1
        elif tag == "code":
            s.inline.append("`")
        elif tag == "a":
            s.links.append((dict(attrs).get("href") or "", len(s.inline)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        s = self.s
        if tag in DROPPED_TAGS:
            s.dropped_depth = max(0, s.dropped_depth - 1)
            return
        if s.pre_depth:
            if tag == "pre":
                s.pre_depth -= 1
                if not s.pre_depth:
                    self._code_block("".join(s.pre_text))
            return
        if tag in ("td", "th"):
            s.in_cell = max(0, s.in_cell - 1)
        elif tag in PARAGRAPH_TAGS and s.in_cell and tag != "table":
            s.inline.append(" ")
        elif tag in PARAGRAPH_TAGS:
            self._paragraph()
        elif tag == "blockquote":
            self._flush()
            if any(c.quote for c in s.containers):
                while s.containers and not s.containers.pop().quote:
                    pass  # items left open inside the quote close with it
            s.blank_wanted = True
        elif tag in ("ul", "ol"):
            self._flush()
            if s.lists:
                s.lists.pop()
            if not s.lists:
                s.blank_wanted = True
        elif tag == "li":
            self._flush()
            if s.containers and not s.containers[-1].quote:
                s.containers.pop()
        elif tag == "tr":
            self._flush()
        elif tag == "code":
            s.inline.append("`")
        elif tag == "a" and s.links:
            href, start = s.links.pop()
            text = "".join(s.inline[start:]).strip()
            if self.link_urls and href and href != text:
                s.inline.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self.s.dropped_depth:
            return
        if self.s.pre_depth:
            self.s.pre_text.append(data)
        else:
            self.s.inline.append(data)

    def _code_block(self, code: str) -> None:
        """A fenced block; its lines verbatim but for a first and last newline, which the
        HTML carries after <pre><code> and before </code></pre>."""
        code = code.removeprefix("\r").removeprefix("\n").rstrip("\n\r ")
        self._emit(FENCE)
        for line in code.split("\n"):
            # a blank code line keeps the block's prefix (inside a quote or an item)
            self.s.lines.append((self._prefix() + line.rstrip("\r")).rstrip() or "")
        self.s.lines.append(self._prefix() + FENCE)
        self.s.blank_wanted = True

    def result(self) -> str:
        self.close()
        s = self.s
        if s.pre_depth:  # an unclosed <pre> still keeps its code
            s.pre_depth = 0
            self._code_block("".join(s.pre_text))
        self._flush()
        return "\n".join(s.lines).strip("\n")


def html_to_text(html: str, link_urls: bool = False) -> str:
    """The text of a post body, by the conventions in this module's docstring."""
    parser = _TextParser(link_urls)
    parser.feed(html)
    return parser.result()
