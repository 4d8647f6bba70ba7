"""Wikipedia stage throughput and peak memory, and its cost beside mwparserfromhell's.

    python -m bench.bench_wikipedia [--scales 5 50] [--workers 2] [--floor-scale 10]
                                    [--export enwiki-....xml.bz2 ...]

1. For each scale: writes the sample (not timed), runs `fleece wikipedia` in a child process
   with the DirectRunner (multi-processing, --workers processes), and prints one JSON line:
   documents/s, input MB/s per core (compressed dump bytes and decompressed XML), and the
   peak RSS of the largest process of the run (the runner or one of its workers). Comparing
   the peak across scales shows whether the stage streams: it must not grow with the size.
2. In one process, one core, no Beam: the whole stage's work on a set of dumps (the key pass
   for duplicate pages, reading, cleaning, writing the Parquet parts) beside the floor of any
   mwparserfromhell-based cleaner, `parse(text).strip_code()` on the same articles. Target:
   within 1.3x of the floor. Run on the sample at --floor-scale and on each real export
   given with --export (or in FLEECE_WIKI_EXPORTS, separated by ":"; nothing is downloaded),
   with the count of articles whose text still holds markup, by kind (remnants.py).
"""

from __future__ import annotations

import argparse
import bz2
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import mwparserfromhell
import yaml

from bench.processes import decompressed_size
from pipeline import io
from pipeline.counters import Tally
from pipeline.records import ReadOptions
from pipeline.sample import write_sample
from pipeline.sources.wikipedia.config import LLAMA_LANGUAGES, WikipediaConfig
from pipeline.sources.wikipedia.dump import Page, iter_dump
from pipeline.sources.wikipedia.duplicates import Superseded, page_keys
from pipeline.sources.wikipedia.remnants import remnants, without_math
from pipeline.sources.wikipedia.stage import ProcessDumpFn


def measure(scale: int, workers: int, work: Path) -> dict:
    inputs = work / f"inputs-{scale}"
    write_sample(str(inputs), scale=scale, seed=0)
    dumps = sorted((inputs / "wikipedia").glob("*.xml.bz2"))
    manifest = work / f"bench-{scale}.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "run_dir": str(work / f"run-{scale}"),
                "runner": {"direct_num_workers": workers},
                "sources": {"wikipedia": {"inputs": [str(inputs / "wikipedia/*.xml.bz2")]}},
            }
        )
    )
    # A fresh interpreter per scale: RUSAGE_CHILDREN is a high-water mark over all of them.
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"subprocess.run([sys.executable, '-m', 'pipeline.cli', 'wikipedia', '--manifest', "
        f"{str(manifest)!r}, '--force'], check=True, stdout=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    seconds, peak_kib = out.stdout.split()
    seconds = float(seconds)
    stats = json.loads((work / f"run-{scale}/wikipedia/_stats.json").read_text())["counters"]
    compressed = sum(p.stat().st_size for p in dumps)
    cores = workers or (len(__import__("os").sched_getaffinity(0)))
    return {
        "bench": "wikipedia",
        "scale": scale,
        "workers": cores,
        "pages": stats["read"],
        "documents": stats["kept"],
        "seconds": round(seconds, 2),
        "documents_per_s": round(stats["kept"] / seconds, 1),
        "compressed_mb_per_s_per_core": round(compressed / 1e6 / seconds / cores, 3),
        "xml_mb_per_s_per_core": round(
            decompressed_size(dumps, bz2.open) / 1e6 / seconds / cores, 3
        ),
        "peak_rss_mb": round(int(peak_kib) / 1024, 1),
    }


def articles(paths: list[str]) -> list[str]:
    """The wikitext of every article (namespace 0, not a redirect) of the dumps."""
    texts = []
    for path in paths:
        with open(path, "rb") as f:  # a local file named on the command line
            texts += [p.text for p in iter_dump(f, path) if isinstance(p, Page)
                      and p.namespace == 0 and not p.redirect]  # fmt: skip
    return texts


def whole_stage(paths: list[str], out: str) -> tuple[float, list[str]]:
    """Seconds of the stage's work on `paths` in this process, and the documents' texts."""
    config = WikipediaConfig(languages=[*LLAMA_LANGUAGES, "fi"])
    files = list(enumerate(io.match_files(paths)))
    start = time.perf_counter()
    combine, accumulators = Superseded(), {}
    for index, file in files:
        for doc_id, key in page_keys(index, file, config, ReadOptions()):
            accumulators[doc_id] = combine.add_input(
                accumulators.get(doc_id, combine.create_accumulator()), key
            )
    superseded: dict[int, list[int]] = {}
    for accumulator in accumulators.values():
        for key in combine.extract_output(accumulator):
            superseded.setdefault(key.file, []).append(key.ordinal)
    write = ProcessDumpFn(config, out, ReadOptions(), keep_dropped=False)
    write.count = Tally()
    for index, file in files:
        for _ in write.process((index, file), {index: superseded.get(index, [])}):
            pass
    seconds = time.perf_counter() - start

    texts = [t for part in sorted(Path(out).glob("part-*.parquet"))
             for t in io.read_parquet(str(part), ["text"])["text"].to_pylist()]  # fmt: skip
    return seconds, texts


def against_the_floor(name: str, paths: list[str], work: Path) -> dict:
    """The stage beside mwparserfromhell's parse + strip_code (best of two runs each)."""
    texts = articles(paths)
    floor = stage = float("inf")
    for attempt in range(2):
        start = time.perf_counter()
        for text in texts:
            mwparserfromhell.parse(text).strip_code()
        floor = min(floor, time.perf_counter() - start)
        out = work / f"floor-{name}-{attempt}"
        out.mkdir(parents=True)
        seconds, documents = whole_stage(paths, str(out))
        stage = min(stage, seconds)
    with_markup: dict[str, int] = {}
    for text in documents:
        for kind in remnants(without_math(text)):
            with_markup[kind] = with_markup.get(kind, 0) + 1
    return {
        "bench": "wikipedia_vs_mwparserfromhell",
        "input": name,
        "articles": len(texts),
        "documents": len(documents),
        "floor_pages_per_s": round(len(texts) / floor, 1),
        "stage_pages_per_s": round(len(texts) / stage, 1),
        "ratio": round(stage / floor, 3),
        "within_1_3x": stage <= 1.3 * floor,
        "documents_with_markup": dict(sorted(with_markup.items())),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[5, 50])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--floor-scale", type=int, default=10)
    exports = [p for p in os.environ.get("FLEECE_WIKI_EXPORTS", "").split(":") if p]
    parser.add_argument("--export", action="append", default=exports,
                        help="a real MediaWiki export (.xml or .xml.bz2) to measure too")  # fmt: skip
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="fleece-bench-wiki-") as tmp:
        sample = Path(tmp) / "floor-sample"
        write_sample(str(sample), scale=args.floor_scale, seed=0)
        dumps = sorted(str(p) for p in (sample / "wikipedia").glob("*.xml.bz2"))
        print(json.dumps(against_the_floor(f"sample-{args.floor_scale}", dumps, Path(tmp))),
              flush=True)  # fmt: skip
        for export in args.export:
            print(json.dumps(against_the_floor(Path(export).name, [export], Path(tmp))),
                  flush=True)  # fmt: skip
        for scale in args.scales:
            results.append(measure(scale, args.workers, Path(tmp)))
            print(json.dumps(results[-1]), flush=True)
    if len(results) >= 2:
        low, high = results[0], results[-1]
        print(
            json.dumps(
                {
                    "bench": "wikipedia",
                    "check": "peak_rss_ratio",
                    "scales": [low["scale"], high["scale"]],
                    "ratio": round(high["peak_rss_mb"] / low["peak_rss_mb"], 3),
                    "within_1_5x": high["peak_rss_mb"] <= 1.5 * low["peak_rss_mb"],
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
