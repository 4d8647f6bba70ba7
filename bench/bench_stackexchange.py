"""The stackexchange stage: throughput and memory, beside its per-row work in plain Python.

    python -m bench.bench_stackexchange [--scales 42 420] [--workers 2]

1. Per scale, the sample's StackExchange Posts.xml files alone
   (`write_sample(only=["stackexchange"])`; scale 420 is about 51 MB): `fleece stackexchange`
   in a child process with the DirectRunner's --workers processes. One JSON line:
   documents/s, MB/s per core of Posts.xml, the peak RSS of the largest Beam worker and of
   the runner's own process.
2. In this process, one core, no Beam, on the largest scale: reading every row and turning
   its body into text (the stage's per-row work before it stages the text), as the floor
   Beam's run is set against.

Targets: each worker's peak RSS at the largest scale within 1.5x of the smallest (the text
is staged on disk per unit and the groupings carry only small refs to it, never text); the
MB/s per core is reported, with the marginal rate between the two scales (Beam's fixed
start-up cost left out).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

from bench.processes import run_child, scaling_checks
from pipeline import io
from pipeline.counters import Tally
from pipeline.records import ReadOptions
from pipeline.sample import write_sample
from pipeline.sources.stackexchange.posts import Post
from pipeline.sources.stackexchange.rules import entry_of
from pipeline.sources.stackexchange.stage import plan_units, unit_posts

BENCH_MIN_MB = 50


def measure(scale: int, workers: int, work: Path) -> dict:
    inputs = work / f"inputs-{scale}"
    write_sample(str(inputs), scale=scale, seed=0, only=["stackexchange"])
    files = sorted((inputs / "stackexchange").glob("*/Posts.xml"))
    manifest = work / f"bench-{scale}.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "run_dir": str(work / f"run-{scale}"),
                "runner": {"direct_num_workers": workers},
                "sources": {
                    "stackexchange": {"inputs": [str(inputs / "stackexchange" / "*" / "Posts.xml")]}
                },
            }
        )
    )
    seconds, runner, worker = run_child("stackexchange", manifest)
    stats = json.loads((work / f"run-{scale}" / "stackexchange" / "_stats.json").read_text())
    counters = stats["counters"]
    size = sum(f.stat().st_size for f in files)
    cores = workers or len(os.sched_getaffinity(0))
    return {
        "bench": "stackexchange",
        "scale": scale,
        "workers": cores,
        "files": len(files),
        "posts_xml_mb": round(size / 1e6, 1),
        "rows": counters["read"],
        "documents": counters["kept"],
        "seconds": round(seconds, 2),
        "documents_per_s": round(counters["kept"] / seconds, 1),
        "mb_per_s_per_core": round(size / 1e6 / seconds / cores, 3),
        "peak_rss_mb_worker": round(worker / 1024, 1),
        "peak_rss_mb_runner": round(runner / 1024, 1),
        "_files": files,
    }


def plain_pass(files: list[Path]) -> float:
    """Seconds of the per-row work on `files` in this process: read, parse, HTML to text."""
    start = time.perf_counter()
    units = plan_units(io.match_files([str(p) for p in files]), 1 << 62, split=False)
    for unit in units:
        for item in unit_posts(unit, 0, 16 << 20, ReadOptions(), Tally()):
            if isinstance(item, Post):
                entry_of(item, unit.file_index, False)
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[42, 420])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="fleece-bench-stackexchange-") as tmp:
        for scale in args.scales:
            result = measure(scale, args.workers, Path(tmp))
            files = result.pop("_files")
            results.append(result)
            print(json.dumps(result), flush=True)
        seconds = plain_pass(files)
        plain_mb = results[-1]["posts_xml_mb"]
        print(json.dumps({"bench": "stackexchange_plain_pass", "scale": args.scales[-1],
                          "seconds": round(seconds, 2),
                          "mb_per_s": round(plain_mb / seconds, 3)}), flush=True)  # fmt: skip
    checks: dict = {
        "largest_input_mb": results[-1]["posts_xml_mb"],
        "largest_at_least_50_mb": results[-1]["posts_xml_mb"] >= BENCH_MIN_MB,
    }
    if len(results) >= 2:
        checks.update(scaling_checks(results[0], results[-1], "posts_xml_mb"))
    print(json.dumps({"bench": "stackexchange", "check": "targets", **checks}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
