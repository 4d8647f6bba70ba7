"""Project Gutenberg plain text: the licence header and footer removed, the body kept.

A Gutenberg file is a preamble (title, author, release date and "[eBook #n]"), a START
marker line, the book, an END marker line and the full licence. The body is what lies
between the last START marker before the first END marker and that END marker; the header
and footer go whole. Marker lines are matched at a line start, case-insensitively, after
optional white space and asterisks. The variants handled, as they occur in Gutenberg's
files over the years:

  START  "*** START OF THE PROJECT GUTENBERG EBOOK <TITLE> ***" (current),
         "*** START OF THIS PROJECT GUTENBERG EBOOK <TITLE> ***" (before 2016),
         "***START OF THE PROJECT GUTENBERG EBOOK" (no space), any number of asterisks,
         "*** START OF THE COPYRIGHTED PROJECT GUTENBERG EBOOK" (copyrighted works),
         "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*" and
         "*END THE SMALL PRINT" (the 1990s licence, which ends the header);
         a marker whose title runs onto the next lines is removed up to its closing "***".
  END    "*** END OF THE/THIS [COPYRIGHTED] PROJECT GUTENBERG EBOOK ...",
         "End of the Project Gutenberg EBook of <title>", "End of Project Gutenberg's
         <title>", "END OF THIS PROJECT GUTENBERG EBOOK" (no asterisks), "Ende dieses
         Project Gutenberg Etextes" (German), "Fin du Projet Gutenberg" (French), and the
         licence's own headings ("*** START: FULL LICENSE ***", "THE FULL PROJECT GUTENBERG
         LICENSE") for files whose END line was lost.
  INSIDE "<<THIS ELECTRONIC VERSION OF ... SERVICE THAT CHARGES FOR DOWNLOAD ...>>", the
         notice the World Library repeats between the plays of Gutenberg's 1990s
         Shakespeare, is removed wherever it stands.

The first paragraphs after the START line that credit the transcribers ("Produced by ...",
"E-text prepared by ...", "This etext was prepared by ...") go too: they are about the file,
not the book, and often name Project Gutenberg. A paragraph is the lines up to a blank line,
at most four: in a file without blank lines (sentencepiece's copy of Botchan) only the
credits line goes, not the book. CRLF and CR line ends become LF, and a
byte-order mark left after decoding goes, before the markers are looked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEAD = r"^[ \t]*\**[ \t]*"

START_MARKERS: dict[str, str] = {
    "start": r"START OF (?:THE |THIS )?PROJECT GUTENBERG",
    "start_copyrighted": r"START OF (?:THE |THIS )?COPYRIGHTED PROJECT GUTENBERG",
    "small_print": r"END\*?[ \t]*THE SMALL PRINT",
}
END_MARKERS: dict[str, str] = {
    "end": r"END OF (?:THE |THIS )?(?:COPYRIGHTED )?PROJECT GUTENBERG",
    "end_copyrighted_note": r"This is a COPYRIGHTED Project Gutenberg Etext",
    "end_german": r"ENDE? DIESE[SR]? (?:PROJE[CK]T GUTENBERG?|ETEXTES)",
    "end_french": r"FIN (?:DE |DU )PROJE(?:C)?T GUTENBERG",
    "full_licence": r"(?:START: FULL LICENSE|THE FULL PROJECT GUTENBERG LICENSE)",
}


def _alternation(markers: dict[str, str]) -> re.Pattern[str]:
    groups = "|".join(f"(?P<{name}>{pattern})" for name, pattern in markers.items())
    return re.compile(f"{_LEAD}(?:{groups})", re.IGNORECASE | re.MULTILINE)


START = _alternation(START_MARKERS)
END = _alternation(END_MARKERS)
CREDITS = re.compile(
    r"(?:Produced by|E-?text prepared by|Prepared by|Transcribed (?:by|from)|"
    r"This e-?(?:text|book) (?:was|has been) (?:prepared|produced|created|made) by)",
    re.IGNORECASE,
)
EBOOK_NUMBER = re.compile(r"\b(?:e-?book|etext)[ \t]*(?:#|No\.?)[ \t]*(\d+)", re.IGNORECASE)
HEADER_FIELD = re.compile(r"^(Title|Author|Language):[ \t]*(.+?)[ \t]*$", re.MULTILINE)
# The World Library's notice inside some 1990s texts (Shakespeare), between two marker lines
LEGALESE = re.compile(
    r"^[ \t]*<<THIS ELECTRONIC VERSION OF.*?SERVICE THAT CHARGES FOR DOWNLOAD[^\n]*\n?",
    re.MULTILINE | re.DOTALL,
)
# how far a marker's title may run onto the next lines before its closing "***"
MAX_MARKER_LINES = 3
# a credits paragraph longer than this is not one (a file without blank lines between
# paragraphs): only its first line goes
MAX_CREDIT_LINES = 4


@dataclass(frozen=True)
class Stripped:
    """A Gutenberg file split: the body, and what the header told about the book."""

    body: str
    start_marker: str | None  # the variant met (a key of START_MARKERS), None if none
    end_marker: str | None
    title: str | None
    author: str | None
    language: str | None
    ebook: int | None  # the "[eBook #n]" of the header


def normalise(text: str) -> str:
    """LF line ends and no byte-order mark: what the markers and the output expect."""
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def has_markers(text: str) -> bool:
    """Whether `text` carries a Gutenberg START or END marker line (a Gutenberg file)."""
    return START.search(text) is not None or END.search(text) is not None


def _kind(match: re.Match[str]) -> str:
    return next(name for name, value in match.groupdict().items() if value is not None)


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end + 1


def _marker_end(text: str, match: re.Match[str]) -> int:
    """Where the body starts after a START marker line: past the line, or, for a
    "*** START ..." whose closing "***" is on a later line, past that line."""
    end = _line_end(text, match.start())
    line = text[match.start() : end].strip()
    if not line.startswith("***") or line.endswith("***"):
        return end
    for _ in range(MAX_MARKER_LINES):
        following = _line_end(text, end)
        if text[end:following].strip().endswith("***"):
            return following
        end = following
    return _line_end(text, match.start())


def _drop_credits(body: str) -> str:
    """The body without its leading paragraphs that credit the file's transcribers."""
    body = body.lstrip("\n")
    while CREDITS.match(body.lstrip()):
        lines = body.split("\n", MAX_CREDIT_LINES + 1)
        blank = next((i for i, line in enumerate(lines) if not line.strip()), None)
        cut = blank if blank is not None and blank <= MAX_CREDIT_LINES else 1
        body = "\n".join(lines[cut:]).lstrip("\n")
    return body


def strip_gutenberg(text: str) -> Stripped:
    """`text` (normalised) without its Gutenberg header and footer; see the module doc."""
    first_end = END.search(text)
    start_match = None
    for match in START.finditer(text, 0, first_end.start() if first_end else len(text)):
        start_match = match  # the last START before the first END is nearest the body
    begin = _marker_end(text, start_match) if start_match else 0
    end_match = END.search(text, begin)
    finish = end_match.start() if end_match else len(text)
    head = text[: start_match.start()] if start_match else ""
    fields = {name.lower(): value for name, value in HEADER_FIELD.findall(head)}
    number = EBOOK_NUMBER.search(head)
    return Stripped(
        body=LEGALESE.sub("", _drop_credits(text[begin:finish].rstrip())).strip(),
        start_marker=_kind(start_match) if start_match else None,
        end_marker=_kind(end_match) if end_match else None,
        title=fields.get("title"),
        author=fields.get("author"),
        language=fields.get("language"),
        ebook=int(number.group(1)) if number else None,
    )
