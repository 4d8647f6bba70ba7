"""The leading licence or copyright comment of a source file, found and removed.

The comment syntaxes come from a table per extension. Each comment above the first line of
code (after a `#!` line; in C-like files, include guards and pragmas are passed over, in
Markdown its YAML front matter) is a licence header when it holds one of LICENCE_WORDS: it
goes, with the blank lines after it.
A leading comment without those words (a doc comment, a module docstring, `# mypy:` or
"Vendored from ..." notes, often seen above a licence in real files) stays where it is.

A licence comment that also describes the file (a module docstring with a copyright
paragraph, "pybind11/cast.h: ..." above the licence) loses only its licence paragraphs:
tried on 1,232 files of installed packages, removing such comments whole took the
description from 16 of the 569 files stripped, numpy's crackfortran its whole manual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LICENCE_WORDS = re.compile(
    r"copyright|licen[cs]e|spdx-license-identifier|all rights reserved|"
    r"permission is hereby granted|redistribution and use",
    re.IGNORECASE,
)


# What marks a paragraph of a licence comment that names no licence: disclaimers and the
# conditions of BSD and zlib licences.
LICENCE_CLAUSES = re.compile(
    r"warrant|liabilit|misrepresent|endorse or promote|prior written permission", re.IGNORECASE
)
# Fewer words than this left beside the licence ("Author: A. B.") and the comment goes whole.
MIN_DESCRIPTION_WORDS = 3
DECORATION = " \t\r\n*#/!;%=-\"'"


@dataclass(frozen=True)
class CommentSyntax:
    line: tuple[str, ...] = ()  # line-comment openers
    block: tuple[tuple[str, str], ...] = ()  # (opener, closer)
    front_matter: bool = False  # a leading `---` YAML block (Markdown sites) passes


C_LIKE = CommentSyntax(line=("//",), block=(("/*", "*/"),))
HASH = CommentSyntax(line=("#",))
SYNTAX_BY_EXTENSION: dict[str, CommentSyntax] = {
    **dict.fromkeys(
        ("c", "h", "cc", "hh", "cpp", "hpp", "c++", "h++", "C", "H", "cs", "java", "js", "ts",
         "tsx", "go", "rs", "scala", "swift", "kt", "css"),
        C_LIKE,
    ),
    "php": CommentSyntax(line=("//", "#"), block=(("/*", "*/"),)),
    **dict.fromkeys(
        ("sh", "bash", "zsh", "command", "rb", "pl", "pm", "perl", "cmake", "ps1", "psd1",
         "psm1", "jl", "dockerfile", "makefile", "r"),
        HASH,
    ),
    "py": CommentSyntax(line=("#",), block=(('"""', '"""'), ("'''", "'''"))),
    **dict.fromkeys(("sql",), CommentSyntax(line=("--",), block=(("/*", "*/"),))),
    "lua": CommentSyntax(line=("--",), block=(("--[[", "]]"),)),
    "hs": CommentSyntax(line=("--",), block=(("{-", "-}"),)),
    **dict.fromkeys(("html", "xml", "xsd", "xsl"), CommentSyntax(block=(("<!--", "-->"),))),
    **dict.fromkeys(("md", "markdown"),
                    CommentSyntax(block=(("<!--", "-->"),), front_matter=True)),
    "tex": CommentSyntax(line=("%",)),
    **dict.fromkeys(("asm", "lisp", "el", "clj"), CommentSyntax(line=(";;", ";"))),
    **dict.fromkeys(("f", "f90", "f95", "f03", "f08", "f77", "for", "fpp"),
                    CommentSyntax(line=("!", "c ", "C "))),
    "vb": CommentSyntax(line=("'",)),
    **dict.fromkeys(("bat", "cmd"), CommentSyntax(line=("REM", "rem", "::"))),
}  # fmt: skip


def syntax_for(path: str) -> CommentSyntax | None:
    """The comment syntax of a file by its extension, or its name (Makefile, Dockerfile)."""
    name = path.rsplit("/", 1)[-1]
    if name.lower() in ("makefile", "gnumakefile", "dockerfile", "cmakelists.txt"):
        return HASH
    if "." not in name:
        return None
    return SYNTAX_BY_EXTENSION.get(name.rsplit(".", 1)[1]) or SYNTAX_BY_EXTENSION.get(
        name.rsplit(".", 1)[1].lower()
    )


def _leading_comment(text: str, syntax: CommentSyntax) -> int:
    """The length of the comment at the start of `text` (0 if it starts with code)."""
    for opener, closer in syntax.block:
        if text.startswith(opener):
            end = text.find(closer, len(opener))
            if end < 0:
                return 0  # an unclosed comment: leave the file as it is
            end += len(closer)
            newline = text.find("\n", end)
            return len(text) if newline < 0 else newline + 1
    length = 0
    for line in text.splitlines(keepends=True):
        if line.strip() and line.lstrip().startswith(syntax.line) and syntax.line:
            length += len(line)
        else:
            break
    return length


def _line_text(line: str, syntax: CommentSyntax) -> str:
    """A comment line's words, without its comment markers and decoration."""
    text = line.strip()
    for opener in syntax.line:
        if text.startswith(opener):
            text = text[len(opener) :]
            break
    for opener, closer in syntax.block:
        text = text.replace(opener, " ").replace(closer, " ")
    return text.strip(DECORATION)


def without_licence_paragraphs(comment: str, syntax: CommentSyntax) -> str:
    """`comment` less its licence paragraphs (runs of lines between blank comment lines),
    comment markers kept; "" when fewer than MIN_DESCRIPTION_WORDS words would be left."""
    lines = comment.splitlines(keepends=True)
    texts = [_line_text(line, syntax) for line in lines]
    licence = [False] * len(lines)
    start = 0
    while start < len(lines):
        if not texts[start]:
            start += 1
            continue
        end = start
        while end < len(lines) and texts[end]:
            end += 1
        paragraph = " ".join(texts[start:end])
        if LICENCE_WORDS.search(paragraph) or LICENCE_CLAUSES.search(paragraph):
            licence[start:end] = [True] * (end - start)
        start = end
    words = sum(len(t.split()) for t, gone in zip(texts, licence, strict=True) if t and not gone)
    if words < MIN_DESCRIPTION_WORDS:
        return ""
    last = len(lines) - 1
    kept: list[tuple[str, str]] = []  # (line, "open", "close", "blank" or "text")
    for index, (line, text, gone) in enumerate(zip(lines, texts, licence, strict=True)):
        for opener, closer in syntax.block:  # a block's opener and closer stay
            if index == 0 and line.lstrip().startswith(opener) and (gone or not text):
                kept.append((line[: line.index(opener) + len(opener)] + "\n", "open"))
                break
            if index == last and index and closer in line and (gone or not text):
                indent = line[: len(line) - len(line.lstrip())]
                kept.append((indent + line[line.rindex(closer) :], "close"))
                break
        else:
            if not gone:
                kept.append((line, "text" if text else "blank"))
    out: list[tuple[str, str]] = []
    for line, kind in kept:  # no blank line after the opener, before the closer, or twice
        if kind == "blank" and (not out or out[-1][1] in ("open", "blank")):
            continue
        if kind == "close":
            while out and out[-1][1] == "blank":
                out.pop()
        out.append((line, kind))
    while out and out[-1][1] == "blank":
        out.pop()
    return "".join(line for line, _ in out)


# Lines that may stand above a licence comment in C-like files: include guards, pragmas
# and packaging guards (`#if !defined(...)`), kept where they are.
PREAMBLE = re.compile(r"#\s*(ifndef|define|pragma\s+once|if\s+!?\s*defined)\b")
MAX_LEADING_COMMENTS = 8


def strip_licence_header(text: str, path: str) -> tuple[str, bool]:
    """(the file without its leading licence comments, whether one was removed). Every
    comment before the first line of code is looked at: those with licence words go (with
    the blank lines after them), the others stay where they are."""
    syntax = syntax_for(path)
    if syntax is None:
        return text, False
    kept: list[str] = []
    position, removed = 0, False
    if text.startswith("#!"):  # the interpreter line stays first
        newline = text.find("\n")
        if newline < 0:
            return text, False
        kept.append(text[: newline + 1])
        position = newline + 1
    for _ in range(MAX_LEADING_COMMENTS):
        blank = len(text) - position - len(text[position:].lstrip("\n"))
        rest = text[position + blank :]
        length = _leading_comment(rest, syntax)
        if length and LICENCE_WORDS.search(rest[:length]):
            description = without_licence_paragraphs(rest[:length], syntax)
            if description:
                kept.append(text[position : position + blank] + description)
                position += blank + length
                removed = True
                continue
            if kept:  # the blank lines above it belong to what stays above it
                kept.append(text[position : position + blank])
            after = rest[length:]
            position += blank + length + (len(after) - len(after.lstrip("\n")))
            removed = True
            continue
        if not length and "//" in syntax.line:  # C-like: a guard or pragma line passes
            line_end = rest.find("\n")
            line = rest if line_end < 0 else rest[: line_end + 1]
            if line and PREAMBLE.match(line):
                length = len(line)
        if not length and syntax.front_matter and rest.startswith("---\n"):
            end = rest.find("\n---\n", 3)
            length = 0 if end < 0 else end + 5
        if not length:
            break
        kept.append(text[position : position + blank + length])
        position += blank + length
    if not removed:
        return text, False
    return "".join(kept) + text[position:], True
