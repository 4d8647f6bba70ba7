"""Import every module of fleece's packages first, each in a fresh interpreter of its own.

python -m tests.lint.import_each_module [--jobs N] [--times] [PACKAGE ...]

A module that only imports because something else happened to be imported before it (one
side of an import cycle, a name another module put in place) passes a test suite that
imports in a lucky order and fails for the user who imports it first. Here nothing is
imported before it: `python -c "import X"`, N at a time (default 2). Exit 1 listing each
module that cannot be imported first, with the last line of its error; `--times` also
prints the slowest imports.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("pipeline", "tokenizer", "trainer", "model", "settings")


@dataclass(frozen=True)
class Outcome:
    module: str
    seconds: float
    error: str | None  # the last line of standard error, or None when the import worked


def modules(packages: tuple[str, ...] | list[str], root: Path = ROOT) -> list[str]:
    """Every module of `packages` under `root` by dotted name, packages themselves included."""
    names = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def import_first(module: str) -> Outcome:
    """Import `module` alone in a new interpreter run from the repository root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode == 0:
        return Outcome(module, seconds, None)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return Outcome(module, seconds, lines[-1] if lines else f"exit status {done.returncode}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=list(PACKAGES))
    parser.add_argument("--jobs", type=int, default=2, help="interpreters at a time")
    parser.add_argument("--times", action="store_true", help="print the 10 slowest imports")
    args = parser.parse_args(argv)
    names = modules(args.packages)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(import_first, names))
    elapsed = time.perf_counter() - start
    failed = [o for o in outcomes if o.error is not None]
    if args.times:
        for o in sorted(outcomes, key=lambda o: -o.seconds)[:10]:
            print(f"{o.seconds:6.2f} s  {o.module}")
    for o in failed:
        print(f"{o.module}: {o.error}")
    print(
        f"{len(names)} modules imported first in a fresh interpreter each, {len(failed)} failed "
        f"({elapsed:.0f} s, {args.jobs} at a time)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
