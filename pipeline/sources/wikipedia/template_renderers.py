"""Renderers of the inline templates whose text is their content, by family (numbers and
units are in template_numbers.py): dates, lists, quotes and dashes, language text and
pronunciation, chemistry and math, coordinates, ships.

Each renders the way a reader sees the template, as far as that needs no data the dump
does not hold: a date shows its parts but no age counted from today, a language tag its
text without the language's name. A renderer takes the positional arguments (in order,
gaps closed) and the named ones (lower-cased keys) and returns the text, or None when the
arguments are not a form it knows (the template is then dropped).
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.sources.wikipedia.languages import WIKIPEDIA_EDITIONS

Render = Callable[[list[str], dict[str, str]], str | None]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
_YES = ("y", "yes", "true", "1", "on")


def constant(text: str) -> Render:
    return lambda positional, named: text


def joined(separator: str, skip_numbers: bool = False) -> Render:
    """The positional arguments joined; each line of a multi-line argument is an item of
    its own (`{{flatlist|\n* a\n* b}}`). skip_numbers: a bare number is a column count."""

    def join(positional: list[str], named: dict[str, str]) -> str | None:
        items = [
            line.strip()
            for p in positional
            if not (skip_numbers and p.strip().isdigit())
            for line in p.split("\n")
            if line.strip()
        ]
        return separator.join(items) if items else None

    return join


def ordered_list(positional: list[str], named: dict[str, str]) -> str | None:
    """{{ordered list|a|b|start=4}} -> "4. a\n5. b"."""
    start = int(named["start"]) if named.get("start", "").isdigit() else 1
    items = [p for p in positional if p]
    return "\n".join(f"{start + i}. {item}" for i, item in enumerate(items)) or None


def prefixed(prefix: str, render: Render) -> Render:
    def with_prefix(positional: list[str], named: dict[str, str]) -> str | None:
        text = render(positional, named)
        return f"{prefix}{text}" if text else None

    return with_prefix


def wrapped(before: str, after: str, separator: str = "") -> Render:
    """{{angbr|a}} -> "⟨a⟩": the arguments joined, between two marks."""

    def wrap(positional: list[str], named: dict[str, str]) -> str | None:
        text = separator.join(p for p in positional if p)
        return f"{before}{text}{after}" if text else None

    return wrap


# --- dates ---


def date(positional: list[str], named: dict[str, str]) -> str | None:
    """{{birth date|1900|1|15}} -> "January 15, 1900" ("15 January 1900" with df=y). The
    "and age" variants show no age counted from today."""
    parts = [p.strip() for p in positional[:3] if p.strip()]
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
    day_first = named.get("df", "").lower() in _YES
    return f"{day} {month} {year}" if day_first else f"{month} {day}, {year}"


def _month(text: str) -> str:
    """A month number or name as its name: "6" -> "June", "june" -> "June"."""
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= 12:
        return MONTHS[int(text) - 1]
    return text[:1].upper() + text[1:]


def as_of(positional: list[str], named: dict[str, str]) -> str | None:
    """{{As of|2013|June|8}} -> "As of June 8, 2013" (df=y: "8 June 2013"); lc=y: "as of";
    since=y: "Since"."""
    parts = [p.strip() for p in positional[:3] if p.strip()]
    if not parts:
        return None
    if len(parts) == 1:
        when = parts[0]
    elif len(parts) == 2:
        when = f"{_month(parts[1])} {parts[0]}"
    elif named.get("df", "").lower() in _YES:
        when = f"{parts[2]} {_month(parts[1])} {parts[0]}"
    else:
        when = f"{_month(parts[1])} {parts[2]}, {parts[0]}"
    lead = "since" if named.get("since", "").lower() in _YES else "as of"
    lead = lead if named.get("lc", "").lower() in _YES else lead.capitalize()
    return f"{lead} {when}"


def death_date_and_age(positional: list[str], named: dict[str, str]) -> str | None:
    """{{death date and age|1999|5|2|1920|1|7}} -> "May 2, 1999 (aged 79)": both dates are
    in the arguments, so the age needs no today."""
    died = date(positional[:3], named)
    parts = [p.strip() for p in positional[:6]]
    if died is None or len(parts) < 4 or not all(p.isdigit() for p in parts):
        return died
    death, birth = [int(p) for p in parts[:3]], [int(p) for p in parts[3:6]]
    age = death[0] - birth[0]
    if len(death) == len(birth) == 3 and (death[1], death[2]) < (birth[1], birth[2]):
        age -= 1
    return f"{died} (aged {age})"


def old_style_date(positional: list[str], named: dict[str, str]) -> str | None:
    """{{OldStyleDate|February 2|1905|January 20}} -> "February 2 [O.S. January 20] 1905"."""
    if len(positional) < 3:
        return " ".join(positional) or None
    return f"{positional[0]} [O.S. {positional[2]}] {positional[1]}"


def marriage(positional: list[str], named: dict[str, str]) -> str | None:
    """{{marriage|Maria Nys|1919|1955}} -> "Maria Nys (m. 1919–1955)"."""
    if not positional:
        return None
    years = "–".join(p for p in positional[1:3] if p)
    return f"{positional[0]} (m. {years})" if years else positional[0]


# --- quotes ---


def quotation(positional: list[str], named: dict[str, str]) -> str | None:
    """{{quote|text|author|source}} -> "text\n— author, source" (text= quote= author=...)."""
    text = named.get("text") or named.get("quote") or (positional[0] if positional else "")
    if not text:
        return None
    author = (
        named.get("author") or named.get("sign") or (positional[1] if len(positional) > 1 else "")
    )
    source = named.get("source") or (positional[2] if len(positional) > 2 else "")
    signed = ", ".join(p for p in (author, source) if p)
    return f"{text}\n— {signed}" if signed else text


# --- language text and pronunciation ---


def language_text(positional: list[str], named: dict[str, str]) -> str | None:
    """{{lang|fr|le parc}} -> "le parc" (text= also)."""
    return named.get("text") or (positional[1] if len(positional) > 1 else None)


def last(positional: list[str], named: dict[str, str]) -> str | None:
    """{{transl|ar|ALA|bismillāh}} -> "bismillāh": the text after the codes."""
    return positional[-1] if positional else None


def interlanguage_link(positional: list[str], named: dict[str, str]) -> str | None:
    """{{ill|Title|de|Titel}} -> "Title"; the older {{ill|de|Title|...}} -> "Title"; lt=."""
    if named.get("lt"):
        return named["lt"]
    if len(positional) > 1 and positional[0].strip().lower() in WIKIPEDIA_EDITIONS:
        return positional[1]
    return positional[0] if positional else None


def ipa(positional: list[str], named: dict[str, str]) -> str | None:
    """{{IPA-de|ˈbɛʁlɪn}} -> "[ˈbɛʁlɪn]" (the template adds the brackets)."""
    return f"[{positional[0]}]" if positional and positional[0] else None


# {{IPAc-en}} arguments that are labels, not sounds
_IPAC_LABELS = frozenset({"lang", "local", "pron", "us", "uk", "audio", "also", "or", ","})


def ipac(positional: list[str], named: dict[str, str]) -> str | None:
    """{{IPAc-en|ˈ|b|ɜːr|l|ɪ|n}} -> "/ˈbɜːrlɪn/": one argument per sound, "_" a space."""
    sounds = [p.replace("_", " ") for p in positional if p and p.lower() not in _IPAC_LABELS]
    return f"/{''.join(sounds).strip()}/" if sounds else None


def respell(positional: list[str], named: dict[str, str]) -> str | None:
    """{{respell|BUR|lin}} -> "BUR-lin": syllables joined by hyphens, "_" a space."""
    syllables = [p for p in positional if p]
    if not syllables:
        return None
    return "-".join(syllables).replace("-_-", " ").replace("_", " ")


def nihongo(positional: list[str], named: dict[str, str]) -> str | None:
    """{{nihongo|Tokyo|東京|Tōkyō}} -> "Tokyo (東京, Tōkyō)"."""
    if not positional:
        return None
    rest = [p for p in positional[1:3] if p]
    return f"{positional[0]} ({', '.join(rest)})" if rest else positional[0]


# --- chemistry and math ---


def chemical(positional: list[str], named: dict[str, str]) -> str | None:
    """{{chem|H|2|O}} -> "H2O": symbols and counts written together."""
    return "".join(positional) or None


# --- coordinates ---


def _angle(parts: list[str]) -> str:
    marks = ("°", "′", "″")
    return "".join(f"{p}{marks[i]}" for i, p in enumerate(parts) if p)


def coordinates(positional: list[str], named: dict[str, str]) -> str | None:
    """{{coord|8|8|N|165|1|W}} -> "8°8′N 165°1′W"; {{coord|32.7|-86.7}} -> "32.7°N 86.7°W".
    Coordinates shown only beside the title (display=title) are not text of the article."""
    display = named.get("display", "inline").replace(" ", "").lower()
    if "inline" not in display and display not in ("it", "i", "ti"):
        return None
    args = [p.strip() for p in positional if p.strip() and ":" not in p]
    for i, arg in enumerate(args):
        if arg.upper() in ("N", "S") and i + 1 < len(args):
            for j in range(i + 1, len(args)):
                if args[j].upper() in ("E", "W"):
                    lat, lon = _angle(args[:i]) + arg.upper(), _angle(args[i + 1 : j])
                    return f"{lat} {lon}{args[j].upper()}"
            return None
    if len(args) >= 2:
        try:
            lat, lon = float(args[0]), float(args[1])
        except ValueError:
            return None
        return f"{abs(lat):g}°{'N' if lat >= 0 else 'S'} {abs(lon):g}°{'E' if lon >= 0 else 'W'}"
    return None


# --- ships ---


def ship(prefix: str) -> Render:
    """{{HMS|Ajax|22}} -> "HMS Ajax (22)"."""

    def name(positional: list[str], named: dict[str, str]) -> str | None:
        if not positional:
            return None
        number = f" ({positional[1]})" if len(positional) > 1 and positional[1] else ""
        return f"{prefix} {positional[0]}{number}"

    return name


def nuclide(positional: list[str], named: dict[str, str]) -> str | None:
    """{{nuclide2|calcium|48}} -> "calcium-48"."""
    return "-".join(p for p in positional[:2] if p) or None


def flag(positional: list[str], named: dict[str, str]) -> str | None:
    """{{flag|Dutch Republic|name=Netherlands}} -> "Netherlands" (the flag is a picture)."""
    return named.get("name") or (positional[0] if positional else None)
