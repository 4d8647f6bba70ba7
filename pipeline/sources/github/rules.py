"""The GitHub rules (RedPajama v1's, LLaMA §2) as steps on Documents whose `meta` holds the
row's license, repo_name and path."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.documents import Document
from pipeline.sources.github.headers import strip_licence_header
from pipeline.steps import Dropped

# \w is Unicode letters, digits and "_".
ALPHANUMERIC = re.compile(r"[^\W_]")
ALPHABETIC = re.compile(r"[^\W\d_]")
ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
ASCII_ALPHANUMERIC = bytes(range(48, 58)) + ASCII_LETTERS


def alphanumeric_count(text: str) -> int:
    """Letters and digits in `text`, as ALPHANUMERIC counts them."""
    return _ascii_count(text, ASCII_ALPHANUMERIC, ALPHANUMERIC)


def alphabetic_count(text: str) -> int:
    """Letters in `text`, as ALPHABETIC counts them."""
    return _ascii_count(text, ASCII_LETTERS, ALPHABETIC)


def _ascii_count(text: str, ascii_class: bytes, pattern: re.Pattern[str]) -> int:
    # These run on every byte of GitHub, most of it ASCII: deleting the class with
    # bytes.translate measured 40x faster than re.subn, which stays for other text.
    if text.isascii():
        data = text.encode("ascii")
        return len(data) - len(data.translate(None, ascii_class))
    return pattern.subn("", text)[1]


LANGUAGE_BY_EXTENSION = {
    "py": "Python", "js": "JavaScript", "ts": "TypeScript", "tsx": "TypeScript", "c": "C",
    "h": "C", "cc": "C++", "cpp": "C++", "hpp": "C++", "hh": "C++", "c++": "C++", "h++": "C++",
    "cs": "C#", "java": "Java", "go": "Go", "rs": "Rust", "rb": "Ruby", "php": "PHP",
    "scala": "Scala", "sh": "Shell", "bash": "Shell", "zsh": "Shell", "pl": "Perl",
    "pm": "Perl", "lua": "Lua", "hs": "Haskell", "jl": "Julia", "sql": "SQL", "html": "HTML",
    "css": "CSS", "xml": "XML", "md": "Markdown", "markdown": "Markdown", "tex": "TeX",
    "f90": "Fortran", "f": "Fortran", "asm": "Assembly", "vb": "Visual Basic",
    "ps1": "PowerShell", "bat": "Batchfile", "cmake": "CMake", "dockerfile": "Dockerfile",
}  # fmt: skip
LANGUAGE_BY_FILENAME = {"Makefile": "Makefile", "makefile": "Makefile",
                        "GNUmakefile": "Makefile", "Dockerfile": "Dockerfile",
                        "CMakeLists.txt": "CMake"}  # fmt: skip


def file_language(path: str) -> str | None:
    name = path.rsplit("/", 1)[-1]
    if name in LANGUAGE_BY_FILENAME:
        return LANGUAGE_BY_FILENAME[name]
    return LANGUAGE_BY_EXTENSION.get(name.rsplit(".", 1)[1]) if "." in name else None


@dataclass(frozen=True)
class KeepLicenses:
    licenses: frozenset[str]

    def __call__(self, doc: Document) -> Document | Dropped:
        return doc if doc.meta.get("license") in self.licenses else Dropped("license")


@dataclass(frozen=True)
class KeepExtensions:
    extensions: frozenset[str]
    filenames: frozenset[str]

    def __call__(self, doc: Document) -> Document | Dropped:
        name = doc.meta["path"].rsplit("/", 1)[-1]
        if name in self.filenames or ("." in name and name.rsplit(".", 1)[1] in self.extensions):
            return doc
        return Dropped("extension")


# The extensions a licence file carries (LICENSE.md, COPYING.txt); `licence.py` is code.
NOTICE_EXTENSIONS = frozenset({"md", "markdown", "txt", "rst"})
# What may follow the stem: `-MIT`, `_BSD`, `-APACHE-2.0`, but not `-check.py`.
LICENCE_QUALIFIER = re.compile(r"(?:[-_][a-z0-9]+(?:\.[0-9]+)*)+")


def is_licence_file(path: str, stems: frozenset[str]) -> bool:
    """Whether the file's base name is a licence file's: one of `stems` (lower case), in any
    case, with an optional qualifier (`LICENSE-MIT`, `LICENCE_BSD`) and an optional
    NOTICE_EXTENSIONS extension, or a stem as the extension (`six.LICENSE`)."""
    name = path.rsplit("/", 1)[-1].lower()
    base, dot, extension = name.rpartition(".")
    if dot and extension in stems:
        return True
    if dot and extension in NOTICE_EXTENSIONS:
        name = base
    if name in stems:
        return True
    return any(
        name.startswith(stem) and LICENCE_QUALIFIER.fullmatch(name, len(stem)) is not None
        for stem in stems
    )


@dataclass(frozen=True)
class DropLicenceFiles:
    """Drops licence and copyright notice files by name (is_licence_file): the extension
    whitelist keeps LICENSE.md as Markdown, but it is boilerplate, not code."""

    stems: frozenset[str]  # lower case

    def __call__(self, doc: Document) -> Document | Dropped:
        if is_licence_file(doc.meta["path"], self.stems):
            return Dropped("licence_file")
        return doc


@dataclass(frozen=True)
class StripLicenceHeader:
    """Removes the leading licence comment (headers.py); `licence_header` in meta says so."""

    def __call__(self, doc: Document) -> Document:
        text, removed = strip_licence_header(doc.text, doc.meta["path"])
        return doc.with_text(text).with_meta(licence_header=removed) if removed else doc


@dataclass(frozen=True)
class MaxLineLength:
    limit: int

    def __call__(self, doc: Document) -> Document | Dropped:
        longest = max(map(len, doc.text.splitlines()), default=0)
        return doc if longest <= self.limit else Dropped("max_line")


@dataclass(frozen=True)
class MeanLineLength:
    limit: float

    def __call__(self, doc: Document) -> Document | Dropped:
        lines = doc.text.splitlines()
        mean = sum(map(len, lines)) / len(lines) if lines else 0.0
        return doc if mean <= self.limit else Dropped("mean_line")


@dataclass(frozen=True)
class MinAlphanumericFraction:
    fraction: float

    def __call__(self, doc: Document) -> Document | Dropped:
        text = doc.text
        share = alphanumeric_count(text) / len(text) if text else 0.0
        return doc if share >= self.fraction else Dropped("alnum")


@dataclass(frozen=True)
class MinAlphaPerToken:
    """Alphabetic characters per whitespace-separated token (RedPajama counted per BPE
    token of a tokenizer not available offline; see DESIGN.md)."""

    ratio: float

    def __call__(self, doc: Document) -> Document | Dropped:
        tokens = doc.text.split()
        alpha = alphabetic_count(doc.text)
        value = alpha / len(tokens) if tokens else 0.0
        return doc if value >= self.ratio else Dropped("alpha_per_token")
