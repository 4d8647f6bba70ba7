"""Markup left in cleaned text, by kind: what the tests assert is absent and what the
Wikipedia bench counts on a real export. A hit is a place to look, not always a fault:
prose can hold a "()" or an "&amp;" on purpose, and kept math is LaTeX (strip it first
with `without_math`)."""

from __future__ import annotations

import re

REMNANTS: dict[str, re.Pattern[str]] = {
    "ref": re.compile(r"</?ref\b|<references", re.I),
    "tag": re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>\n]*)?/?>"),
    "template": re.compile(r"\{\{|\}\}"),
    "link": re.compile(r"\[\[|\]\]"),
    "table": re.compile(r"^\s*(?:\{\||\|\}|\|-|\|\+)|\|\||!!|wikitable", re.M),
    "quotes": re.compile(r"''"),
    "entity": re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]{1,31});", re.I),
    "empty_parens": re.compile(r"\(\s*[,;:]?\s*\)"),
    "file": re.compile(r"\|\s*(?:thumb|thumbnail|frameless|upright)\b|\|\s*\d+px\b", re.I),
    "magic": re.compile(r"__[A-Z]{3,}__"),
    "control": re.compile(r"[\x00-\x08\x0b-\x1f\ue000-\ue0ff]"),
}
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)


def without_math(text: str) -> str:
    """The text with each `$...$` and `$$...$$` span (kept math) replaced by a word."""
    return _MATH.sub("MATH", text)


def remnants(text: str) -> dict[str, list[str]]:
    """Kind -> the places (with a little context) where markup is left."""
    found: dict[str, list[str]] = {}
    for kind, pattern in REMNANTS.items():
        for match in pattern.finditer(text):
            start, end = max(0, match.start() - 40), match.end() + 40
            found.setdefault(kind, []).append(text[start:end].replace("\n", " / "))
    return found
