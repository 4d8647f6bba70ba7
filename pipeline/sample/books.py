"""Books sample: Project Gutenberg plain text with START/END licence blocks, and Books3 text.

Planted near-duplicates (word 5-gram Jaccard measured on the book bodies, see `jaccard`):
  ~0.92  two Gutenberg editions of one book: the higher id must be dropped (>= 0.9)
  ~0.80  two Books3 books: both stay
Most books use the current "*** START OF THE PROJECT GUTENBERG EBOOK <TITLE> ***" markers;
one uses the older "*** START OF THIS PROJECT GUTENBERG EBOOK" form. Ids are
"books/gutenberg/<number>[-<the rest of the file name>]" and "books/books3/<file name
without .txt>".

Two more Gutenberg files in older shapes (truth "cases", from their own random stream):
  no_blank_lines  as sentencepiece's copy of Botchan: a byte-order mark, CRLF line ends, no
                  blank line anywhere, a "Produced by" line after START, the number only in
                  the header ("[EBook #n]", the file name has none: id `<n>-<file stem>`),
                  "End of Project Gutenberg's <title>" then "*** END OF THIS PROJECT
                  GUTENBERG EBOOK"
  small_print     a 1990s file whose header ends with "*END*THE SMALL PRINT! ...*END*" and
                  whose body ends at "End of the Project Gutenberg EBook of <title>"

Two groups of copies, as a Gutenberg mirror holds them (truth "copy_groups", from their own
random stream; which copy is kept follows pipeline/sources/books/keep.py):
  name_shapes  `pg<n>-<word>.txt` and `pg<n>-<word>-alt-edition.txt`: the same book, the
               alternative edition with the older header and markers and a few paragraphs
               with OCR slips ("the" read "tbe", "and" read "aud": words no other book
               has). Both ids come from one rule (`<n>-<word>`, `<n>-<word>-alt-edition`;
               before issue 25 the second fell back to `<n>` and, the smaller id, was kept).
               The Jaccard sums tie: the original is kept by its word share.
  three_copies `<n1>.txt`, `<n2>.txt`, `<n3>.txt`, n1 < n2 < n3: the book at n3 and two
               copies of it, each edited in other places (Jaccard ~0.95 with it, less with
               each other). The central copy, the largest id, is kept by its Jaccard sum.
"""

from __future__ import annotations

import itertools
import os
import random
import textwrap
from typing import NamedTuple

from pipeline.sample import lexicon, text
from pipeline.sample.seeding import rng_for

GUTENBERG_PER_SCALE = 6
BOOKS3_PER_SCALE = 4
TARGETS = {"gutenberg": 0.92, "books3": 0.80}
SHINGLE = 5
LICENCE_MARKERS = [
    "Project Gutenberg",
    "PROJECT GUTENBERG",
    "*** START",
    "*** END",
    "www.gutenberg.org",
]

PREAMBLE = """The Project Gutenberg eBook of {title}

This ebook is for the use of anyone anywhere in the United States and
most other parts of the world at no cost and with almost no restrictions
whatsoever. You may copy it, give it away or re-use it under the terms
of the Project Gutenberg License included with this ebook or online
at www.gutenberg.org. If you are not located in the United States,
you will have to check the laws of the country where you are located
before using this eBook.

Title: {title}

Author: {author}

Release date: {month} {day}, {year} [eBook #{number}]

Language: English

Credits: Transcribed from the {edition} edition by volunteers.

"""

# A short licence in the shape of the real one (sections, headings), in our own words.
LICENCE = """

*** END OF {which} PROJECT GUTENBERG EBOOK {upper} ***

Updated editions will replace the previous one and the old editions
will be renamed.

START: FULL LICENSE

THE FULL PROJECT GUTENBERG LICENSE
PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK

Section 1. General Terms of Use and Redistributing Project Gutenberg works

1.A. By reading or using any part of this Project Gutenberg electronic
work, you indicate that you have read and accept all the terms of this
license. If you do not agree, you must stop using the work.

1.B. "Project Gutenberg" is a registered trademark. It may only be used
on or associated in any way with an electronic work by people who agree
to be bound by the terms of this agreement.

Section 2. Information about the Mission of Project Gutenberg

Volunteers and donations make it possible to keep these works freely
available for generations to come. More information is available at
www.gutenberg.org.
"""

MONTHS = lexicon.words(
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def jaccard(first: str, second: str) -> float:
    """Jaccard similarity of the sets of word 5-grams (words = str.split(), case kept)."""
    a, b = shingles(first.split()), shingles(second.split())
    return len(a & b) / len(a | b)


def book_body(writer: text.NarrativeWriter, rng: random.Random, chapters: int) -> list[list[str]]:
    """Paragraphs of words, with chapter headings as their own paragraphs."""
    paragraphs = []
    for number in range(chapters):
        paragraphs.append(["CHAPTER", f"{ROMAN[number]}."])
        for _ in range(rng.randrange(8, 14)):
            paragraphs.append(writer.paragraph(rng, rng.randrange(3, 8)).split())
    return paragraphs


def render(paragraphs: list[list[str]]) -> str:
    """Hard-wrapped at 70 columns as Gutenberg texts are, paragraphs separated by blank lines."""
    return "\n\n".join(textwrap.fill(" ".join(words), width=70) for words in paragraphs)


def near_duplicate(
    paragraphs: list[list[str]], target: float, rng: random.Random, vocabulary: list[str]
) -> tuple[list[list[str]], float]:
    """A copy with isolated words replaced until the 5-gram Jaccard is close to `target`."""
    original = render(paragraphs)
    flat = [
        (p, w)
        for p, words in enumerate(paragraphs)
        if words[0] != "CHAPTER"
        for w in range(len(words))
    ]
    positions = flat[::SHINGLE]  # at least 5 apart, so each edit touches its own shingles
    rng.shuffle(positions)
    low, high = 0, len(positions)
    best: tuple[list[list[str]], float] = (paragraphs, 1.0)
    while low < high:  # fewer edits -> higher Jaccard; find the count nearest the target
        count = (low + high) // 2
        copy = [list(words) for words in paragraphs]
        for p, w in positions[:count]:
            replacement = rng.choice(vocabulary)
            copy[p][w] = replacement if replacement != copy[p][w] else replacement + "s"
        score = jaccard(original, render(copy))
        if abs(score - target) < abs(best[1] - target):
            best = (copy, score)
        if score > target:
            low = count + 1
        else:
            high = count
    return best


def gutenberg_file(
    body: str, title: str, author: str, number: int, rng: random.Random, old_style: bool
) -> str:
    which = "THIS" if old_style else "THE"
    head = PREAMBLE.format(
        title=title,
        author=author,
        month=rng.choice(MONTHS),
        day=rng.randrange(1, 29),
        year=rng.randrange(1994, 2022),
        number=number,
        edition=rng.choice(("1887", "1902", "1921")),
    )
    start = f"*** START OF {which} PROJECT GUTENBERG EBOOK {title.upper()} ***\n\n\n\n"
    return head + start + body + LICENCE.format(which=which, upper=title.upper())


def no_blank_lines_file(body: str, title: str, author: str, number: int) -> bytes:
    lines = [
        f"The Project Gutenberg EBook of {title}, by {author}",
        "This eBook is for the use of anyone anywhere at no cost and with",
        "almost no restrictions whatsoever.",
        f"Title: {title}",
        f"Author: {author}",
        f"Posting Date: August 17, 2008 [EBook #{number}]",
        "Language: English",
        f"*** START OF THIS PROJECT GUTENBERG EBOOK {title.upper()} ***",
        "Produced by a volunteer of the Online Distributed Proofreading Team",
        *body.split("\n"),
        f"End of Project Gutenberg's {title}, by {author}",
        f"*** END OF THIS PROJECT GUTENBERG EBOOK {title.upper()} ***",
        "***** This file should be named " + f"{number}.txt or {number}.zip *****",
        "Updated editions will replace the previous one--the old editions",
        "will be renamed.",
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def small_print_file(body: str, title: str) -> str:
    head = (
        f"The Project Gutenberg Etext of {title}\n\n"
        "**Welcome To The World of Free Plain Vanilla Electronic Texts**\n\n"
        "*These Etexts Prepared By Hundreds of Volunteers and Donations*\n\n"
        "**The Legal Small Print**\n\n"
        "These are the terms under which the etexts may be copied, in a form\n"
        "much shorter than the real one.\n\n"
        "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\n\n\n"
    )
    return head + body + f"\n\n\n\nEnd of the Project Gutenberg EBook of {title}\n"


def write_cases(out_dir: str, seed: int, taken: set[int], truth: dict) -> None:
    """The older Gutenberg shapes (see the module docstring), under truth["cases"]."""
    rng = rng_for(seed, "books-cases")
    writer = text.NarrativeWriter()
    english = text.grammar("en")
    for variant in ("no_blank_lines", "small_print"):
        title = f"The {english.place_title(rng)}"
        author = f"{rng.choice(lexicon.NARRATIVE['names'])} {english.proper_name(rng)}"
        number = rng.randrange(70000, 80000)
        while number in taken:
            number += 1
        taken.add(number)
        paragraphs = book_body(writer, rng, 4)
        if variant == "no_blank_lines":
            body = "\n".join(textwrap.fill(" ".join(words), width=70) for words in paragraphs)
            name = f"{title.lower().replace(' ', '-')}.txt"
            data = no_blank_lines_file(body, title, author, number)
        else:
            body = render(paragraphs)
            name = f"{number}.txt"
            data = small_print_file(body, title).encode("utf-8")
        with open(os.path.join(out_dir, "gutenberg", name), "wb") as out:
            out.write(data)
        # the id rule: the number, then what the file name holds besides it
        stem = name.removesuffix(".txt")
        doc_id = (
            f"books/gutenberg/{number}"
            if stem == str(number)
            else f"books/gutenberg/{number}-{stem}"
        )
        truth["cases"][doc_id] = {
            "file": f"books/gutenberg/{name}",
            "variant": variant,
            "title": title,
            "first_body_line": body.split("\n", 1)[0],
            "last_body_line": body.rsplit("\n", 1)[-1],
        }


OCR_SLIPS = {"the": "tbe", "and": "aud"}
SLIPPED_PARAGRAPHS = 3
CENTRAL_TARGET = 0.95  # the Jaccard of each edge copy with the central one


def ocr_slips(paragraphs: list[list[str]], rng: random.Random) -> list[list[str]]:
    """A copy whose words in a few paragraphs are misread as OCR misreads them."""
    prose = [i for i, words in enumerate(paragraphs) if words[0] != "CHAPTER"]
    slipped = set(rng.sample(prose, SLIPPED_PARAGRAPHS))
    return [
        [OCR_SLIPS.get(w, w) for w in words] if i in slipped else list(words)
        for i, words in enumerate(paragraphs)
    ]


def sum_winner(bodies: dict[str, str], min_jaccard: float = 0.9) -> tuple[str, dict[str, float]]:
    """The id of the highest sum of Jaccards at least `min_jaccard`, and the sums."""
    sums = dict.fromkeys(bodies, 0.0)
    for first, second in itertools.combinations(bodies, 2):
        score = jaccard(bodies[first], bodies[second])
        if score >= min_jaccard:
            sums[first] += score
            sums[second] += score
    return max(sums, key=sums.__getitem__), sums


class Copy(NamedTuple):
    """One file of a group of copies."""

    id: str
    name: str  # the file name without .txt
    number: int  # the header's eBook number
    paragraphs: list[list[str]]
    old_style: bool  # the older header and "THIS" markers


def copy_group(variant: str, rng: random.Random, numbers: list[int], title: str,
               paragraphs: list[list[str]], vocabulary: list[str]) -> list[Copy]:  # fmt: skip
    """The files of one group (see the module docstring)."""
    if variant == "name_shapes":
        name = f"pg{numbers[0]}-{title.split()[-1].lower()}"
        slipped = ocr_slips(paragraphs, rng)
        return [
            Copy(f"books/gutenberg/{name[2:]}", name, numbers[0], paragraphs, False),
            Copy(f"books/gutenberg/{name[2:]}-alt-edition", f"{name}-alt-edition", numbers[0],
                 slipped, True),
        ]  # fmt: skip
    edited = [near_duplicate(paragraphs, CENTRAL_TARGET, rng, vocabulary)[0] for _ in "ac"]
    return [
        Copy(f"books/gutenberg/{number}", str(number), number, body, False)
        for number, body in zip(numbers, [*edited, paragraphs], strict=True)
    ]


def write_copies(
    out_dir: str, seed: int, taken: set[int], truth: dict, vocabulary: list[str]
) -> None:
    """The groups of copies (see the module docstring), under truth["copy_groups"]."""
    rng = rng_for(seed, "books-copies")
    writer = text.NarrativeWriter()
    english = text.grammar("en")
    for variant, files in (("name_shapes", 1), ("three_copies", 3)):
        title = f"The {english.place_title(rng)}"
        author = f"{rng.choice(lexicon.NARRATIVE['names'])} {english.proper_name(rng)}"
        numbers: list[int] = []
        while len(numbers) < files:
            number = rng.randrange(80000, 90000)
            if number not in taken:
                taken.add(number)
                numbers.append(number)
        copies = copy_group(
            variant, rng, sorted(numbers), title, book_body(writer, rng, 4), vocabulary
        )
        bodies = {}
        for copy in copies:
            bodies[copy.id] = render(copy.paragraphs)
            content = gutenberg_file(
                bodies[copy.id], title, author, copy.number, rng, copy.old_style
            )
            path = os.path.join(out_dir, "gutenberg", f"{copy.name}.txt")
            with open(path, "w", encoding="utf-8", newline="\n") as out:
                out.write(content)
        kept, sums = sum_winner(bodies)
        tie = len({round(value, 9) for value in sums.values()}) == 1
        truth["copy_groups"].append({
            "variant": variant,
            "files": {copy.id: f"books/gutenberg/{copy.name}.txt" for copy in copies},
            "first_body_lines": {i: body.split("\n", 1)[0] for i, body in bodies.items()},
            "last_body_lines": {i: body.rsplit("\n", 1)[-1] for i, body in bodies.items()},
            "jaccard_sums": {i: round(value, 4) for i, value in sums.items()},
            # a tie: the copy without OCR slips, by its share of words other books use
            "kept": copies[0].id if tie else kept,
            "kept_by": "word_share" if tie else "jaccard_sum",
            "ocr_slips": sorted(OCR_SLIPS.values()) if variant == "name_shapes" else [],
        })  # fmt: skip


def write_books(out_dir: str, scale: int, seed: int) -> dict:
    """Write Gutenberg and Books3 texts under `out_dir`; return the "books" ground truth."""
    rng = rng_for(seed, "books")
    writer = text.NarrativeWriter()
    english = text.grammar("en")
    vocabulary = sorted(
        {
            w
            for key in ("names", "objects", "places", "emotions", "adjectives")
            for entry in lexicon.NARRATIVE[key]
            for w in entry.split()
        }
    )
    os.makedirs(os.path.join(out_dir, "gutenberg"), exist_ok=True)
    os.makedirs(os.path.join(out_dir, "books3"), exist_ok=True)
    truth: dict = {
        "gutenberg": {},
        "books3": {},
        "near_duplicates": [],
        "cases": {},
        "copy_groups": [],
        "licence_markers": LICENCE_MARKERS,
        "jaccard_definition": "word 5-gram sets of str.split() of the body; "
        "Gutenberg body = text between the START and END lines",
    }
    numbers = sorted(rng.sample(range(10000, 70000), GUTENBERG_PER_SCALE * scale))
    old_style_number = numbers[len(numbers) // 2]
    names: list[str] = []
    for collection, count in (("gutenberg", len(numbers)), ("books3", BOOKS3_PER_SCALE * scale)):
        bodies: list[tuple[str, list[list[str]], str]] = []
        for index in range(count):
            title = f"The {english.place_title(rng)}"
            author = f"{rng.choice(lexicon.NARRATIVE['names'])} {english.proper_name(rng)}"
            bodies.append((title, book_body(writer, rng, rng.randrange(4, 8)), author))
            if collection == "books3":
                name = f"{title.lower().replace(' ', '-')}-{author.split()[1].lower()}"
                while name in names:
                    name += f"-{index}"
                names.append(name)
        # the planted pair: the last book of each collection copies the first, edited
        edited, score = near_duplicate(bodies[0][1], TARGETS[collection], rng, vocabulary)
        bodies[-1] = (bodies[0][0], edited, bodies[0][2])
        for index, (title, paragraphs, author) in enumerate(bodies):
            body = render(paragraphs)
            if collection == "gutenberg":
                number = numbers[index]
                content = gutenberg_file(
                    body, title, author, number, rng, number == old_style_number
                )
                relative = f"books/gutenberg/{number}.txt"
                doc_id = f"books/gutenberg/{number}"
            else:
                content, relative = body + "\n", f"books/books3/{names[index]}.txt"
                doc_id = f"books/books3/{names[index]}"
            with open(
                os.path.join(out_dir, *relative.split("/")[1:]), "w", encoding="utf-8", newline="\n"
            ) as out:
                out.write(content)
            truth[collection][doc_id] = {
                "file": relative,
                "title": title,
                "first_body_line": body.split("\n", 1)[0],
                "last_body_line": body.rsplit("\n", 1)[-1],
                "old_style_markers": (
                    collection == "gutenberg" and numbers[index] == old_style_number
                ),
            }
        first, last = list(truth[collection])[0], list(truth[collection])[-1]
        kept, dropped = sorted((first, last))
        truth["near_duplicates"].append(
            {
                "ids": [kept, dropped],
                "jaccard": round(score, 4),
                "target": TARGETS[collection],
                "expected": f"drop {dropped}" if score >= 0.9 else "keep both",
            }
        )
    taken = set(numbers)
    write_cases(out_dir, seed, taken, truth)
    write_copies(out_dir, seed, taken, truth, vocabulary)
    return truth
