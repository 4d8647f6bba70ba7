"""Renderers of the templates that write numbers and units: `{{convert}}`, `{{e}}`,
`{{val}}`, `{{frac}}`/`{{sfrac}}`.

`{{convert|5|mi|km}}` shows "5 miles (8.0 km)" on a page: the value as written and the
value converted. We keep the value with its unit's symbol, as with `abbr=on`, and add the
conversion where both units are in UNITS ("5 mi (8.0 km)"). The converted value is rounded
to the input's significant figures (at least two) or to the precision argument when one is
given; Module:Convert's own rounding is finer, but the words and their order are the same.
A unit we do not know is shown as written and not converted.

A renderer takes the positional arguments (in order, gaps closed) and the named ones
(lower-cased keys) and returns the text, or None when the arguments are not a form it knows.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

RANGE_WORDS = {"-": "–", "–": "–", "to": " to ", "and": " and ", "or": " or ", "by": " by ",
               "x": " × ", "×": " × ", "~": "–", "+/-": " ± ", "±": " ± ", "to(-)": " to ",
               "and(-)": " and ", "or(-)": " or ", "+": " + ", "then": " then "}  # fmt: skip
_NUMBER = re.compile(r"^[+\-−]?(\d[\d,]*(\.\d*)?|\.\d+)(e[+\-]?\d+)?$", re.I)


class Unit(NamedTuple):
    symbol: str
    kind: str
    to_si: float  # one unit in the SI unit of its kind (temperatures: see _to_si)
    default_out: str


UNITS: dict[str, Unit] = {
    # length (m)
    "m": Unit("m", "length", 1.0, "ft"), "km": Unit("km", "length", 1e3, "mi"),
    "cm": Unit("cm", "length", 1e-2, "in"), "mm": Unit("mm", "length", 1e-3, "in"),
    "mi": Unit("mi", "length", 1609.344, "km"), "ft": Unit("ft", "length", 0.3048, "m"),
    "in": Unit("in", "length", 0.0254, "mm"), "yd": Unit("yd", "length", 0.9144, "m"),
    "nmi": Unit("nmi", "length", 1852.0, "km"), "fathom": Unit("fathom", "length", 1.8288, "m"),
    "au": Unit("AU", "length", 1.495978707e11, "km"), "ly": Unit("ly", "length", 9.4607e15, "km"),
    # area (m²)
    "m2": Unit("m²", "area", 1.0, "sqft"), "km2": Unit("km²", "area", 1e6, "sqmi"),
    "ha": Unit("ha", "area", 1e4, "acre"), "acre": Unit("acres", "area", 4046.8564224, "ha"),
    "sqmi": Unit("sq mi", "area", 2589988.110336, "km2"),
    "sqft": Unit("sq ft", "area", 0.09290304, "m2"),
    # volume (m³)
    "m3": Unit("m³", "volume", 1.0, "cuft"), "l": Unit("L", "volume", 1e-3, "impgal"),
    "cuft": Unit("cu ft", "volume", 0.028316846592, "m3"),
    "usgal": Unit("US gal", "volume", 0.003785411784, "l"),
    "impgal": Unit("imp gal", "volume", 0.00454609, "l"),
    # mass (kg)
    "kg": Unit("kg", "mass", 1.0, "lb"), "g": Unit("g", "mass", 1e-3, "oz"),
    "t": Unit("t", "mass", 1e3, "LT"), "lb": Unit("lb", "mass", 0.45359237, "kg"),
    "oz": Unit("oz", "mass", 0.028349523125, "g"), "st": Unit("st", "mass", 6.35029318, "kg"),
    "lt": Unit("long tons", "mass", 1016.0469088, "t"),
    "st-short": Unit("short tons", "mass", 907.18474, "t"),
    # speed (m/s)
    "km/h": Unit("km/h", "speed", 1 / 3.6, "mph"), "mph": Unit("mph", "speed", 0.44704, "km/h"),
    "m/s": Unit("m/s", "speed", 1.0, "ft/s"), "ft/s": Unit("ft/s", "speed", 0.3048, "m/s"),
    "kn": Unit("kn", "speed", 1852 / 3600, "km/h"),
    # power (W), energy (J), pressure (Pa)
    "kw": Unit("kW", "power", 1e3, "hp"), "hp": Unit("hp", "power", 745.69987, "kW"),
    "mw": Unit("MW", "power", 1e6, "hp"), "kj": Unit("kJ", "energy", 1e3, "kcal"),
    "kcal": Unit("kcal", "energy", 4184.0, "kJ"), "kpa": Unit("kPa", "pressure", 1e3, "psi"),
    "psi": Unit("psi", "pressure", 6894.757, "kPa"),
    # temperature (K)
    "c": Unit("°C", "temperature", 1.0, "F"), "°c": Unit("°C", "temperature", 1.0, "F"),
    "f": Unit("°F", "temperature", 1.0, "C"), "°f": Unit("°F", "temperature", 1.0, "C"),
    "k": Unit("K", "temperature", 1.0, "C"),
}  # fmt: skip
# Other spellings of the keys above that Module:Convert accepts.
_ALIASES = {"metre": "m", "meter": "m", "kilometre": "km", "kilometer": "km", "mile": "mi",
            "miles": "mi", "foot": "ft", "feet": "ft", "inch": "in", "km²": "km2", "m²": "m2",
            "sqkm": "km2", "acres": "acre", "hectare": "ha", "l": "l", "litre": "l",
            "usgallon": "usgal", "us gal": "usgal", "kilogram": "kg", "pound": "lb",
            "long ton": "lt", "short ton": "st-short", "kph": "km/h", "knot": "kn",
            "knots": "kn", "pounds": "lb", "tonne": "t", "tonnes": "t"}  # fmt: skip


def unit(code: str) -> Unit | None:
    key = code.strip().lower()
    return UNITS.get(_ALIASES.get(key, key))


def _to_si(value: float, u: Unit) -> float:
    if u.kind != "temperature":
        return value * u.to_si
    return {"°C": value + 273.15, "°F": (value - 32) * 5 / 9 + 273.15}.get(u.symbol, value)


def _from_si(value: float, u: Unit) -> float:
    if u.kind != "temperature":
        return value / u.to_si
    return {"°C": value - 273.15, "°F": (value - 273.15) * 9 / 5 + 32}.get(u.symbol, value)


def number(text: str) -> float | None:
    """The value of a number as convert reads it ("1,200", "−5", "2.5e3"), else None."""
    if not _NUMBER.match(text.strip()):
        return None
    return float(text.strip().replace(",", "").replace("−", "-"))


def _decimals(text: str, value: float) -> int:
    """Decimals of a converted value: as many significant figures as the input has (at
    least two), but no more decimals than the input (one more for a one- or two-figure
    input: 5 mi is "8.0 km")."""
    mantissa = text.split("e")[0].split("E")[0].replace(",", "")
    significant = len(mantissa.replace(".", "").lstrip("+-−0"))
    written = len(mantissa.partition(".")[2])
    magnitude = math.floor(math.log10(abs(value))) if value else 0
    wanted = max(0, max(2, significant) - 1 - magnitude)
    return min(wanted, written + (1 if significant < 3 else 0))


def format_number(value: float, decimals: int) -> str:
    """A value with `decimals` decimals, thousands separated, "−" for minus."""
    return f"{round(value, decimals):,.{decimals}f}".replace("-", "−")


def _converted(
    values: list[str], joins: list[str], source: Unit, target: Unit, decimals: int | None
) -> str:
    parts = []
    for value in values:
        n = number(value)
        if n is None:
            return ""
        out = _from_si(_to_si(n, source), target)
        parts.append(format_number(out, _decimals(value, out) if decimals is None else decimals))
    text = parts[0] + "".join(j + p for j, p in zip(joins, parts[1:], strict=True))
    return f"{text} {target.symbol}"


def convert(positional: list[str], named: dict[str, str]) -> str | None:
    """{{convert|5|mi|km}} -> "5 mi (8.0 km)"; {{convert|60|and|80|kg}} -> "60 and 80 kg
    (130 and 180 lb)"; {{convert|6|ft|2|in|m}} -> "6 ft 2 in"; order=flip puts the
    conversion first, disp=out shows it alone."""
    if not positional or number(positional[0]) is None:
        return None
    values, joins, i = [positional[0]], [], 1
    while i + 1 < len(positional) and positional[i].strip().lower() in RANGE_WORDS:
        joins.append(RANGE_WORDS[positional[i].strip().lower()])
        values.append(positional[i + 1])
        i += 2
    if i >= len(positional):
        return None
    code = positional[i].strip()
    source = unit(code)
    shown = source.symbol if source else code
    text = values[0] + "".join(j + v for j, v in zip(joins, values[1:], strict=True)) + f" {shown}"
    rest = positional[i + 1 :]
    if rest and number(rest[0]) is not None and len(rest) > 1 and len(values) == 1:
        # a compound input: {{convert|6|ft|2|in|m}}, shown without conversion
        second = unit(rest[1])
        return f"{text} {rest[0]} {second.symbol if second else rest[1]}"
    if source is None:
        return text
    wanted = rest[0].split() if rest and number(rest[0]) is None else [source.default_out]
    precision = (
        rest[1] if len(rest) > 1 else rest[0] if rest and number(rest[0]) is not None else ""
    )
    decimals = int(precision) if precision.isdigit() else None
    targets = [t for t in (unit(w) for w in wanted) if t is not None and t.kind == source.kind]
    outputs = [_converted(values, joins, source, t, decimals) for t in targets if t != source]
    outputs = [o for o in outputs if o]
    if not outputs:
        return text
    if named.get("disp") == "out":
        return "; ".join(outputs)
    if named.get("order") == "flip":
        return f"{'; '.join(outputs)} ({text})"
    return f"{text} ({'; '.join(outputs)})"


def times_ten(positional: list[str], named: dict[str, str]) -> str | None:
    """{{e|24}} -> "×10^24" (after a number: "5.98{{e|24}}" is 5.98×10^24)."""
    return f"×10^{positional[0]}" if positional and positional[0] else None


def value(positional: list[str], named: dict[str, str]) -> str | None:
    """{{val|1.23|e=5|u=m}} -> "1.23×10^5 m"; {{val|1.00794|(7)}} -> "1.00794(7)";
    {{val|9.8|0.2}} -> "9.8±0.2"."""
    if not positional:
        return None
    text = positional[0]
    if len(positional) > 1:
        uncertainty = positional[1]
        text += uncertainty if uncertainty.startswith("(") else f"±{uncertainty}"
    if named.get("e"):
        text += f"×10^{named['e']}"
    code = named.get("u") or named.get("ul")
    if not code:
        return text
    u = unit(code)
    return f"{text} {u.symbol if u else code}"


def fraction(positional: list[str], named: dict[str, str]) -> str | None:
    """{{frac|1|2}} -> "1/2"; {{frac|3|1|2}} -> "3 1/2"; {{frac|4}} -> "1/4"."""
    if len(positional) == 1:
        return f"1/{positional[0]}"
    if len(positional) == 2:
        return f"{positional[0]}/{positional[1]}"
    if len(positional) == 3:
        return f"{positional[0]} {positional[1]}/{positional[2]}"
    return None
