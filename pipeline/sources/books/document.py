"""A book as read -> its Document: the collection, the id, the Gutenberg blocks removed (the
rules that drop a book are the generic ones, pipeline/rules/document.py; stage.py).

Collection: a file listed under `books3_inputs` is Books3; any other book is Gutenberg when
it carries a Gutenberg START or END marker line, else Books3 (RedPajama took Books3 and
PG-19 as two datasets; here the content tells them apart).

Ids (`books/<collection>/<name>`, unique across collections by their prefix):
  Gutenberg  `<n>-<rest>`, by one rule for every file name: the book's name is its file
             stem as a slug (lower case, each run of other characters than letters and
             digits one '-'); n is the number the name starts with (after an optional
             `pg`), else the header's "[eBook #n]"; rest is what the name holds besides
             `pg<n>` ('-' and rest left out when nothing is left; the slug alone when
             there is no number anywhere). So `2701.txt` and `pg2701.txt` -> 2701,
             `2701-0.txt` -> 2701-0, `pg8868-botchan.txt` -> 8868-botchan,
             `pg8868-botchan-alt-edition.txt` -> 8868-botchan-alt-edition and, with
             "[eBook #8868]" in its header, `botchan.txt` -> 8868-botchan. A JSONL row's name
             is the slug of its title (else `<file stem>-<line>`) and its number only the
             header's: a title such as "1984" is no eBook number.
  Books3     the file stem of a .txt; for a JSONL row the slug of its title, else
             `<file stem>-<line>`.
Two books that still get one id (the same stem in two folders, `pg2701.txt` beside
`2701.txt`, two rows with one title) are told apart by the stage, which renames all but the
first (stage.py).
"""

from __future__ import annotations

import re

from pipeline.documents import Document
from pipeline.sources.books.gutenberg import has_markers, normalise, strip_gutenberg
from pipeline.sources.books.texts import BookText, file_stem, is_jsonl

NAME = "books"
GUTENBERG, BOOKS3 = "gutenberg", "books3"
# a Gutenberg name (a slug) that starts with an eBook number: the number, then the rest
NUMBERED_NAME = re.compile(r"(?:pg)?(\d+)-?(.*)")
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


def gutenberg_name(file: str, book: BookText, header_number: int | None) -> tuple[int | None, str]:
    """(eBook number, id name) of a Gutenberg book: see the module doc."""
    if is_jsonl(file):
        number, rest = header_number, books3_name(file, book)
    else:
        name = slug(file_stem(file))
        numbered = NUMBERED_NAME.fullmatch(name)
        number, rest = (int(numbered[1]), numbered[2]) if numbered else (header_number, name)
    if number is None:
        return None, rest or file_stem(file)
    return number, f"{number}-{rest}" if rest else str(number)


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
    ebook, name = gutenberg_name(file, book, stripped.ebook)
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
