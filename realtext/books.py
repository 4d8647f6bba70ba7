"""Books on real text: Botchan as Project Gutenberg and its mirrors hold it, and real prose.

sentencepiece's sdist ships Botchan (eBook #8868) as Gutenberg published it in 2012: the
licence header and footer, a byte-order mark, CRLF line ends, no blank line. A Gutenberg
mirror holds one book under several names and editions; the inputs are the copies such a
mirror has (books/gutenberg/):

  botchan.txt                      sentencepiece's file, as shipped
  pg8868-botchan.txt               the same bytes under the name gutenberg.org's caches use
  8868-0.txt                       the current UTF-8 release: today's header ("The Project
                                   Gutenberg eBook of ...", "*** START OF THE ...") and LF
  pg8868-botchan-alt-edition.txt   an alternative edition: another header (an older posting
                                   date and credits) and a few paragraphs with OCR slips
                                   ("the" read "tbe", "and" read "aud")

Real prose beside them gives the run's other books (books/books3/, Books3 as plain .txt):
the Python 3.11 tutorial, HOWTOs and FAQ from Debian's python3.11-doc (their reST sources,
real English prose of book length), and the tutorial again with OCR slips in a few
paragraphs ("m" read "rn": "rnodule", "frorn"), a real pair whose Jaccard sums tie. The
two scans slip differently: a slip that other books share counts as a found word.
`slips.json` beside the inputs lists the misread words of each scan, which a kept book
should not hold. The checks say which copy of each group
was kept and why (the books stage's keep.py) and whether Gutenberg boilerplate remains.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from realtext import outputs
from realtext.download import Package

PACKAGES = [Package("sdist", "sentencepiece", "0.2.3"), Package("deb", "python3.11-doc")]
SOURCES = Path("usr/share/doc/python3.11/html/_sources")
PROSE = ("tutorial", "howto", "faq")  # folders of _sources, one book each
BOTCHAN_SLIPS = {"the": "tbe", "and": "aud"}
SLIPPED_EVERY = 97  # one paragraph (line of Botchan, or reST paragraph) in so many
BOILERPLATE = re.compile(
    r"Project Gutenberg|\*\*\* ?(?:START|END) OF|www\.gutenberg\.org|Gutenberg-tm", re.IGNORECASE
)
CURRENT_HEADER = (
    "The Project Gutenberg eBook of Botchan (Master Darling), by Kin-nosuke Natsume\n\n"
    "This ebook is for the use of anyone anywhere in the United States and most other "
    "parts\nof the world at no cost and with almost no restrictions whatsoever.\n\n"
    "Title: Botchan (Master Darling)\n\nAuthor: Kin-nosuke Natsume\n\n"
    "Release date: August 17, 2003 [eBook #8868]\n                Most recently updated: "
    "June 9, 2023\n\nLanguage: English\n\n"
    "*** START OF THE PROJECT GUTENBERG EBOOK BOTCHAN (MASTER DARLING) ***\n"
)
ALT_HEADER = (
    "The Project Gutenberg EBook of Botchan (Master Darling), by Kin-nosuke Natsume\r\n"
    "This eBook is for the use of anyone anywhere at no cost and with\r\n"
    "almost no restrictions whatsoever.\r\nTitle: Botchan (Master Darling)\r\n"
    "Author: Kin-nosuke Natsume\r\nRelease Date: September, 2005 [EBook #8868]\r\n"
    "Language: English\r\n"
    "*** START OF THIS PROJECT GUTENBERG EBOOK BOTCHAN (MASTER DARLING) ***\r\n"
    "Scanned and proofed by a volunteer; OCR of the 1919 Ogawa edition\r\n"
)


def misread_words(paragraph: str) -> str:
    """Botchan's scan: whole words misread."""
    return re.sub(r"\b\w+\b", lambda word: BOTCHAN_SLIPS.get(word[0], word[0]), paragraph)


def misread_m(paragraph: str) -> str:
    """The tutorial's scan: "m" read "rn" in words (not in code, markup or blocks)."""
    if paragraph.startswith((" ", ".", ">>>")):
        return paragraph
    return re.sub(r"\b[a-z]*m[a-z]*\b", lambda word: word[0].replace("m", "rn"), paragraph)


def ocr_slipped(paragraphs: list[str], misread: Callable[[str], str]) -> list[str]:
    """Every SLIPPED_EVERY-th paragraph misread."""
    return [misread(p) if i % SLIPPED_EVERY == 7 else p for i, p in enumerate(paragraphs)]


def slipped_words(original: str, scan: str) -> list[str]:
    """The words of `scan` that `original` does not have: the misreadings."""
    return sorted(set(re.findall(r"\w+", scan)) - set(re.findall(r"\w+", original)))


def botchan_copies(shipped: bytes) -> dict[str, bytes]:
    """The mirror's files of Botchan (see the module doc), by file name."""
    text = shipped.decode("utf-8-sig").replace("\r\n", "\n")
    start = text.index("*** START OF THIS PROJECT GUTENBERG EBOOK")
    body_at = text.index("\n", start) + 1
    end = text.index("End of Project Gutenberg's Botchan")
    body, footer = text[body_at:end], text[end:]
    current_footer = footer.replace("THIS PROJECT GUTENBERG", "THE PROJECT GUTENBERG")
    lines = body.split("\n")
    alt = ALT_HEADER + "\r\n".join(ocr_slipped(lines, misread_words))
    alt += footer.replace("\n", "\r\n")
    return {
        "botchan.txt": shipped,
        "pg8868-botchan.txt": shipped,
        "8868-0.txt": (CURRENT_HEADER + body + current_footer).encode("utf-8"),
        "pg8868-botchan-alt-edition.txt": ("\ufeff" + alt).encode("utf-8"),
    }


def prose_book(folder: Path) -> str:
    """The reST sources of one part of the Python docs, in name order, as one text."""
    parts = sorted(folder.rglob("*.rst.txt"))
    return "\n\n".join(part.read_text(encoding="utf-8") for part in parts)


def build_inputs(packages: dict[str, Path], inputs: Path) -> dict:
    """Botchan's mirror copies and the Python docs' prose as book files; the manifest
    section reading them."""
    (shipped,) = sorted(packages["sentencepiece"].glob("*/test/botchan.txt"))
    gutenberg, books3 = inputs / "books" / "gutenberg", inputs / "books" / "books3"
    gutenberg.mkdir(parents=True, exist_ok=True)
    books3.mkdir(parents=True, exist_ok=True)
    copies = botchan_copies(shipped.read_bytes())
    for name, data in copies.items():
        (gutenberg / name).write_bytes(data)
    sources = packages["python3.11-doc"] / SOURCES
    prose = {f"python-{part}.txt": prose_book(sources / part) for part in PROSE}
    scan = "\n\n".join(ocr_slipped(prose["python-tutorial.txt"].split("\n\n"), misread_m))
    for name, text in {**prose, "python-tutorial-scan.txt": scan}.items():
        (books3 / name).write_text(text, encoding="utf-8")
    slips = {
        "pg8868-botchan-alt-edition.txt": slipped_words(
            copies["botchan.txt"].decode("utf-8-sig"),
            copies["pg8868-botchan-alt-edition.txt"].decode("utf-8-sig"),
        ),
        "python-tutorial-scan.txt": slipped_words(prose["python-tutorial.txt"], scan),
    }
    (inputs / "books" / "slips.json").write_text(json.dumps(slips, indent=1))
    return {"inputs": [str(gutenberg / "*.txt"), str(books3 / "*.txt")]}


def checks(run_dir: Path, inputs: Path) -> dict:
    """Books read and kept, each duplicate group's kept file and why, the kept books that
    carry OCR slips (the copy a group should not keep), and the Gutenberg boilerplate left
    in the kept books."""
    stats = json.loads((run_dir / "books" / "_stats.json").read_text())["counters"]
    kept = outputs.kept(run_dir, "books")
    groups: dict[str, dict] = {}
    for row in outputs.dropped(run_dir, "books"):
        if row["reason"] != "near_duplicate":
            continue
        meta = row["meta"]
        group = groups.setdefault(meta["near_duplicate_of"], {
            "kept_file": Path(meta.get("kept_file", "?")).name, "dropped": [],
        })  # fmt: skip
        group["dropped"].append({
            "id": row["id"],
            "file": Path(meta.get("file", "?")).name,
            "kept_by": meta.get("kept_by", "smallest id"),
            "jaccard": meta["jaccard"],
            "jaccard_sum": [meta.get("jaccard_sum"), meta.get("kept_jaccard_sum")],
            "word_share": [meta.get("word_share"), meta.get("kept_word_share")],
        })  # fmt: skip
    scans = json.loads((inputs / "books" / "slips.json").read_text())
    boilerplate = {row["id"]: len(BOILERPLATE.findall(row["text"])) for row in kept}
    return {
        "books_read": stats.get("read", 0),
        "books_kept": len(kept),
        "kept_ids": sorted(row["id"] for row in kept),
        "duplicate_groups": groups,
        "scans_kept": sorted(
            row["id"]
            for row in kept
            for words in scans.values()
            if set(words) <= set(re.findall(r"\w+", row["text"]))
        ),
        "misread_words": {name: len(words) for name, words in scans.items()},
        "boilerplate_left": {k: v for k, v in sorted(boilerplate.items()) if v},
    }
