"""The c4 stage on raw WET: throughput, memory, and the share of its time in dedup.

    python -m bench.bench_c4 [--scales 92 920] [--cleaning-scale 1840] [--workers 2]

1. Per scale, the sample's raw C4 WET alone (`write_sample(only=["c4"])`; scale 920 is over
   50 MB decompressed): `fleece c4` in a child process with --workers DirectRunner
   processes, with the default line dedup. One JSON line each: pages/s, MB/s per core of
   decompressed WET, the peak RSS of the largest Beam worker and of the runner.
2. On the largest scale, again with `dedup: none` (the raw cleaning alone: rules, language
   ID, URL dedup) and `dedup: spans`: the share of the stage's time that line and span
   dedup take.
3. At --cleaning-scale (1840, 100 MB), `dedup: none` once more: the raw cleaning rate the
   target is checked on. A Beam stage has a fixed start of about 5.5 s on 2 cores (imports,
   worker processes, the model loaded in each), which is 40% of a 50 MB run and so decides
   its rate; at 50 MB the rate measured 1.94-2.25 MB/s per core from run to run, at 100 MB
   2.67. Both are printed.
4. In this process, one core, no Beam: reading and the rules of every page (pass 1's work),
   the floor the Beam run is set against.

Targets: raw cleaning (dedup none) at least 2 MB/s per core at 50 MB or more; each worker's
peak RSS at the largest of --scales within 1.5x of the smallest. The cleaning scale is not
in the RSS check: the sample holds 16 raw files whatever the scale, so past scale 920 the
files themselves grow, and a worker holds one file's dedup notices at a time (on real dumps
a WET file is about 150 MB whatever the crawl's size).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

from bench.processes import decompressed_size, run_child, scaling_checks
from pipeline import io
from pipeline.counters import Tally
from pipeline.readers.wet import WetPage, read_wet
from pipeline.records import ReadOptions, read_records
from pipeline.sample import write_sample
from pipeline.sources.c4.config import C4Config
from pipeline.sources.c4.rules import read_badwords
from pipeline.sources.c4.stage import PageRules

TARGET_MB_PER_S_PER_CORE = 2.0
BENCH_MIN_MB = 50


def measure(scale: int, workers: int, work: Path, dedup: str) -> dict:
    inputs = work / f"inputs-{scale}"
    if not inputs.exists():
        write_sample(str(inputs), scale=scale, seed=0, only=["c4"])
    files = sorted((inputs / "c4" / "raw").glob("*.warc.wet.gz"))
    run = work / f"run-{scale}-{dedup}"
    manifest = work / f"bench-{scale}-{dedup}.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "run_dir": str(run),
                "runner": {"direct_num_workers": workers},
                "sources": {
                    "c4": {
                        "inputs": [str(inputs / "c4" / "raw" / "*.warc.wet.gz")],
                        "badwords_file": str(inputs / "c4" / "badwords.txt"),
                        "dedup": dedup,
                    }
                },
            }
        )
    )
    seconds, runner, worker = run_child("c4", manifest)
    counters = json.loads((run / "c4" / "_stats.json").read_text())["counters"]
    size = decompressed_size(files, gzip.open)
    cores = workers or len(os.sched_getaffinity(0))
    return {
        "bench": "c4",
        "scale": scale,
        "dedup": dedup,
        "workers": cores,
        "files": len(files),
        "wet_mb": round(size / 1e6, 1),
        "pages": counters["read"],
        "documents": counters["kept"],
        "seconds": round(seconds, 2),
        "pages_per_s": round(counters["read"] / seconds, 1),
        "mb_per_s_per_core": round(size / 1e6 / seconds / cores, 3),
        "peak_rss_mb_worker": round(worker / 1024, 1),
        "peak_rss_mb_runner": round(runner / 1024, 1),
        "_files": files,
    }


def plain_pass(files: list[Path], badwords: Path) -> float:
    """Seconds of pass 1's work on `files` in this process: read, rules, language ID."""
    with tempfile.TemporaryDirectory() as local:
        rules = PageRules(C4Config(), read_badwords(badwords.read_text()), local)
        tally = Tally()
        start = time.perf_counter()
        for file in io.match_files([str(p) for p in files]):
            for page in read_records(file, read_wet, ReadOptions(), tally):
                if isinstance(page, WetPage):
                    rules.judge(page, tally)
        return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[92, 920])
    parser.add_argument("--cleaning-scale", type=int, default=1840)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="fleece-bench-c4-") as tmp:
        for scale in args.scales:
            result = measure(scale, args.workers, Path(tmp), "lines")
            files = result.pop("_files")
            results.append(result)
            print(json.dumps(result), flush=True)
        largest = args.scales[-1]
        other = {}
        for dedup in ("none", "spans"):
            other[dedup] = measure(largest, args.workers, Path(tmp), dedup)
            other[dedup].pop("_files")
            print(json.dumps(other[dedup]), flush=True)
        if args.cleaning_scale > largest:
            cleaning = measure(args.cleaning_scale, args.workers, Path(tmp), "none")
            cleaning.pop("_files")
            print(json.dumps(cleaning), flush=True)
        else:
            cleaning = other["none"]
        seconds = plain_pass(files, Path(tmp) / f"inputs-{largest}" / "c4" / "badwords.txt")
        print(json.dumps({"bench": "c4_plain_pass", "scale": largest,
                          "seconds": round(seconds, 2),
                          "mb_per_s": round(results[-1]["wet_mb"] / seconds, 3)}), flush=True)  # fmt: skip
    checks: dict = {
        "raw_cleaning_scale": cleaning["scale"],
        "raw_cleaning_mb_per_s_per_core": cleaning["mb_per_s_per_core"],
        "raw_cleaning_at_least_2": cleaning["wet_mb"] >= BENCH_MIN_MB
        and cleaning["mb_per_s_per_core"] >= TARGET_MB_PER_S_PER_CORE,
        "line_dedup_share": round(1 - other["none"]["seconds"] / results[-1]["seconds"], 3),
        "span_dedup_share": round(1 - other["none"]["seconds"] / other["spans"]["seconds"], 3),
    }
    if len(results) >= 2:
        checks.update(
            scaling_checks(
                results[0], results[-1], "wet_mb", "marginal_mb_per_s_per_core_line_dedup"
            )
        )
    print(json.dumps({"bench": "c4", "check": "targets", **checks}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
