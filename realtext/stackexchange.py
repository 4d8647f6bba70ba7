"""StackExchange on real Q&A HTML: Python's FAQ (Debian's python3.11-doc) as a site dump.

Each FAQ page's innermost sections are its questions. A section becomes a question post
(Title: its heading; Body: its first block, as the page's HTML) and one to three answer
posts holding the blocks after it in page order, so the bodies are Sphinx's real HTML:
paragraphs, highlighted code in <pre> with <span>s, literals, links, lists, tables of
<p>-wrapped cells, entities. A section of a single block is a question with an empty body
and that block as its one answer. The posts are rows of one `Posts.xml` in the Internet
Archive dump's layout (one `<row .../>` per line, attributes escaped, CRLF), in id order,
each question followed by its answers. Answer scores are drawn from -5 to 149 with a fixed
seed, so that their numeric order is seldom their order as strings ("9" > "10") nor their
order on the page.

checks(): questions and answers written, documents kept, answers merged into them, whether
each kept document's answers come in numeric score order (ties by id), how many of those
orders differ from the string order (what the check can catch), leftover HTML tags and
entities in the kept text with a few examples, and the share of the posts' words (their
text as a browser shows it) found in the kept documents, with the words most often lost.
"""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from realtext import outputs
from realtext.download import Package

PACKAGES = [Package("deb", "python3.11-doc")]
FAQ = Path("usr/share/doc/python3.11/html/faq")
SITE = "pythonfaq.stackexchange.com"
STAGE = "stackexchange"
SEED = 0
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = HEADINGS | {"p", "div", "pre", "br", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr",
                     "td", "th", "blockquote", "section", "hr"}  # fmt: skip
LEFTOVER_TAG = re.compile(
    r"</?(?:p|a|div|span|code|pre|em|strong|b|i|ul|ol|li|dl|dt|dd|table|thead|tbody|tr|td|th|"
    r"blockquote|h[1-6]|br|hr|img|section|tt|cite|sup|sub|kbd|var|nav|dfn|abbr)\b[^<>]*>"
)
LEFTOVER_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,30});")
WORD = re.compile(r"\w+")


class Section(NamedTuple):
    """An innermost <section> of a page: its heading's text and its other child elements."""

    title: str
    blocks: list[str]  # the HTML of each child element after the heading, in page order


class SectionParser(HTMLParser):
    """The innermost sections of a Sphinx page, found by tracking open elements with the
    offsets of their tags in the page."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", page)]
        self.open: list[tuple[str, int]] = []  # (tag, offset of its start tag)
        self.sections: list[dict[str, Any]] = []  # one per open <section>, outermost first
        self.found: list[Section] = []

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        if tag == "section":
            if self.sections:
                self.sections[-1]["inner"] = False
            self.sections.append({"depth": len(self.open), "blocks": [], "inner": True})
        self.open.append((tag, self.position()))

    def handle_endtag(self, tag: str) -> None:
        depths = [i for i, (name, _) in enumerate(self.open) if name == tag]
        if not depths:
            return  # a stray end tag
        depth = depths[-1]
        start = self.open[depth][1]
        end = self.page.index(">", self.position()) + 1
        del self.open[depth:]
        if not self.sections:
            return
        section = self.sections[-1]
        if tag == "section" and depth == section["depth"]:
            self.sections.pop()
            if section["inner"]:
                self.found.extend(section_of(section["blocks"]))
        elif depth == section["depth"] + 1:
            section["blocks"].append((tag, self.page[start:end]))


def section_of(blocks: list[tuple[str, str]]) -> list[Section]:
    """The Section of an innermost section's child elements, if it starts with a heading."""
    if not blocks or blocks[0][0] not in HEADINGS or len(blocks) < 2:
        return []
    title = visible_text(blocks[0][1]).replace("¶", "").strip()
    return [Section(title, [markup for _, markup in blocks[1:]])]


def faq_sections(page: str) -> list[Section]:
    parser = SectionParser(page)
    parser.feed(page)
    parser.close()
    return parser.found


class TextParser(HTMLParser):
    """The text of HTML as a browser shows it, entities decoded: inline elements run on
    (`python<em>NN</em>.dll` is one word), block elements stand apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.parts.append(" ")


def visible_text(markup: str) -> str:
    parser = TextParser()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


class Post(NamedTuple):
    id: int
    type: int  # 1 question, 2 answer
    parent: int | None
    score: int
    title: str
    body: str
    tags: str


def posts_of(pages: dict[str, str], seed: int = SEED) -> list[Post]:
    """The posts of the FAQ `pages` (page name -> HTML), in id order."""
    rng = random.Random(seed)
    posts: list[Post] = []
    next_id = 1
    for page_name, page in sorted(pages.items()):
        for section in faq_sections(page):
            body, answers = question_parts(section, rng)
            question_id = next_id
            posts.append(Post(question_id, 1, None, rng.randrange(0, 60), section.title, body,
                              f"<python><{page_name}>"))  # fmt: skip
            scores = rng.sample(range(-5, 150), len(answers))
            for offset, (answer, score) in enumerate(zip(answers, scores, strict=True), 1):
                posts.append(Post(question_id + offset, 2, question_id, score, "", answer, ""))
            next_id = question_id + len(answers) + rng.randrange(1, 4)
    return posts


def question_parts(section: Section, rng: random.Random) -> tuple[str, list[str]]:
    """(the question's body, the answers' bodies): the first block and the rest split into
    one to three runs, or, for a single block, no body and that block as the answer."""
    if len(section.blocks) == 1:
        return "", section.blocks
    first, rest = section.blocks[0], section.blocks[1:]
    count = rng.randint(1, min(3, len(rest)))
    cuts = [round(len(rest) * k / count) for k in range(count + 1)]
    return first, ["\n".join(rest[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]


def attribute(value: str) -> str:
    """An attribute value as the dumps escape it: markup, quotes and line breaks."""
    return escape(value, {'"': "&quot;", "\n": "&#xA;", "\r": "&#xD;"})


def post_row(post: Post, rng: random.Random) -> str:
    day = f"20{10 + post.id % 12}-{1 + post.id % 12:02d}-{1 + post.id % 28:02d}T10:00:00.000"
    fields = [("Id", str(post.id)), ("PostTypeId", str(post.type))]
    if post.parent is not None:
        fields.append(("ParentId", str(post.parent)))
    fields += [("CreationDate", day), ("Score", str(post.score))]
    if post.type == 1:
        fields.append(("ViewCount", str(rng.randrange(20, 90_000))))
    fields += [("Body", post.body), ("OwnerUserId", str(rng.randrange(1, 9000)))]
    if post.type == 1:
        fields += [("Title", post.title), ("Tags", post.tags)]
    fields += [("CommentCount", str(rng.randrange(0, 9))), ("ContentLicense", "CC BY-SA 4.0")]
    return "  <row " + " ".join(f'{key}="{attribute(value)}"' for key, value in fields) + " />"


def build_inputs(packages: dict[str, Path], inputs: Path) -> dict[str, Any]:
    """One site folder with its Posts.xml under `inputs`; the stackexchange section."""
    faq = packages["python3.11-doc"] / FAQ
    pages = {
        path.stem: path.read_text(encoding="utf-8")
        for path in sorted(faq.glob("*.html"))
        if path.stem != "index"  # the FAQ's table of contents, no question
    }
    rng = random.Random(SEED)
    rows = [post_row(post, rng) for post in posts_of(pages)]
    site = inputs / SITE
    site.mkdir(parents=True, exist_ok=True)
    with open(site / "Posts.xml", "w", encoding="utf-8", newline="\r\n") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        out.write("".join(row + "\n" for row in rows))
        out.write("</posts>\n")
    return {"inputs": [str(inputs / "*" / "Posts.xml")]}


def input_posts(inputs: Path) -> Iterator[Post]:
    for dump in sorted(inputs.glob("*/Posts.xml")):
        with open(dump, encoding="utf-8") as lines:
            for line in lines:
                if line.lstrip().startswith("<row"):
                    row = ET.fromstring(line)
                    parent = row.get("ParentId")
                    yield Post(int(row.get("Id", "0")), int(row.get("PostTypeId", "0")),
                               int(parent) if parent else None, int(row.get("Score", "0")),
                               row.get("Title", ""), row.get("Body", ""), row.get("Tags", ""))  # fmt: skip


def checks(run_dir: Path, inputs: Path) -> dict[str, Any]:
    posts = list(input_posts(inputs))
    questions = {p.id: p for p in posts if p.type == 1}
    answers: dict[int, list[Post]] = {q: [] for q in questions}
    for post in posts:
        if post.type == 2 and post.parent in answers:
            answers[post.parent].append(post)
    kept = outputs.kept(run_dir, STAGE)
    ordered = [order_check(doc, answers) for doc in kept]
    several = [o for o in ordered if o["answers"] > 1]
    texts = "\n".join(doc["text"] for doc in kept)
    leftovers = LEFTOVER_TAG.findall(texts) + LEFTOVER_ENTITY.findall(texts)
    recall, lost = word_recall(kept, questions, answers)
    return {
        "questions": len(questions),
        "answers": sum(len(a) for a in answers.values()),
        "kept": len(kept),
        "answers_merged": sum(o["answers"] for o in ordered),
        "answer_headings": sum(doc["text"].count("\nAnswer:\n") for doc in kept),
        "documents_with_several_answers": len(several),
        "in_numeric_order": sum(1 for o in several if o["numeric"]),
        "string_order_differs": sum(1 for o in several if o["string_differs"]),
        "out_of_order": [o["id"] for o in several if not o["numeric"]][:5],
        "leftover_tags": len(LEFTOVER_TAG.findall(texts)),
        "leftover_entities": len(LEFTOVER_ENTITY.findall(texts)),
        "leftover_examples": sorted(set(leftovers))[:5],
        "word_recall": round(recall, 4),
        "words_lost_most": lost,
    }


def order_check(doc: dict[str, Any], answers: dict[int, list[Post]]) -> dict[str, Any]:
    """Whether a kept document's answers come by numeric score, highest first (ties by id),
    and whether sorting the scores as strings would have given another order."""
    written = [int(i) for i in doc["meta"].get("answer_ids", [])]
    posted = answers.get(int(doc["meta"]["question_id"]), [])
    numeric = [a.id for a in sorted(posted, key=lambda a: (-a.score, a.id))]
    as_strings = [a.id for a in sorted(posted, key=lambda a: str(a.score), reverse=True)]
    return {
        "id": doc["id"],
        "answers": len(written),
        "numeric": written == numeric,
        "string_differs": as_strings != numeric,
    }


def word_recall(
    kept: list[dict[str, Any]], questions: dict[int, Post], answers: dict[int, list[Post]]
) -> tuple[float, dict[str, int]]:
    """The share of the words of each kept document's posts (title and bodies as a browser
    shows them) found in its text, counted with multiplicity, and the 10 words most lost."""
    total, found, lost = 0, 0, Counter()
    for doc in kept:
        question = questions[int(doc["meta"]["question_id"])]
        shown = [question.title, visible_text(question.body)]
        shown += [visible_text(a.body) for a in answers[question.id]]
        wanted = Counter(WORD.findall(" ".join(shown)))
        have = Counter(WORD.findall(doc["text"]))
        total += sum(wanted.values())
        found += sum(min(n, have[word]) for word, n in wanted.items())
        lost.update({word: n - have[word] for word, n in wanted.items() if n > have[word]})
    return (found / total if total else 1.0), dict(lost.most_common(10))
