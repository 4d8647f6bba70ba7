"""The words-kept measure of the Wikipedia stage: how many of the words a page carries its
cleaned text keeps.

The denominator is frozen apart from the cleaner and its template policy (templates.py),
so that putting a template on the drop list cannot raise the figure. It is the words of an
article's wikitext outside
- comments, references and the other extension tags that show no prose (`<ref>`,
  `<gallery>`, `<math>`...), tables (`{| |}` and `<table>`), files, categories and
  interlanguage links, magic words;
- the templates matching `HIDDEN_TEMPLATES` below: infoboxes, navigation (navboxes,
  hatnotes, sister-project boxes), citations and footnotes, maintenance tags, and the
  templates that draw a picture or a chart. This list is data, committed before the policy
  and not tuned to it;
and every other template read plainly: the words of its positional parameters and of the
named ones in `TEXT_PARAMETERS`, not of other `key=value` parameters (options, codes).
A plain reading over-counts a little where a parameter is a code the page does not show
(`{{lang|fr|...}}`'s "fr"), so a perfect cleaner scores just under 100%.

Words are lower-cased runs of letters and digits (`[^\\W_]+`) after NFKC normalisation
(so "km²" is "km2", as the wikitext writes it), and markup and punctuation never count. The figure is a multiset recall: an article whose wikitext carries "the" 40
times and whose text keeps it 39 times has lost one word. Each word of the denominator
remembers where it came from: the outermost template it was read from, or `TEXT` for
prose. A lost word is charged to a template it came from before prose (prose survives the
cleaner far more often than a template), so `lost_by_origin` says which templates lose
words.
"""

from __future__ import annotations

import bisect
import fnmatch
import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

import mwparserfromhell
from mwparserfromhell.nodes import ExternalLink, Heading, HTMLEntity, Tag, Template, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode

from pipeline.sources.wikipedia.languages import WIKIPEDIA_EDITIONS

TEXT = "(text)"  # the origin of a word outside any template

# Templates whose words are not prose, by family; glob patterns over normalised names
# (lower case, "_" as " ", single spaces, no "Template:"). Redirects listed by hand.
HIDDEN_TEMPLATES: dict[str, tuple[str, ...]] = {
    "infobox": ("infobox*", "* infobox", "*box begin", "taxobox*", "speciesbox",
                "automatic taxobox", "subspeciesbox", "chembox*", "drugbox", "geobox*",
                "football kit", "election box*", "succession box", "s-*", "sidebar*",
                "* sidebar", "persondata", "coord missing", "short description"),
    "navigation": ("navbox*", "* navbox", "navboxes", "*topics", "portal*", "* portal",
                   "authority control", "commons*", "wikiquote*", "wiktionary*", "wikisource*",
                   "wikibooks*", "wikispecies*", "wikinews*", "wikiversity*", "wikivoyage*",
                   "sister project*", "sister-inline", "library resources box", "*-stub",
                   "stub", "dmoz", "curlie", "official website", "imdb *", "youtube",
                   "gutenberg author", "librivox author", "internet archive author",
                   "main", "main article", "see also", "further", "further information",
                   "details", "about", "for", "other uses*", "redirect*", "distinguish",
                   "hatnote", "selfref", "self reference", "broader", "disambiguation",
                   "dablink", "anchor", "anchors", "toc*", "compact toc", "clear*", "-",
                   "col-begin", "col-break", "col-end", "col-*", "colbegin", "colend",
                   "div col end", "end div col", "refbegin", "refend", "defaultsort:*",
                   "displaytitle:*", "lowercase title", "italic title", "spoken wikipedia*",
                   # Bulgarian names of the hatnote and sister-project boxes
                   "основна*", "уики*", "вижте също"),
    "citation": ("cite*", "vcite*", "citation", "harv*", "sfn*", "rp", "r", "efn*", "refn",
                 "reflist*", "notelist*", "ref label", "note label", "#tag:ref",
                 "#tag:references", "wayback", "webarchive", "dead link", "isbn", "oclc",
                 "issn", "doi", "google books", "cia world factbook*", "in our time"),
    "maintenance": ("citation needed*", "cn", "fact", "clarify*", "when", "who", "which",
                    "by whom", "according to whom", "page needed", "failed verification",
                    "better source*", "unreliable source*", "dubious", "vague", "update*",
                    "refimprove*", "more citations needed*", "more footnotes*",
                    "unreferenced*", "expand*", "inconsistent citations", "use * dates",
                    "use * english", "pp*", "good article", "featured article",
                    "featured list", "copy edit*", "cleanup*", "npov", "pov*", "original "
                    "research*", "or", "relevance*", "citation style", "verify*",
                    "fix", "dubious*", "disputed*", "превод от"),
    "picture": ("multiple image", "double image", "wide image", "image frame", "flagicon*",
                "flagdeco", "bar *", "bartable", "chart*", "clade*", "legend*", "pie chart",
                "graph:*", "historical populations", "location map*", "osm*", "wikiatlas",
                "geographic location", "commonscat*"),
}  # fmt: skip
# Named parameters whose value is text the page shows (a quote's text and its author).
TEXT_PARAMETERS = frozenset({"text", "content", "quote", "quotetext", "list", "author",
                             "source", "sign"})  # fmt: skip

# Extension tags whose content is not prose (math is a formula; its LaTeX is no word).
_HIDDEN_TAG_NAMES = ("ref", "references", "gallery", "imagemap", "timeline", "graph", "score",
                     "templatestyles", "mapframe", "maplink", "inputbox", "categorytree",
                     "indicator", "charinsert", "templatedata", "hiero", "math", "chem", "ce",
                     "includeonly", "noinclude", "style", "script")  # fmt: skip
# Tags shown as written: their content is words, never wikitext.
_LITERAL_TAG_NAMES = ("nowiki", "pre", "syntaxhighlight", "source")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HIDDEN_TAG = re.compile(
    rf"<({'|'.join(_HIDDEN_TAG_NAMES)})\b[^<>]*?(?:/>|>.*?</\1\s*>)", re.I | re.S
)
_LITERAL_TAG = re.compile(
    rf"<({'|'.join(_LITERAL_TAG_NAMES)})\b[^<>]*?(?:/>|>(.*?)</\1\s*>)", re.I | re.S
)
_QUOTES = re.compile(r"''+")
_MAGIC_WORD = re.compile(r"__[A-Z]+__")
_WORD = re.compile(r"[^\W_]+")
_HIDDEN_PATTERNS = tuple(p for family in HIDDEN_TEMPLATES.values() for p in family)
_TABLE_TAGS = frozenset({"table"}) | frozenset(_HIDDEN_TAG_NAMES)
MEDIA_NAMESPACES = frozenset({"file", "image", "media"})
CATEGORY_NAMESPACES = frozenset({"category"})


def words(text: str) -> list[str]:
    """The words of a text as this measure counts them: lower-cased letter/digit runs."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def template_name(name: str) -> str:
    """`Template:Cite_web ` -> "cite web"."""
    key = " ".join(name.replace("_", " ").split()).lower()
    return key.removeprefix("template:").strip()


def is_hidden(name: str) -> bool:
    """Whether the template (normalised name) is in HIDDEN_TEMPLATES."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in _HIDDEN_PATTERNS)


def without_tables(wikitext: str) -> str:
    """The wikitext without its `{| ... |}` tables (nested ones included), line by line."""
    kept, depth = [], 0
    for line in wikitext.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith("{|"):
            depth += 1
        elif depth and stripped.startswith("|}"):
            depth -= 1
            continue
        if not depth:
            kept.append(line)
    return "\n".join(kept)


class _Piece(NamedTuple):
    text: str
    origin: str
    heading: int  # the level of the heading this text is the title of, else 0


# Tags that end a line or a block: their place is a word boundary ("a<br>b" is two words).
_BREAKING_TAGS = frozenset({"br", "p", "div", "li", "dd", "dt", "tr", "td", "th", "hr",
                            "blockquote", "center", "ul", "ol", "dl", "poem"})  # fmt: skip


class _Reader:
    """Walks a parsed page into pieces of shown text, each with its origin. Pieces are
    joined before they are cut into words, as the page joins them: `[[dog]]s` is "dogs",
    `CH<sub>3</sub>` is "CH3"; a template's reading stands apart ("5.98{{e|24}}")."""

    def __init__(self, hidden_namespaces: frozenset[str]) -> None:
        self.hidden_namespaces = hidden_namespaces
        self.pieces: list[_Piece] = []
        self.heading = 0

    def add(self, text: str, origin: str) -> None:
        self.pieces.append(_Piece(text, origin, self.heading))

    def code(self, code: Wikicode, origin: str) -> None:
        for node in code.nodes:
            self.node(node, origin)

    def node(self, node: object, origin: str) -> None:
        if isinstance(node, Text):
            self.add(node.value, origin)
        elif isinstance(node, HTMLEntity):
            self.add(html.unescape(str(node)), origin)
        elif isinstance(node, Heading):
            self.add("\n", origin)
            self.heading = node.level
            self.code(node.title, origin)
            self.heading = 0
            self.add("\n", origin)
        elif isinstance(node, Wikilink):
            self.link(node, origin)
        elif isinstance(node, ExternalLink):
            if node.title is not None:
                self.code(node.title, origin)
            elif not node.brackets:  # a free URL is on the page as written
                self.add(str(node.url), origin)
        elif isinstance(node, Template):
            self.template(node, origin)
        elif isinstance(node, Tag):
            self.tag(node, origin)

    def tag(self, node: Tag, origin: str) -> None:
        name = str(node.tag).strip().lower()
        if name in _TABLE_TAGS:
            return
        breaking = name in _BREAKING_TAGS or node.wiki_markup is not None
        if breaking:
            self.add(" ", origin)
        if node.contents is not None:
            self.code(node.contents, origin)
        if breaking:
            self.add(" ", origin)

    def link(self, node: Wikilink, origin: str) -> None:
        title = str(node.title).strip()
        head, colon, _ = title.lstrip(":").partition(":")
        prefix = head.strip().lower().replace("_", " ") if colon else ""
        if prefix in self.hidden_namespaces:
            return
        if prefix in WIKIPEDIA_EDITIONS and not title.startswith(":"):
            return
        self.code(node.text if node.text is not None else node.title, origin)

    def template(self, node: Template, origin: str) -> None:
        name = template_name(str(node.name))
        if is_hidden(name):
            return
        inner = name if origin == TEXT else origin
        for param in node.params:
            key = str(param.name).strip()
            if key.isdigit() or key.lower() in TEXT_PARAMETERS:
                self.add(" ", inner)
                self.code(param.value, inner)
        self.add(" ", inner)


def _headed_text(pieces: list[_Piece]) -> list[_Piece]:
    """The pieces without the titles of headings that have no word under them before the
    next heading of their level or above ("== References ==" over a {{reflist}})."""
    has_words = [p.heading == 0 and _WORD.search(p.text) is not None for p in pieces]
    kept, i = [], 0
    while i < len(pieces):
        level = pieces[i].heading
        if not level:
            kept.append(pieces[i])
            i += 1
            continue
        end = i
        while end < len(pieces) and pieces[end].heading == level:
            end += 1
        for j in range(end, len(pieces) + 1):
            if j == len(pieces) or 0 < pieces[j].heading <= level:
                break
            if has_words[j]:
                kept.extend(pieces[i:end])
                break
        i = end
    return kept


def _words_of(pieces: list[_Piece]) -> list[tuple[str, str]]:
    """(word, origin of its first letter) over the joined text of the pieces."""
    starts, origins, offset = [], [], 0
    for piece in pieces:
        starts.append(offset)
        origins.append(piece.origin)
        offset += len(piece.text)
    text = "".join(piece.text for piece in pieces)
    return [
        (word, origins[bisect.bisect_right(starts, m.start()) - 1])
        for m in _WORD.finditer(text)
        for word in words(m.group(0))
    ]


def prose_words(
    wikitext: str,
    media_names: frozenset[str] = frozenset(),
    category_names: frozenset[str] = frozenset(),
) -> list[tuple[str, str]]:
    """(word, origin) for every word of the denominator (see the module docstring).
    `media_names`/`category_names`: the dump's local names of those namespaces."""
    text = _COMMENT.sub(" ", wikitext)
    text = _HIDDEN_TAG.sub(" ", text)
    literal: list[str] = []

    def cut_literal(match: re.Match[str]) -> str:
        literal.append(html.unescape(match.group(2) or ""))
        return " "

    text = _LITERAL_TAG.sub(cut_literal, text)
    # a space, not nothing: "Book'''s" shows "Book's", two words as this measure counts
    text = _MAGIC_WORD.sub(" ", _QUOTES.sub(" ", without_tables(text)))
    hidden = (
        MEDIA_NAMESPACES | CATEGORY_NAMESPACES | {n.lower() for n in media_names | category_names}
    )
    reader = _Reader(frozenset(hidden))
    reader.code(mwparserfromhell.parse(text), TEXT)
    found = _words_of(_headed_text(reader.pieces))
    return found + [(w, TEXT) for piece in literal for w in words(piece)]


@dataclass(frozen=True)
class ArticleRecall:
    words: int  # words of the denominator
    kept: int  # of them, found in the cleaned text
    lost_by_origin: Counter[str]  # origin (template name or TEXT) -> words lost


def article_recall(prose: list[tuple[str, str]], cleaned: str) -> ArticleRecall:
    """The multiset recall of `prose` (from prose_words) in the cleaned text of the page."""
    wanted = Counter(word for word, _ in prose)
    found = Counter(words(cleaned))
    origins: dict[str, Counter[str]] = {}
    for word, origin in prose:
        origins.setdefault(word, Counter())[origin] += 1
    lost_by_origin: Counter[str] = Counter()
    for word, n in wanted.items():
        lost = n - min(n, found[word])
        # templates first (most words first, then by name), prose last
        ranked = sorted(origins[word].items(), key=lambda o: (o[0] == TEXT, -o[1], o[0]))
        for origin, count in ranked:
            if lost <= 0:
                break
            charged = min(lost, count)
            lost_by_origin[origin] += charged
            lost -= charged
    total = sum(wanted.values())
    return ArticleRecall(total, total - sum(lost_by_origin.values()), lost_by_origin)


@dataclass
class WordRecall:
    """Recall summed over articles (each word weighs the same, whatever its article)."""

    articles: int = 0
    words: int = 0
    kept: int = 0
    lost_by_origin: Counter[str] = field(default_factory=Counter)

    def add(self, article: ArticleRecall) -> None:
        self.articles += 1
        self.words += article.words
        self.kept += article.kept
        self.lost_by_origin.update(article.lost_by_origin)

    @property
    def recall(self) -> float:
        return self.kept / self.words if self.words else 1.0

    def top_lost(self, n: int) -> dict[str, int]:
        """The n origins that lose the most words, most first (ties by name)."""
        ranked = sorted(self.lost_by_origin.items(), key=lambda item: (-item[1], item[0]))
        return dict(ranked[:n])
