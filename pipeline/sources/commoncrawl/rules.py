"""The ccnet stage's line rule, before line dedup: a line with no letter or digit goes.

Navigation bars leave lines made only of marks and symbols: "«", "»", "|", "•", "·", "–",
">>". cc_net hashes the normalised form of every line, the empty string included, so such a
line shares one hash with every other line that normalises to nothing and its line dedup
removes it. Ours keeps lines whose dedup form is empty as separators and never hashes them
(pipeline/dedup/lines.py), so without this rule the sidebar's "«" ended every kept page of
the Python docs (realtext). Blank lines hold nothing and are left to the dedup. Pure
functions on strings, standard library only.
"""

from __future__ import annotations

import re

REASON = "punctuation_only"  # counted as ccnet/lines.punctuation_only
# A letter or digit of any script (str.isalnum): \w without the underscore.
LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def has_letter_or_digit(line: str) -> bool:
    return LETTER_OR_DIGIT.search(line) is not None


def without_punctuation_lines(text: str) -> tuple[str, int]:
    """(the text without its non-blank lines that hold no letter or digit, how many went)."""
    kept: list[str] = []
    removed = 0
    for line in text.split("\n"):
        if line.strip() and not has_letter_or_digit(line):
            removed += 1
        else:
            kept.append(line)
    return ("\n".join(kept), removed) if removed else (text, 0)
