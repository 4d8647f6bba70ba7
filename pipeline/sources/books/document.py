"""A book as read -> its Document: the collection, the id, the Gutenberg blocks removed (the
rules that drop a book are the generic ones, pipeline/rules/document.py; stage.py).

Collection: a file listed under `books3_inputs` is Books3; any other book is Gutenberg when
it carries a Gutenberg START or END marker line, else Books3 (RedPajama took Books3 and
PG-19 as two datasets; here the content tells them apart).

Ids (`books/<collection>/<name>`, unique across collections by their prefix):
  Gutenberg  the eBook number from the file name (`2701.txt`, `pg2701.txt` -> 2701), with
             the file name's suffix kept so two editions of one number stay apart
             (`2701-8.txt` -> 2701-8); else the header's "[eBook #n]"; else the file stem.
  Books3     the file stem of a .txt; for a JSONL row the slug of its title, else
             `<file stem>-<line>`.
Two books that still get one id (the same stem in two folders, two rows with one title) are
told apart by the stage, which renames all but the first (stage.py).
"""

from __future__ import annotations

import re

from pipeline.documents import Document
from pipeline.sources.books.gutenberg import has_markers, normalise, strip_gutenberg
from pipeline.sources.books.texts import BookText, file_stem, is_jsonl

NAME = "books"
GUTENBERG, BOOKS3 = "gutenberg", "books3"
NUMBERED_FILE = re.compile(r"(?:pg)?(\d+)((?:-\w+)?)")
# ISO 639-1 codes of the languages Gutenberg's header names most often
LANGUAGES = {
    "english": "en", "french": "fr", "german": "de", "finnish": "fi", "dutch": "nl",
    "italian": "it", "spanish": "es", "portuguese": "pt", "chinese": "zh", "swedish": "sv",
    "danish": "da", "latin": "la", "hungarian": "hu", "esperanto": "eo", "greek": "el",
    "tagalog": "tl", "catalan": "ca", "norwegian": "no", "polish": "pl", "russian": "ru",
    "czech": "cs", "japanese": "ja", "welsh": "cy", "icelandic": "is",
}  # fmt: skip


def slug(title: str) -> str:
    """A title as an id part: lower case, runs of other characters than letters and digits
    as one '-'."""
    return re.sub(r"[\W_]+", "-", title.lower()).strip("-")


def gutenberg_name(file: str, book: BookText, ebook: int | None) -> str:
    stem = file_stem(file)
    numbered = NUMBERED_FILE.fullmatch(stem)
    if numbered and not is_jsonl(file):
        return numbered.group(1) + numbered.group(2)
    if ebook is not None:
        return str(ebook)
    return books3_name(file, book)


def books3_name(file: str, book: BookText) -> str:
    stem = file_stem(file)
    if not is_jsonl(file):
        return stem
    name = slug(book.title) if book.title else ""
    return name or f"{stem}-{book.ordinal}"


def book_document(file: str, book: BookText, books3: bool) -> Document:
    """The Document of one book: its Gutenberg header and footer removed when it is one."""
    text = normalise(book.text)
    meta: dict = {}
    if book.title:
        meta["title"] = book.title
    if book.fallback:
        meta["encoding"] = "cp1252"
    if books3 or not has_markers(text):
        return Document(
            id=f"{NAME}/{BOOKS3}/{books3_name(file, book)}",
            source=NAME,
            text=text.strip(),
            meta={
                **meta,
                "collection": BOOKS3,
                "replacement_share": round(book.replacement_share, 6),
            },
        )
    stripped = strip_gutenberg(text)
    name = gutenberg_name(file, book, stripped.ebook)
    number = NUMBERED_FILE.fullmatch(name)
    ebook = int(number.group(1)) if number else stripped.ebook
    header = {"title": stripped.title, "author": stripped.author, "ebook": ebook}
    meta.update({key: value for key, value in header.items() if value is not None})
    language = (stripped.language or "").split(",")[0].strip().lower()
    return Document(
        id=f"{NAME}/{GUTENBERG}/{name}",
        source=NAME,
        text=stripped.body,
        url=f"https://www.gutenberg.org/ebooks/{ebook}" if ebook is not None else None,
        language=LANGUAGES.get(language),
        meta={
            **meta,
            "collection": GUTENBERG,
            "start_marker": stripped.start_marker,
            "end_marker": stripped.end_marker,
            "replacement_share": round(book.replacement_share, 6),
        },
    )
