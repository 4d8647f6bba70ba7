"""C4's page and line rules (TFDS c4_utils.clean_page), as pure functions on a page's text.

Per line, in C4's order: a word over `max_word_length` characters drops the line; citation
markers ([1], [edit], [citation needed]) are removed; a line must end in . ? ! or " and not
in "..."; it must have `min_words_per_line` words. Of the lines left, one holding "lorem
ipsum" or "{" drops the page, and so does a bad word; a line naming "javascript" or a
cookie/terms/privacy policy goes. The page needs `min_sentences` sentences in what is left.

Two of C4's bugs are fixed: its bad-words pattern needed a non-letter on both sides, so a
bad word at the very start or end of a line passed; and its sentence count came from nltk's
punkt, downloaded at run time (sentences.py says what replaces it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.sources.c4.config import C4Config
from pipeline.sources.c4.sentences import sentence_count

END_MARKS = (".", "?", "!", '"')
ELLIPSIS = "..."
POLICY_PHRASES = (
    "terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
    "use cookies",
)  # fmt: skip
POLICY = re.compile("|".join(map(re.escape, POLICY_PHRASES)))
CITATION = re.compile(r"\[\d*\]|\[edit\]|\[citation needed\]")
# Why a line went (counted as c4/lines.<reason>) and why a page went (its drop reason).
LINE_REASONS = ("long_word", "punctuation", "ellipsis", "words", "javascript", "policy")
PAGE_REASONS = ("lines", "lorem", "curly", "bad_words", "sentences")


@dataclass(frozen=True)
class CleanedPage:
    """The lines C4's rules keep (or the reason the page goes) and the lines each rule took."""

    lines: tuple[str, ...]
    dropped: str | None = None  # one of PAGE_REASONS
    lines_removed: dict[str, int] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def badwords_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern matching any of `words` (lower-case) not inside a longer run of letters."""
    alternatives = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    if not alternatives:
        return None
    either = "|".join(map(re.escape, alternatives))
    return re.compile(rf"(?<![a-z])(?:{either})(?![a-z])")


def read_badwords(text: str) -> list[str]:
    """The bad words of a file: one per line; blank lines and `#` comments skipped."""
    return [w.strip() for w in text.splitlines() if w.strip() and not w.lstrip().startswith("#")]


def line_verdict(line: str, config: C4Config) -> tuple[str, str | None]:
    """(the line as C4 keeps it, None) or (the line, the LINE_REASON it goes for)."""
    line = line.strip()
    # only a line longer than the limit can hold a word longer than it: most skip the split
    if len(line) > config.max_word_length and any(
        len(word) > config.max_word_length for word in line.split()
    ):
        return line, "long_word"
    if "[" in line:
        line = CITATION.sub("", line)
    if line.endswith(ELLIPSIS):
        return line, "ellipsis"
    if not line.endswith(END_MARKS):
        return line, "punctuation"
    if len(line.split()) < config.min_words_per_line:
        return line, "words"
    return line, None


def clean_page(text: str, config: C4Config, badwords: re.Pattern[str] | None = None) -> CleanedPage:
    """A page's text through C4's line and page rules."""
    kept: list[str] = []
    removed: dict[str, int] = {}
    sentences = 0
    for raw in text.splitlines():
        if not raw.strip():
            continue
        line, reason = line_verdict(raw, config)
        if reason is None:
            lower = line.lower()
            if "lorem ipsum" in lower:
                return CleanedPage((), "lorem", removed)
            if "javascript" in lower:
                reason = "javascript"
            elif "{" in line:
                return CleanedPage((), "curly", removed)
            elif POLICY.search(lower):
                reason = "policy"
            elif badwords is not None and badwords.search(lower):
                return CleanedPage((), "bad_words", removed)
        if reason is not None:
            removed[reason] = removed.get(reason, 0) + 1
            continue
        kept.append(line)
        if sentences < config.min_sentences:  # the count only decides the page rule
            sentences += sentence_count(line)
    if not kept:
        return CleanedPage((), "lines", removed)
    if sentences < config.min_sentences:
        return CleanedPage(tuple(kept), "sentences", removed)
    return CleanedPage(tuple(kept), None, removed)


def page_sentences(lines: Iterable[str]) -> int:
    """Sentences of a page, counted line by line as C4 counts them."""
    return sum(sentence_count(line) for line in lines)
