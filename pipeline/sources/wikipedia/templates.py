"""Inline templates whose displayed text is their content, rendered from their arguments.

Every other template is dropped (infoboxes, navigation, citations, maintenance tags), which
is right for most of them but loses words where a template *is* the text: `ran
{{convert|5|km|mi}} in` would read "ran  in", and `({{IPA-en|ˈbɜːrlɪn}}; born 1900)` would
read "( ; born 1900)". This table renders the common ones the way a reader sees them, as far
as that needs no data the dump does not hold: a conversion keeps the value and unit as
written (not the computed other unit), a date its parts, a language tag its text. A
template whose arguments do not fit the simple form renders as None (dropped).

Names are compared case-insensitively with spaces and underscores alike, as MediaWiki
resolves them (redirects such as `cvt` -> `convert` are listed here by hand).
"""

from __future__ import annotations

import re
from collections.abc import Callable

Render = Callable[[list[str], dict[str, str]], str | None]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
# {{convert|5|to|10|km}}: the words that join a range, as the template shows them
RANGE_WORDS = {"-": "–", "–": "–", "to": " to ", "and": " and ", "or": " or ", "by": " by ",
               "x": " × ", "×": " × ", "~": "–", "+/-": " ± ", "±": " ± ", "to(-)": " to "}  # fmt: skip
_NUMBER = re.compile(r"^[+\-−]?[\d.,]+(e[+\-]?\d+)?$", re.I)
_SQUARE_CUBE = re.compile(r"(?<=[a-zA-Z])([23])$")


def _first(positional: list[str], named: dict[str, str]) -> str | None:
    return positional[0] if positional else None


def _second(positional: list[str], named: dict[str, str]) -> str | None:
    return positional[1] if len(positional) > 1 else None


def _last(positional: list[str], named: dict[str, str]) -> str | None:
    return positional[-1] if positional else None


def _text(positional: list[str], named: dict[str, str]) -> str | None:
    """{{quote|text=...}} or its first positional argument."""
    for key in ("text", "quote", "quotetext", "1"):
        if named.get(key):
            return named[key]
    return positional[0] if positional else None


def _unit(unit: str) -> str:
    return _SQUARE_CUBE.sub(lambda m: "²" if m.group(1) == "2" else "³", unit)


def convert(positional: list[str], named: dict[str, str]) -> str | None:
    """{{convert|5|km|mi}} -> "5 km"; {{convert|5|to|10|km}} -> "5 to 10 km";
    {{convert|6|ft|2|in|m}} -> "6 ft 2 in"."""
    if not positional or not _NUMBER.match(positional[0]):
        return None
    text, i = positional[0], 1
    while i + 1 < len(positional) and positional[i] in RANGE_WORDS:
        text += RANGE_WORDS[positional[i]] + positional[i + 1]
        i += 2
    if i >= len(positional):
        return None
    text += " " + _unit(positional[i])
    # a compound input: {{convert|6|ft|2|in|...}}
    if i + 2 < len(positional) and _NUMBER.match(positional[i + 1]):
        text += f" {positional[i + 1]} {_unit(positional[i + 2])}"
    return text


def date(positional: list[str], named: dict[str, str]) -> str | None:
    """{{birth date|1900|1|15}} -> "January 15, 1900" ("15 January 1900" with df=y).
    The "and age" variants show no age: it depends on the day the page is read."""
    parts = [p for p in positional[:3] if p]
    if not parts or not parts[0].isdigit():
        return None
    year = parts[0]
    if len(parts) == 1:
        return year
    if not parts[1].isdigit() or not 1 <= int(parts[1]) <= 12:
        return None
    month = MONTHS[int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {year}"
    day = str(int(parts[2])) if parts[2].isdigit() else parts[2]
    day_first = named.get("df", "").lower() in ("y", "yes", "true", "1")
    return f"{day} {month} {year}" if day_first else f"{month} {day}, {year}"


def fraction(positional: list[str], named: dict[str, str]) -> str | None:
    """{{frac|1|2}} -> "1/2"; {{frac|3|1|2}} -> "3 1/2"; {{frac|4}} -> "1/4"."""
    if len(positional) == 1:
        return f"1/{positional[0]}"
    if len(positional) == 2:
        return f"{positional[0]}/{positional[1]}"
    if len(positional) == 3:
        return f"{positional[0]} {positional[1]}/{positional[2]}"
    return None


def value(positional: list[str], named: dict[str, str]) -> str | None:
    """{{val|1.23|e=5|u=m}} -> "1.23×10^5 m"."""
    if not positional:
        return None
    text = positional[0]
    if named.get("e"):
        text += f"×10^{named['e']}"
    unit = named.get("u") or named.get("ul")
    return f"{text} {_unit(unit)}" if unit else text


def ipa(positional: list[str], named: dict[str, str]) -> str | None:
    """{{IPA-de|ˈbɛʁlɪn}} -> "[ˈbɛʁlɪn]" (the template adds the brackets)."""
    return f"[{positional[0]}]" if positional and positional[0] else None


# {{IPAc-en}} arguments that are labels, not sounds
_IPAC_LABELS = frozenset({"lang", "local", "pron", "us", "uk", "audio", "also", "or", ","})


def ipac(positional: list[str], named: dict[str, str]) -> str | None:
    """{{IPAc-en|ˈ|b|ɜːr|l|ɪ|n}} -> "/ˈbɜːrlɪn/" (one argument per sound)."""
    sounds = [p for p in positional if p and p.lower() not in _IPAC_LABELS]
    return f"/{''.join(sounds)}/" if sounds else None


def nihongo(positional: list[str], named: dict[str, str]) -> str | None:
    """{{nihongo|Tokyo|東京|Tōkyō}} -> "Tokyo (東京, Tōkyō)"."""
    if not positional:
        return None
    rest = [p for p in positional[1:3] if p]
    return f"{positional[0]} ({', '.join(rest)})" if rest else positional[0]


def prefixed(prefix: str, render: Render) -> Render:
    def with_prefix(positional: list[str], named: dict[str, str]) -> str | None:
        text = render(positional, named)
        return f"{prefix}{text}" if text else None

    return with_prefix


def constant(text: str) -> Render:
    return lambda positional, named: text


def joined(separator: str) -> Render:
    def join(positional: list[str], named: dict[str, str]) -> str | None:
        items = [p for p in positional if p]
        return separator.join(items) if items else None

    return join


def as_of(positional: list[str], named: dict[str, str]) -> str | None:
    text = date(positional, {"df": "y"}) if positional else None
    return f"As of {text}" if text else None


INLINE: dict[str, Render] = {
    **dict.fromkeys(("convert", "cvt"), convert),
    **dict.fromkeys(("lang", "langx", "lang-x"), _second),
    **dict.fromkeys(
        (
            "nowrap",
            "nobr",
            "nobreak",
            "no wrap",
            "nobold",
            "noitalic",
            "small",
            "smaller",
            "big",
            "larger",
            "sc",
            "smallcaps",
            "small caps",
            "serif",
            "sans-serif",
            "mono",
            "monospace",
            "code",
            "kbd",
            "samp",
            "var",
            "mvar",
            "math",
            "em",
            "strong",
            "abbr",
            "tooltip",
            "sic",
            "not a typo",
            "proper name",
            "visible anchor",
            "vanchor",
            "sup",
            "sub",
            "ill",
            "interlanguage link",
            "interlanguage link multi",
            "lang-rtl",
            "script",
            "keypress",
            "lit",
        ),
        _first,
    ),  # fmt: skip
    "audio": _second,
    "resize": _last,  # {{resize|90%|text}} or {{resize|text}}
    **dict.fromkeys(("transl", "transliteration"), _last),
    **dict.fromkeys(
        (
            "quote",
            "blockquote",
            "quotation",
            "cquote",
            "quote box",
            "poem quote",
            "centered pull quote",
        ),
        _text,
    ),  # fmt: skip
    **dict.fromkeys(
        (
            "birth date",
            "death date",
            "birth date and age",
            "death date and age",
            "start date",
            "end date",
            "start date and age",
            "dts",
            "date",
        ),
        date,
    ),  # fmt: skip
    **dict.fromkeys(("frac", "fraction", "sfrac"), fraction),
    **dict.fromkeys(("val",), value),
    "ipa": _first,
    **dict.fromkeys(("nihongo", "nihongo2"), nihongo),
    **dict.fromkeys(("circa", "c."), prefixed("c. ", _first)),
    **dict.fromkeys(("floruit", "fl."), prefixed("fl. ", _first)),
    **dict.fromkeys(("reign", "r."), prefixed("r. ", joined("–"))),
    "as of": as_of,
    **dict.fromkeys(("hlist", "flatlist"), joined(" · ")),
    **dict.fromkeys(("ubl", "unbulleted list", "plainlist", "plain list"), joined("\n")),
    **dict.fromkeys(("ndash", "en dash"), constant("–")),
    **dict.fromkeys(("mdash", "em dash"), constant("—")),
    **dict.fromkeys(("snd", "spaced ndash", "spnd", "sndash", "spaced en dash"), constant(" – ")),
    **dict.fromkeys(("spaced mdash", "spmdash"), constant(" — ")),
    **dict.fromkeys(("nbsp", "space"), constant("\xa0")),
    "'": constant("'"),
    "'s": constant("'s"),
    **dict.fromkeys(("!", "pipe"), constant("|")),
    "=": constant("="),
    **dict.fromkeys(("dot", "middot", "·"), constant("·")),
    **dict.fromkeys(("bull", "bullet", "•"), constant("•")),
}


def template_key(name: str) -> str:
    """The lookup form of a template name: `Template:Lang-fr ` -> "lang-fr"."""
    key = " ".join(name.replace("_", " ").split()).lower()
    for prefix in ("template:", "subst:", "safesubst:", "msg:"):
        if key.startswith(prefix):
            key = key[len(prefix) :].strip()
    return key


def inline_renderer(key: str) -> Render | None:
    """The renderer of the template `key` (see template_key), or None if it is dropped."""
    render = INLINE.get(key)
    if render is not None:
        return render
    if key.startswith("lang-"):  # {{lang-fr|texte}}: the text
        return _first
    if key.startswith("ipac-"):
        return ipac
    if key.startswith("ipa-") or key.startswith("ipa "):
        return ipa
    return None
