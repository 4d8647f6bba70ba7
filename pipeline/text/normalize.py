"""The two normalisations of CCNet (Wenzek et al. 2020), as pure functions on strings.

`dedup_form(line)`: what two lines must share to count as one paragraph for line dedup:
stripped, lower-cased, every digit 0 (decimal or not), every punctuation mark and control character
removed, runs of white space made one space. cc_net deletes only a fixed table of 35
non-ASCII marks, so "Contact." and "Contact" hash apart there; DESIGN.md says Unicode
punctuation, and every character of Unicode category P (ASCII marks included) goes here,
with cc_net's table, so boilerplate variants that differ only in punctuation collapse.

`lm_form(text)`: what the language models are trained on and score, line by line: stripped,
lower-cased, accents stripped (NFD, combining marks dropped), every digit 0, cc_net's
punctuation map (full-width and typographic marks to ASCII), control characters removed.
The map is cc_net's, entry for entry, so that perplexities with cc_net's published models
mean what they mean there.
"""

from __future__ import annotations

import re
import unicodedata

# cc_net's map of non-ASCII punctuation to ASCII (data, kept identical for compatibility).
PUNCTUATION_MAP: dict[str, str] = {
    "，": ",", "。": ".", "、": ",", "„": '"', "”": '"', "“": '"', "«": '"', "»": '"',
    "１": '"', "」": '"', "「": '"', "《": '"', "》": '"', "´": "'", "∶": ":", "：": ":",
    "？": "?", "！": "!", "（": "(", "）": ")", "；": ";", "–": "-", "—": " - ", "．": ". ",
    "～": "~", "’": "'", "…": "...", "━": "-", "〈": "<", "〉": ">", "【": "[", "】": "]",
    "％": "%", "►": "-",
}  # fmt: skip

_CONTROL = "".join(map(chr, [*range(0, 32), *range(127, 160)]))
_DIGIT = re.compile(r"\d")  # every Unicode decimal digit, as cc_net's \d
_SPACES = re.compile(r"\s+")
_CONTROL_TABLE = str.maketrans("", "", _CONTROL)
_LM_TABLE = str.maketrans({**PUNCTUATION_MAP, **dict.fromkeys(_CONTROL)})


def _is_dropped_in_dedup(char: str) -> bool:
    return unicodedata.category(char).startswith("P") or char in PUNCTUATION_MAP or char in _CONTROL


def _is_other_digit(char: str) -> bool:
    """A digit that is not a decimal digit (superscripts, Ethiopic ፩...): \\d misses it."""
    return unicodedata.digit(char, None) is not None and unicodedata.category(char) != "Nd"


# Built once over the BMP: str.translate with a table is several times faster than a
# per-character category test, and the dedup form is computed for every line of a crawl.
# Digits that \d misses become 0 too (cc_net leaves them): Amharic "አንቀጽ ፩" and "አንቀጽ ፪"
# collapse as "Article 1" and "Article 2" do (seen in the UDHR).
_DEDUP_TABLE = str.maketrans(
    {
        **{c: "0" for c in map(chr, range(0x10000)) if _is_other_digit(c)},
        **dict.fromkeys(c for c in map(chr, range(0x10000)) if _is_dropped_in_dedup(c)),
    }
)


# For ASCII lines (most of a crawl) one table does it all: \d is 0-9 there, and once the
# controls (tab included, as in the general path) are deleted only spaces are left to split.
_ASCII_DEDUP_TABLE = str.maketrans(
    {**dict.fromkeys("0123456789", "0"),
     **dict.fromkeys(c for c in map(chr, range(128)) if _is_dropped_in_dedup(c))}
)  # fmt: skip


def dedup_form(line: str) -> str:
    """The line as line dedup compares it ("" for a line of only spaces and marks)."""
    if line.isascii():
        return " ".join(line.lower().translate(_ASCII_DEDUP_TABLE).split())
    line = line.strip()
    if not line:
        return ""
    line = _DIGIT.sub("0", line.lower()).translate(_DEDUP_TABLE)
    if max(line, default="") > "\uffff":  # characters beyond the table (rare)
        line = "".join(c for c in line if not _is_dropped_in_dedup(c))
    return _SPACES.sub(" ", line).strip()


def strip_accents(text: str) -> str:
    """The text without combining marks after canonical decomposition (é -> e, ñ -> n)."""
    decomposed = unicodedata.normalize("NFD", text)
    if decomposed.isascii():
        return decomposed
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def lm_form(line: str) -> str:
    """A line as the language models see it (cc_net's `normalize` with its defaults)."""
    line = line.strip()
    if not line:
        return ""
    line = _DIGIT.sub("0", strip_accents(line.lower()))
    return line.translate(_LM_TABLE)


def remove_control(text: str) -> str:
    """The text without C0/C1 control characters (the newline and tab included)."""
    return text.translate(_CONTROL_TABLE)
