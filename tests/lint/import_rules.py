"""Two import rules `lint-imports` has no contract for, checked over fleece's packages.

python -m tests.lint.import_rules

1. No import cycle between modules. Every import counts: at module level, inside a
   function, under `if TYPE_CHECKING:`. A cycle hidden in a function still makes one of
   its modules fail when imported first, or later, when the function moves.
2. An import inside a function says why it is there, in a comment starting `# lazy:` on the
   line above it or at the end of its first line, e.g.
   `# lazy: torch; listing the CLI must not load it`. Kept for a heavy import that a fast
   path (`fleece --help`, a pure function's tests) must not pay, or an optional package.
   Consecutive imports share the comment of the first.

Exit 1 listing each cycle (one chain that closes it) and each import without its reason.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path

import grimp

from tests.lint.import_each_module import PACKAGES, ROOT

LAZY = re.compile(r"#\s*lazy:\s*\S")


def cycles(packages: tuple[str, ...] = PACKAGES) -> list[list[str]]:
    """One closed chain of imports (first module repeated last) per strongly connected set
    of modules, each set found by Tarjan's algorithm over the import graph."""
    graph = grimp.build_graph(*packages, cache_dir=None)
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        # iterative Tarjan: (module, position in its edge list)
        work = [(root, 0)]
        while work:
            module, position = work.pop()
            if position == 0:
                index[module] = low[module] = len(index)
                stack.append(module)
                on_stack.add(module)
            for offset, target in enumerate(edges[module][position:], position):
                if target not in index:
                    work += [(module, offset + 1), (target, 0)]
                    break
                if target in on_stack:
                    low[module] = min(low[module], index[target])
            else:
                if low[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[module])
    closed = []
    for component in components:
        first = component[0]
        following = next(m for m in edges[first] if m in component)
        chain = graph.find_shortest_chain(importer=following, imported=first)
        closed.append([first, *(chain or (following,))])
    return closed


def _comment_lines(source: str) -> dict[int, str]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {t.start[0]: t.string for t in tokens if t.type == tokenize.COMMENT}


def _bodies(node: ast.AST) -> Iterator[list[ast.stmt]]:
    """Every statement list under `node` (function bodies, branches, handlers)."""
    for child in ast.walk(node):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(child, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block
        if isinstance(child, ast.Try | ast.TryStar):
            for handler in child.handlers:
                yield handler.body


def unexplained_imports(path: Path) -> list[int]:
    """The line of each import inside a function of `path` that carries no `# lazy:`."""
    source = path.read_text(encoding="utf-8")
    comments = _comment_lines(source)
    lines = source.splitlines()
    missing = []
    functions = [
        n
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
    ]
    seen: set[int] = set()
    for function in functions:
        for block in _bodies(function):
            explained = False
            previous: ast.stmt | None = None
            for statement in block:
                if not isinstance(statement, ast.Import | ast.ImportFrom):
                    previous = None
                    continue
                first = statement.lineno
                above = lines[first - 2].strip() if first >= 2 else ""
                joined = (
                    previous is not None
                    and previous.end_lineno is not None
                    and previous.end_lineno + 1 == first
                )
                if LAZY.search(comments.get(first, "")) or (
                    above.startswith("#") and LAZY.search(above)
                ):
                    explained = True
                elif not joined:
                    explained = False
                if not explained and first not in seen:
                    missing.append(first)
                seen.add(first)
                previous = statement
    return sorted(missing)


def main() -> int:
    problems = [" -> ".join(chain) for chain in cycles()]
    for line in problems:
        print(f"import cycle: {line}")
    unexplained = 0
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line in unexplained_imports(path):
                unexplained += 1
                print(
                    f"{path.relative_to(ROOT)}:{line}: import in a function, no `# lazy: <reason>`"
                )
    print(
        f"import rules: {len(problems)} cycle(s), {unexplained} function-level import(s) "
        "without a reason"
    )
    return 1 if problems or unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
