"""User macros of a LaTeX source: their definitions found and removed, their uses expanded.

Definitions read: `\\newcommand`, `\\renewcommand`, `\\providecommand` (starred or not, with
`[n]` arguments and an optional first argument's `[default]`), `\\DeclareMathOperator` (the
body becomes `\\operatorname{...}`, starred `\\operatorname*{...}`), and `\\def` (also
`\\gdef`, `\\edef`, `\\xdef`, after `\\long`/`\\global`/`\\protected`) with its parameter text,
delimited parameters included (`\\def\\foo#1.{...}` takes everything up to the first `.`).
`\\let\\a\\b` makes `\\a` an alias. A later definition replaces an earlier one, except that
`\\providecommand` never replaces one. RedPajama v1 expanded argument-less one-line macros
only; models then see `\\vect{x}` where the paper meant `\\mathbf{x}`.

Only definitions made at the top level (of the preamble, the document, a package) are
expanded: one inside a group, `{...}` or an environment other than `document` (a
`\\def\\{{\\ttfamily\\char`\\{}` in a `\\newenvironment`'s code), means something only there,
and expanding it everywhere garbles the text. Nor is a macro whose body mentions itself,
directly or through other macros (`\\def\\{{...\\{}` would grow one copy per level). Both are
removed with the other definitions and counted by reason (`Definitions.skipped`,
`recursive`); their uses stay as written.

Expansion is textual: each use is replaced by its body with the arguments substituted, and
the result is expanded again, up to `max_depth` levels (a recursive `\\def\\a{\\a}` stops
there) and `max_chars` characters produced in all (a `\\def\\a{\\a\\a}` bomb stops there and
the text is returned unexpanded). Macros whose body uses LaTeX internals (`\\@startsection`,
`\\z@`) are class formatting hooks, meaningless as text, and are removed but not expanded.

No library parses and expands LaTeX macros offline (pylatexenc and TexSoup parse but do not
expand user definitions), so this is our own: pure functions on strings.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

# a control sequence's name: letters (and @, for \makeatletter code), or one other character
NAME = r"(?:[A-Za-z@]+|[^A-Za-z@\s])"
DEFINITION = re.compile(
    r"\\(?P<new>newcommand|renewcommand|providecommand|DeclareRobustCommand)(?P<nstar>\*?)"
    r"(?![A-Za-z@])"
    r"|\\(?P<op>DeclareMathOperator)(?P<ostar>\*?)(?![A-Za-z@])"
    r"|(?:\\(?:long|global|protected|outer)\s*)*\\(?P<def>[egx]?def)(?![A-Za-z@])"
    r"|\\(?P<let>let)(?![A-Za-z@])"
)
# an escaped backslash pair is skipped as a whole, so `\\R` is never read as `\R`
BRACE = re.compile(r"\\.|[{}]", re.DOTALL)
INTERNAL = re.compile(r"\\(?:[A-Za-z]+@|@[A-Za-z])")
# \def\csname x\endcsname{...} defines \x, a name only TeX itself can build: left as it is
UNNAMED = frozenset({"csname", "expandafter", "noexpand", "the", "relax"})
PARAMETER = re.compile(r"#(#|[1-9])")
CONTROL_SEQUENCE = re.compile(r"\\" + NAME)
OPTIONAL_END = re.compile(r"\\.|[{}\]]", re.DOTALL)


@dataclass(frozen=True)
class Macro:
    """One definition. `pattern` is None for \\newcommand-style macros (`params` arguments,
    the first optional with `default` when that is not None); for \\def it is the parameter
    text split at its parameters: pattern[0] precedes #1, pattern[i] follows #i ("" when #i
    is undelimited)."""

    name: str
    params: int
    body: str
    default: str | None = None
    pattern: tuple[str, ...] | None = None
    # a \let alias of a command that is not a user macro: its body is that command as LaTeX
    # defines it, so a later user definition of the same name must not expand it again
    final: bool = False

    @property
    def expandable(self) -> bool:
        return not INTERNAL.search(self.body)


@dataclass
class Definitions:
    """What find_definitions read: the text without its definitions, the macros to expand by
    name, and the definitions not expanded, by reason (`in_group`)."""

    text: str
    macros: dict[str, Macro]
    skipped: Counter[str]


@dataclass(frozen=True)
class Expansion:
    text: str
    complete: bool  # False: a limit stopped the expansion and the text is as it was


class TooLarge(Exception):
    """Expansion produced more than its budget of characters."""


def skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def read_group(text: str, pos: int) -> tuple[str, int] | None:
    """The content of the balanced {...} group opening at `pos`, and the index after it."""
    if pos >= len(text) or text[pos] != "{":
        return None
    depth = 0
    for match in BRACE.finditer(text, pos):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                return text[pos + 1 : match.start()], match.end()
    return None


def read_token(text: str, pos: int) -> tuple[str, int] | None:
    """An undelimited argument at `pos` (spaces skipped): a group's content, a control
    sequence, or one character."""
    pos = skip_space(text, pos)
    if pos >= len(text):
        return None
    if text[pos] == "{":
        return read_group(text, pos)
    if text[pos] == "}":
        return None
    if text[pos] == "\\":
        match = CONTROL_SEQUENCE.match(text, pos)
        return (match.group(), match.end()) if match else None
    return text[pos], pos + 1


def read_optional(text: str, pos: int) -> tuple[str, int] | None:
    """The content of `[...]` at `pos` (spaces skipped): up to the first `]` outside braces."""
    pos = skip_space(text, pos)
    if pos >= len(text) or text[pos] != "[":
        return None
    depth = 0
    for match in OPTIONAL_END.finditer(text, pos + 1):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif token == "]" and depth == 0:
            return text[pos + 1 : match.start()], match.end()
    return None


def read_name(text: str, pos: int, braces: bool = True) -> tuple[str, int] | None:
    """The macro name defined at `pos`: `\\name` or `{\\name}`, without the backslash."""
    pos = skip_space(text, pos)
    if braces and pos < len(text) and text[pos] == "{":
        group = read_group(text, pos)
        if group is None:
            return None
        inner = re.fullmatch(r"\s*\\(" + NAME + r")\s*", group[0])
        return (inner.group(1), group[1]) if inner else None
    match = re.compile(r"\\(" + NAME + ")").match(text, pos)
    if match is None or match.group(1) in UNNAMED:
        return None
    return match.group(1), match.end()


def parse_newcommand(text: str, pos: int) -> tuple[str, int, str | None, str, int] | None:
    """(name, params, default, body, end) of a \\newcommand-style definition after `pos`."""
    name = read_name(text, pos)
    if name is None:
        return None
    params, default, pos = 0, None, name[1]
    count = read_optional(text, pos)
    if count is not None:
        if not count[0].strip().isdigit():
            return None
        params, pos = int(count[0]), count[1]
        option = read_optional(text, pos)
        if option is not None:
            default, pos = option
    body = read_token(text, pos)
    if body is None or not 0 <= params <= 9:
        return None
    return name[0], params, default, body[0], body[1]


def parse_def(text: str, pos: int) -> tuple[Macro, int] | None:
    """A \\def: its name, parameter text (up to the body's `{`) and body."""
    name = read_name(text, pos, braces=False)
    if name is None:
        return None
    start = name[1]
    brace = text.find("{", start)
    if brace < 0:
        return None
    parameter_text = text[start:brace]
    if "}" in parameter_text or "\\par" in parameter_text or len(parameter_text) > 200:
        return None
    pieces = re.split(r"#[1-9]", parameter_text)
    if "#" in "".join(pieces):
        return None
    numbers = re.findall(r"#([1-9])", parameter_text)
    if numbers != [str(i) for i in range(1, len(numbers) + 1)]:
        return None
    body = read_group(text, brace)
    if body is None:
        return None
    # a control word's trailing spaces are not part of the parameter text
    pieces[0] = pieces[0].lstrip(" \t") if re.match(r"[A-Za-z@]", name[0]) else pieces[0]
    macro = Macro(name[0], len(numbers), body[0], pattern=tuple(pieces))
    return macro, body[1]


def find_definitions(text: str) -> Definitions:
    """The text without its macro definitions, the top-level macros they define by name,
    and the definitions made inside a group, skipped."""
    macros: dict[str, Macro] = {}
    skipped: Counter[str] = Counter()
    groups = GroupDepth()
    out: list[str] = []
    last = pos = 0
    while (match := DEFINITION.search(text, pos)) is not None:
        found = definition_at(text, match, macros)
        if found is None:
            pos = match.end()
            continue
        macro, end, replaces = found
        if groups.at(text, match.start()) > 0:
            skipped["in_group"] += 1
        elif macro is not None and (replaces or macro.name not in macros):
            macros[macro.name] = macro
        out.append(text[last : match.start()])
        # a definition alone on its line takes its line ending with it
        if end < len(text) and text[end] == "\n" and (not out[-1] or out[-1].endswith("\n")):
            end += 1
        last = pos = end
        groups.skip_to(end)  # a definition's body opens no group around the text
    out.append(text[last:])
    return Definitions("".join(out), macros, skipped)


GROUP = re.compile(r"\\(?P<edge>begin|end)\s*\{(?P<env>[^{}]*)\}|\\.|(?P<brace>[{}])", re.DOTALL)


class GroupDepth:
    """How many groups (braces, environments other than `document`) are open at a position
    of one text, read forward once. A stray `}` counts as none, so the rest of the text is
    not taken for the top level twice over; an `\\end{x}` closes the environments opened
    since its `\\begin{x}` (a listing-like environment shows a `\\begin` it never ends)."""

    def __init__(self) -> None:
        self.pos = 0
        self.braces = 0
        self.environments: list[str] = []

    def skip_to(self, pos: int) -> None:
        self.pos = max(self.pos, pos)

    def at(self, text: str, pos: int) -> int:
        for token in GROUP.finditer(text, self.pos, max(pos, self.pos)):
            brace, edge, name = token.group("brace", "edge", "env")
            if brace:
                self.braces = self.braces + 1 if brace == "{" else max(self.braces - 1, 0)
            elif edge and name.strip() != "document":
                self.environment(edge, name.strip())
        self.skip_to(pos)
        return self.braces + len(self.environments)

    def environment(self, edge: str, name: str) -> None:
        if edge == "begin":
            self.environments.append(name)
        elif name in self.environments:
            del self.environments[
                len(self.environments) - 1 - self.environments[::-1].index(name) :
            ]


def mentions(macro: Macro) -> set[str]:
    """The names of the control sequences in a macro's body."""
    return {token.group()[1:] for token in CONTROL_SEQUENCE.finditer(macro.body)}


def recursive(macros: Mapping[str, Macro]) -> set[str]:
    """The macros whose expansion would reach themselves again (a body that mentions its own
    name, or another macro's that leads back to it). A `final` alias ends a chain: its body
    is never expanded."""
    edges = {name: mentions(macro) & macros.keys() for name, macro in macros.items()
             if not macro.final}  # fmt: skip
    found: set[str] = set()
    for start in edges:
        seen, frontier = set(), set(edges[start])
        while frontier:
            name = frontier.pop()
            if name == start:
                found.add(start)
                break
            if name not in seen:
                seen.add(name)
                frontier |= edges.get(name, set())
    return found


def definition_at(
    text: str, match: re.Match[str], macros: Mapping[str, Macro]
) -> tuple[Macro | None, int, bool] | None:
    """(the macro, where its definition ends, whether it replaces an earlier one)."""
    if match.group("new"):
        parsed = parse_newcommand(text, match.end())
        if parsed is None:
            return None
        name, params, default, body, end = parsed
        return Macro(name, params, body, default), end, match.group("new") != "providecommand"
    if match.group("op"):
        name_end = read_name(text, match.end())
        if name_end is None:
            return None
        body = read_token(text, name_end[1])
        if body is None:
            return None
        operator = "\\operatorname" + match.group("ostar")
        return Macro(name_end[0], 0, f"{operator}{{{body[0]}}}"), body[1], True
    if match.group("def"):
        parsed_def = parse_def(text, match.end())
        return None if parsed_def is None else (parsed_def[0], parsed_def[1], True)
    # \let\a\b or \let\a=\b: \a means what \b means now
    name = read_name(text, match.end(), braces=False)
    if name is None:
        return None
    pos = skip_space(text, name[1])
    if pos < len(text) and text[pos] == "=":
        pos += 1
    target = read_token(text, pos)
    if target is None or not target[0].startswith("\\"):
        return None
    meaning = macros.get(target[0][1:])
    alias = Macro(name[0], 0, target[0], final=True) if meaning is None else dataclasses.replace(
        meaning, name=name[0]
    )  # fmt: skip
    return alias, target[1], True


@functools.lru_cache(maxsize=256)
def delimiter_scanner(delimiter: str) -> re.Pattern[str]:
    # the delimiter first: one that starts with a backslash must not be read as an escape
    return re.compile(re.escape(delimiter) + r"|\\.|[{}]", re.DOTALL)


def find_delimited(text: str, pos: int, delimiter: str) -> int:
    """The index of the first `delimiter` at brace depth 0 from `pos`, or -1."""
    depth = 0
    for match in delimiter_scanner(delimiter).finditer(text, pos):
        token = match.group()
        if token == delimiter and depth == 0:
            return match.start()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return -1
    return -1


def strip_group(argument: str) -> str:
    """An argument that is one whole {...} group loses its braces, as TeX strips them."""
    if argument.startswith("{"):
        group = read_group(argument, 0)
        if group is not None and group[1] == len(argument):
            return group[0]
    return argument


def parse_arguments(text: str, pos: int, macro: Macro) -> tuple[list[str], int] | None:
    """The arguments of a use of `macro` whose name ends at `pos`, and where they end."""
    if macro.pattern is None:
        args: list[str] = []
        remaining = macro.params
        if macro.default is not None and remaining:
            option = read_optional(text, pos)
            args.append(option[0] if option else macro.default)
            pos = option[1] if option else pos
            remaining -= 1
        for _ in range(remaining):
            token = read_token(text, pos)
            if token is None:
                return None
            args.append(token[0])
            pos = token[1]
        return args, pos
    return parse_delimited(text, pos, macro.pattern)


def parse_delimited(text: str, pos: int, pattern: tuple[str, ...]) -> tuple[list[str], int] | None:
    """A \\def's arguments: its parameter text matched against the text at `pos`."""
    if pattern[0] or len(pattern) > 1:  # spaces after a control word are not tokens
        pos = skip_space(text, pos)
    if pattern[0]:
        if not text.startswith(pattern[0], pos):
            return None
        pos += len(pattern[0])
    args: list[str] = []
    for delimiter in pattern[1:]:
        if not delimiter:
            token = read_token(text, pos)
            if token is None:
                return None
            args.append(token[0])
            pos = token[1]
            continue
        index = find_delimited(text, pos, delimiter)
        if index < 0:
            return None
        args.append(strip_group(text[pos:index]))
        pos = index + len(delimiter)
    return args, pos


def substitute(body: str, args: list[str]) -> str:
    """The body with #1..#9 replaced by the arguments and ## by #."""

    def value(match: re.Match[str]) -> str:
        token = match.group(1)
        if token == "#":
            return "#"
        index = int(token) - 1
        return args[index] if index < len(args) else match.group()

    return PARAMETER.sub(value, body) if "#" in body else body


def uses_pattern(macros: Mapping[str, Macro]) -> re.Pattern[str] | None:
    """A regex finding uses of the expandable macros (an escaped `\\\\` consumed whole)."""
    words = sorted((n for n, m in macros.items() if m.expandable and re.fullmatch("[A-Za-z@]+", n)),
                   key=lambda n: (-len(n), n))  # fmt: skip
    symbols = sorted(n for n, m in macros.items() if m.expandable and n not in words)
    names = []
    if words:
        names.append("(?:" + "|".join(words) + ")(?![A-Za-z@])")
    if symbols:
        names.append("[" + "".join(re.escape(s) for s in symbols) + "]")
    if not names:
        return None
    return re.compile(r"\\\\|\\(" + "|".join(names) + ")")


def expand_macros(
    text: str, macros: Mapping[str, Macro], max_depth: int, max_chars: int
) -> Expansion:
    """`text` with every use of `macros` expanded (see the module docstring for the limits)."""
    pattern = uses_pattern(macros)
    if pattern is None:
        return Expansion(text, True)
    budget = [max_chars]
    try:
        return Expansion(_expand(text, macros, pattern, max_depth, budget), True)
    except TooLarge:
        return Expansion(text, False)


def _expand(
    text: str, macros: Mapping[str, Macro], pattern: re.Pattern[str], depth: int, budget: list[int]
) -> str:
    out: list[str] = []
    last = pos = 0
    while (match := pattern.search(text, pos)) is not None:
        pos = match.end()
        name = match.group(1)
        if name is None:  # an escaped backslash
            continue
        macro = macros[name]
        parsed = parse_arguments(text, match.end(), macro)
        if parsed is None:
            continue
        args, end = parsed
        body = substitute(macro.body, args)
        budget[0] -= len(body)
        if budget[0] < 0:
            raise TooLarge
        if depth > 1 and not macro.final:
            body = _expand(body, macros, pattern, depth - 1, budget)
        out.append(text[last : match.start()])
        out.append(body)
        last = pos = end
    out.append(text[last:])
    return "".join(out)
