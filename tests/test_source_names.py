"""No code outside a source's own package names a source: the stage table, the manifest, the
mix, the report and the plan learn the sources from their declarations (pipeline/registry.py).

Every .py under pipeline/ (but pipeline/sources/<name>/ and the sample generator), tokenizer/,
trainer/, model/ and settings/ is parsed; a string constant (docstrings aside; comments are
not in the syntax tree) or an identifier (a name, an attribute, a function, class, argument
or keyword name, an imported module) that holds one of the seven sources as a word (any
case: "Wikipedia" in a help text counts, and so do `wikipedia_dir` and `GithubConfig`) or
one of commoncrawl's other stages (`lm`, `ccnet`, `refclf`, as exact tokens) is a hit. A hit
must be in tests/source_names_allowed.txt, one line per hit with the reason it must stay:
`path: <the source line, stripped>  # reason`, matched by path and text, not line number.
An entry that matches nothing fails too, so the list only ever gets shorter.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = Path(__file__).with_name("source_names_allowed.txt")
PACKAGES = ("pipeline", "tokenizer", "trainer", "model", "settings")
SKIPPED = ("pipeline/sample/",)  # the generator writes each source's format: it names them
SOURCES = {"commoncrawl", "c4", "github", "wikipedia", "books", "arxiv", "stackexchange"}
STAGES = {"lm", "ccnet", "refclf"}


def scanned() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            parts = relative.split("/")
            in_a_source = parts[:2] == ["pipeline", "sources"] and len(parts) > 3
            if not in_a_source and not relative.startswith(SKIPPED):
                yield path


def names_in(text: str) -> set[str]:
    """The sources and stages `text` names: words split at anything not a letter or digit,
    and at camel-case humps, compared case-blind with the seven; `lm`, `ccnet` and `refclf`
    as they are, between characters that are not letters, digits, underscores or hyphens
    (`sources.commoncrawl.lm` names the stage; `lm_head` and `lm-eval` do not)."""
    words = set()
    for word in re.findall(r"[A-Za-z0-9]+", text):
        words.add(word.lower())
        words.update(hump.lower() for hump in re.findall(r"[A-Z]+[a-z0-9]*|[a-z0-9]+", word))
    found = SOURCES & words
    found |= {s for s in STAGES if re.search(rf"(?<![\w-]){s}(?![\w-])", text)}
    return found


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the module, class and function docstring constants."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def texts(node: ast.AST) -> list[str]:
    """What a node says that could name a source: its string, or the identifiers it binds."""
    match node:
        case ast.Constant(value=str(value)):
            return [value]
        case ast.Name(id=name) | ast.Attribute(attr=name) | ast.arg(arg=name):
            return [name]
        case ast.FunctionDef(name=name) | ast.AsyncFunctionDef(name=name) | ast.ClassDef(name=name):
            return [name]
        case ast.keyword(arg=str(name)):
            return [name]
        case ast.alias(name=name, asname=asname):
            return [name, asname or ""]
        case ast.ImportFrom(module=str(module)):
            return [module]
    return []


def hits() -> list[tuple[str, int, str]]:
    """(path, line, the line stripped) of every line naming a source, once per line."""
    found = set()
    for path in scanned():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source, filename=str(path))
        skip = docstrings(tree)
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if id(node) in skip or not hasattr(node, "lineno"):
                continue
            if any(names_in(text) for text in texts(node)):
                found.add((relative, node.lineno, lines[node.lineno - 1].strip()))
    return sorted(found)


def allowed() -> list[tuple[str, str]]:
    """(path, stripped line) of each entry; `path: line  # reason`."""
    entries = []
    for number, raw in enumerate(ALLOWED.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        entry, sep, reason = raw.rpartition("  # ")
        path, colon, line = entry.partition(": ")
        assert sep and colon and reason.strip(), (
            f"{ALLOWED.name}:{number}: needs `path: line  # reason`"
        )
        entries.append((path, line.strip()))
    return entries


def test_only_the_allowed_lines_outside_a_source_name_one() -> None:
    permitted = set(allowed())
    unexplained = [f"{p}:{n}: {line}" for p, n, line in hits() if (p, line) not in permitted]
    assert not unexplained, (
        "code outside pipeline/sources/<name>/ names a source; read it from the declarations "
        f"(pipeline/registry.py), or add the line to {ALLOWED.name} with its reason:\n"
        + "\n".join(unexplained)
    )


def test_every_allowed_line_still_exists() -> None:
    present = {(p, line) for p, _, line in hits()}
    stale = [f"{p}: {line}" for p, line in allowed() if (p, line) not in present]
    assert not stale, f"entries of {ALLOWED.name} that match no line any more:\n" + "\n".join(stale)


def test_the_scanner_sees_what_it_must_and_nothing_else() -> None:
    assert names_in("the Wikipedia dumps") == {"wikipedia"}
    assert names_in("GithubConfig") == {"github"}
    assert names_in("StackExchange") == {"stackexchange"}
    assert names_in("C4Config") == {"c4"}
    assert names_in("sources.commoncrawl.lm") == {"commoncrawl", "lm"}
    assert names_in("lm_head") == set()
    assert names_in("lm-eval") == set()
    assert names_in("books3_inputs") == set()
    assert names_in("cc_net's models") == set()
    tree = ast.parse('"""Mentions arxiv."""\ndef f(x):\n    """And github."""\n    return "c4"\n')
    skip = docstrings(tree)
    said = [t for node in ast.walk(tree) if id(node) not in skip for t in texts(node)]
    assert [t for t in said if names_in(t)] == ["c4"]
