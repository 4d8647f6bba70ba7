"""C4 sample: already-built C4 json.gz shards, and raw WET pages that exercise C4's rules.

Raw pages (ground truth `raw_pages`) list every line with what the C4 rules at their defaults
(line ends in . ? ! or ", at least 5 words; at least 3 sentences per page) do with it:
`keep`, or `drop:<reason>` for punctuation, ellipsis, words (the 4-word
lines are kept if min_words_per_line is 3), javascript, policy. A page is dropped whole for
lorem, curly, bad_words, sentences or language; the planted
"{" and "lorem ipsum" lines end in a full stop and have at least 5 words, so they reach the
page check under either order of rules. One 3-sentence line is repeated in several pages
(`duplicate_spans`): a correct filter keeps it in exactly one of them. A "wrapped" page
holds prose hard-wrapped at 60 columns, as Gutenberg texts and mailing-list posts are on
real crawls: C4 keeps only the wrapped lines that happen to end in an end mark, and so
must we (each raw page's `kind` says which kind it is). A page of the `language` kind is
German, and one more, written last so that no other page changes, is French; each raw
page of that kind names its `language`, which its dropped row must name too, with its score.
`OUT/c4/badwords.txt` is a bad-words list that contains the planted bad words.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import textwrap

from pipeline.sample import text
from pipeline.sample.commoncrawl import web_url
from pipeline.sample.seeding import rng_for
from pipeline.sample.wet import WetWriter

BUILT_FILES_PER_SCALE = 2
ROWS_PER_FILE = 100
RAW_PAGES_PER_SCALE = 40
# Raw WET files: one per scale unit up to this many, then longer files (a real WET file
# holds some 40,000 pages; thousands of 40-page files would measure file opening, not C4)
MAX_RAW_FILES = 16
WRAP_WIDTH = 60
END_MARKS = (".", "?", "!", '"')
BAD_WORDS = ("porn", "xxx")
LANGUAGE_PAGE = "de"  # the language of the pages of kind `language`
LAST_LANGUAGE_PAGE = "fr"  # one more, the last page of the last file
NO_PUNCTUATION = (
    "Home About Contact",
    "Related posts",
    "Click here to read the full review",
    "Categories: Kitchen, Garden, Outdoor",
    "Back to top",
)
SHORT_LINES = ("Thank you.", "Great post!", "Sold out.", "Yes!")
FOUR_WORD_LINES = ("We ship every day.", "Prices include local taxes.", "Returns are always free.")
ELLIPSIS_LINES = ("Read the rest of this story...", "The full list continues below...")
JAVASCRIPT_LINES = (
    "Please enable JavaScript in your browser to see the comments.",
    "This page needs JavaScript to display the product gallery.",
)
POLICY_LINES = (
    "This website uses cookies to improve your shopping experience.",
    "By ordering you agree to our terms of use and shipping rules.",
    "Read our privacy policy before you create a new account.",
)
PAGE_KILLERS = {
    "lorem": "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.",
    "curly": 'Set the option to { "debug": false } in the settings file first.',
    "bad_words": "Watch free porn and xxx clips on our partner site every day.",
}


def good_lines(web: text.WebWriter, rng: random.Random, count: int) -> list[str]:
    return [web.paragraph(rng, rng.randrange(1, 4)) for _ in range(count)]


def write_built(out_dir: str, scale: int, rng: random.Random) -> list[dict]:
    web, english = text.WebWriter(), text.grammar("en")
    files = BUILT_FILES_PER_SCALE * scale
    written = []
    for k in range(files):
        name = f"c4-train.{k:05d}-of-{files:05d}.json.gz"
        with (
            open(os.path.join(out_dir, name), "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out,
        ):
            for _ in range(ROWS_PER_FILE):
                if rng.random() < 0.7:
                    lines = good_lines(web, rng, rng.randrange(3, 8))
                else:
                    lines = [
                        english.paragraph(rng, rng.randrange(2, 5))
                        for _ in range(rng.randrange(2, 6))
                    ]
                row = {
                    "text": "\n".join(lines),
                    "timestamp": f"2019-04-{rng.randrange(18, 26)}T{rng.randrange(10, 24)}:"
                    f"{rng.randrange(10, 60)}:{rng.randrange(10, 60)}Z",
                    "url": web_url(rng),
                }
                out.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
        written.append({"file": f"c4/{name}", "rows": ROWS_PER_FILE})
    return written


def wrapped_status(line: str) -> str:
    """C4's verdict on one line of hard-wrapped prose (no ellipsis, policy or long words)."""
    if not line.endswith(END_MARKS):
        return "drop:punctuation"
    return "keep" if len(line.split()) >= 5 else "drop:words"


def foreign_page(language: str, rng: random.Random) -> list[tuple[str, str]]:
    """Three paragraphs in `language` whose every line passes C4's line rules."""
    grammar = text.grammar(language)
    return [(grammar.paragraph(rng, 3), "keep") for _ in range(3)]


def raw_page(
    kind: str, web: text.WebWriter, rng: random.Random, span: str | None
) -> tuple[list[tuple[str, str]], str]:
    """[(line, expected status)] and the page's expected outcome for one kind of raw page."""
    title = (
        f"{web.product(rng).title()} | {rng.choice(('Shop', 'Reviews', 'Blog'))}",
        "drop:punctuation",
    )
    if kind == "language":
        return foreign_page(LANGUAGE_PAGE, rng), "drop:language"
    if kind == "wrapped":
        body = [(web.paragraph(rng, 3), "keep")]
        for _ in range(3):
            wrapped = textwrap.wrap(web.paragraph(rng, 4), WRAP_WIDTH)
            body += [(line, wrapped_status(line)) for line in wrapped]
        return [title, *body], "keep"
    if kind == "sentences":
        body = [
            (web.sentence(rng), "keep"),
            (rng.choice(NO_PUNCTUATION), "drop:punctuation"),
            (web.sentence(rng), "keep"),
        ]
        return [title, *body], "drop:sentences"
    body = [(line, "keep") for line in good_lines(web, rng, rng.randrange(3, 6))]
    body.insert(0, (web.paragraph(rng, 3), "keep"))  # at least 5 sentences survive
    junk = [
        (rng.choice(NO_PUNCTUATION), "drop:punctuation"),
        (rng.choice(SHORT_LINES), "drop:words"),
        (rng.choice(FOUR_WORD_LINES), "drop:words"),
        (rng.choice(ELLIPSIS_LINES), "drop:ellipsis"),
        (rng.choice(JAVASCRIPT_LINES), "drop:javascript"),
        (rng.choice(POLICY_LINES), "drop:policy"),
    ]
    for line in rng.sample(junk, rng.randrange(2, len(junk) + 1)):
        body.insert(rng.randrange(len(body) + 1), line)
    outcome = "keep"
    if kind in PAGE_KILLERS:
        body.insert(rng.randrange(1, len(body) + 1), (PAGE_KILLERS[kind], "keep"))
        outcome = f"drop:{kind}"
    if span is not None:
        body.insert(rng.randrange(len(body) + 1), (span, "keep"))
    return [title, *body], outcome


def write_page(
    writer: WetWriter,
    rng: random.Random,
    kind: str,
    lines: list[tuple[str, str]],
    outcome: str,
    language: str | None = None,
) -> tuple[str, dict]:
    """Write one raw page; return its id and its ground truth (without its file). A page
    written in another language than English names it."""
    url = web_url(rng)
    record = writer.conversion(url, "\n".join(line for line, _ in lines), None)
    page = {
        "record": record["record"],
        "url": url,
        "kind": kind,
        "expected": outcome,
        "lines": [[line, status] for line, status in lines],
    }
    if language is not None:
        page["language"] = language
    return record["record_id"], page


def write_raw(out_dir: str, scale: int, rng: random.Random) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    web = text.WebWriter()
    kinds = ["clean"] * (RAW_PAGES_PER_SCALE * scale - 9 * scale)
    for kind in ("lorem", "curly", "bad_words", "sentences", "language", "wrapped"):
        kinds += [kind] * scale
    kinds += ["span"] * (3 * scale)
    rng.shuffle(kinds)
    spans = [" ".join(web.sentence(rng) for _ in range(3)) for _ in range(scale)]
    truth: dict = {"raw_files": [], "raw_pages": {}, "duplicate_spans": []}
    span_pages: dict[str, list[str]] = {span: [] for span in spans}
    files = min(scale, MAX_RAW_FILES)
    per_file = -(-len(kinds) // files)
    for k in range(files):
        filename = f"CC-MAIN-2019-18-{k:05d}.warc.wet.gz"
        writer = WetWriter(os.path.join(out_dir, filename), filename, "2019-18", rng, False)
        for index, kind in enumerate(kinds[k * per_file : (k + 1) * per_file]):
            span = spans[(k * per_file + index) % len(spans)] if kind == "span" else None
            lines, outcome = raw_page(kind, web, rng, span)
            language = LANGUAGE_PAGE if kind == "language" else None
            page_id, page = write_page(writer, rng, kind, lines, outcome, language)
            truth["raw_pages"][page_id] = {"file": f"c4/raw/{filename}", **page}
            if span is not None:
                span_pages[span].append(page_id)
        if k == files - 1:  # after every other page: no other page changes
            lines = foreign_page(LAST_LANGUAGE_PAGE, rng)
            page_id, page = write_page(
                writer, rng, "language", lines, "drop:language", LAST_LANGUAGE_PAGE
            )
            truth["raw_pages"][page_id] = {"file": f"c4/raw/{filename}", **page}
        writer.close()
        truth["raw_files"].append({"file": f"c4/raw/{filename}", "records": writer.records})
    truth["duplicate_spans"] = [
        {"span": span, "pages": sorted(pages)} for span, pages in span_pages.items()
    ]
    return truth


def write_c4(out_dir: str, scale: int, seed: int) -> dict:
    """Write built shards, raw pages and the bad-words list; return the "c4" ground truth."""
    os.makedirs(out_dir, exist_ok=True)
    rng = rng_for(seed, "c4")
    truth = {
        "built_files": write_built(out_dir, scale, rng),
        "badwords_file": "c4/badwords.txt",
        "bad_words": list(BAD_WORDS),
        "raw_page_id_scheme": "uuid of WARC-Record-ID",
        **write_raw(os.path.join(out_dir, "raw"), scale, rng),
    }
    with open(os.path.join(out_dir, "badwords.txt"), "w", encoding="utf-8") as out:
        out.write("\n".join(BAD_WORDS) + "\n")
    return truth
