"""`make realtext`: every source's stages on real text, one JSON line of figures per source.

python -m realtext [--only SOURCE ...] [--keep]

1. Each source's module (`realtext/<source>.py`) names the registry packages it needs; they
   are downloaded and extracted under build/realtext/ (download.py; skipped when there).
2. Each module turns its packages into inputs in the source's real format under
   build/realtext/inputs/<source>/ and returns its manifest section.
3. One manifest (build/realtext/manifest.yaml, manifest.py) runs them all with `fleece
   corpus --keep-dropped` into build/realtext/run/, its output shown as it comes.
4. Per source, one JSON line on standard output: the counters of its stages and the
   checks its module makes of what was kept and dropped (summary.py).
5. Per source, raw input bytes per final token on the real text, written to
   pipeline/plan_bytes_per_token.json for `fleece plan` (bytes_per_token.py).

--only runs a subset (with the sources they read: commoncrawl's language model learns from
the run's Wikipedia); --keep reuses the inputs and the run built before, where the run's
stages are complete. Exit 1 when a package cannot be fetched, a module is missing or
`fleece corpus` fails (the lines of the sources that finished are printed first).
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from pipeline import registry
from realtext import bytes_per_token
from realtext.download import CACHE, FetchError, Package, fetch
from realtext.manifest import manifest_text, run_manifest, sections_of
from realtext.summary import source_counters, summary_line
from settings.loader import ConfigError

SOURCES = ("commoncrawl", "c4", "github", "wikipedia", "books", "arxiv", "stackexchange")
BUILD = CACHE


class RealTextError(Exception):
    """A run that cannot go on; its message is one line."""


def needed_sources(chosen: list[str]) -> list[str]:
    """`chosen` and every source whose stages theirs read (declared `requires`), in SOURCES
    order."""
    owner = {stage.name: spec.name for spec in registry.sources() for stage in spec.stages}
    needed, pending = set(), list(chosen)
    while pending:
        source = pending.pop()
        if source in needed:
            continue
        needed.add(source)
        for stage in registry.source(source).stages:
            pending += [owner[required] for required in stage.requires if required in owner]
    return [source for source in SOURCES if source in needed]


def source_module(source: str) -> ModuleType:
    """realtext.<source>, or a RealTextError saying that it is missing."""
    name = f"realtext.{source}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        raise RealTextError(f"realtext: no module {name} (realtext/{source}.py)") from None


def fetch_packages(modules: dict[str, ModuleType], cache: Path) -> dict[str, dict[str, Path]]:
    """source -> {package name: extracted folder}; a package two sources name is fetched
    once, and two versions of one package is an error."""
    chosen: dict[tuple[str, str], Package] = {}
    for source, module in modules.items():
        for package in module.PACKAGES:
            key = (package.kind, package.name)
            if key in chosen and chosen[key] != package:
                raise RealTextError(
                    f"realtext: {source} asks for {package}, another source for {chosen[key]}"
                )
            chosen[key] = package
    folders = {}
    for key, package in chosen.items():
        print(f"realtext: fetching {package}", file=sys.stderr, flush=True)
        folders[key] = fetch(package, cache)
    return {
        source: {p.name: folders[(p.kind, p.name)] for p in module.PACKAGES}
        for source, module in modules.items()
    }


def build_sections(
    modules: dict[str, ModuleType], packages: dict[str, dict[str, Path]], keep: bool
) -> dict[str, dict[str, Any]]:
    """source -> its manifest section, its inputs built afresh (or, with `keep`, reused
    when the last manifest has its section and its inputs folder is there)."""
    before = sections_of(BUILD / "manifest.yaml") if keep else {}
    sections = {}
    for source, module in modules.items():
        inputs = BUILD / "inputs" / source
        if source in before and inputs.is_dir():
            sections[source] = before[source]
            continue
        shutil.rmtree(inputs, ignore_errors=True)
        inputs.mkdir(parents=True)
        print(f"realtext: building the {source} inputs", file=sys.stderr, flush=True)
        sections[source] = module.build_inputs(packages[source], inputs)
    return sections


def run_corpus(manifest: Path) -> int:
    """`fleece corpus` on `manifest`, its output going where this command's goes."""
    fleece = Path(sys.executable).with_name("fleece")
    command = [str(fleece), "corpus", "--manifest", str(manifest), "--keep-dropped"]
    print(f"realtext: {' '.join(command)}", file=sys.stderr, flush=True)
    return subprocess.run(command).returncode


def source_line(source: str, module: ModuleType, run_dir: Path) -> str:
    stages = [stage.name for stage in registry.source(source).stages]
    counters = source_counters(run_dir, source, stages)
    try:
        checks = module.checks(run_dir, BUILD / "inputs" / source)
    # a check that breaks on this run's output must not hide the other sources' figures
    except Exception as e:
        checks = {"error": f"{type(e).__name__}: {e}"}
    return summary_line(source, counters, checks)


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m realtext", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", action="append", choices=SOURCES, help="run this source (repeatable)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="reuse the inputs and the run built before"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = arguments(argv)
    run_dir, manifest = BUILD / "run", BUILD / "manifest.yaml"
    try:
        sources = needed_sources(args.only or list(SOURCES))
        modules = {source: source_module(source) for source in sources}
        packages = fetch_packages(modules, BUILD)
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
        sections = build_sections(modules, packages, args.keep)
        manifest.write_text(manifest_text(run_manifest(run_dir, sections)), encoding="utf-8")
    except (RealTextError, FetchError) as e:
        print(e, file=sys.stderr)
        return 1
    except ConfigError as e:
        print(f"realtext: the manifest it built is refused: {e}", file=sys.stderr)
        return 1
    status = run_corpus(manifest)
    for source in sources:
        if (run_dir / source / "_SUCCESS").exists():
            print(source_line(source, modules[source], run_dir), flush=True)
    try:
        figures = bytes_per_token.write(manifest, sources, BUILD)
    except (FetchError, RuntimeError) as e:
        print(f"realtext: bytes per token not measured: {e}", file=sys.stderr)
        return 1
    ratios = {s: f["text_bytes_per_token"] for s, f in figures["sources"].items()}
    print(
        f"realtext: text bytes per token written to {bytes_per_token.MEASURED_BYTES_PER_TOKEN}: {ratios}",
        file=sys.stderr,
    )
    if status != 0:
        print(f"realtext: fleece corpus failed (exit status {status})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
