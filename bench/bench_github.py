"""The github stage: throughput and memory, beside its per-row work in plain Python.

    python -m bench.bench_github [--scales 88 880] [--workers 2]

1. Per scale, the sample's GitHub JSONL alone (`write_sample(only=["github"])`; scale 880 is
   200 MB decompressed): `fleece github` in a child process with the DirectRunner's
   --workers processes. One JSON line: rows/s, MB/s per core of decompressed JSONL, the peak
   RSS of the largest Beam worker and of the runner's own process.
2. In this process, one core, no Beam, on the largest scale: reading, the rules and the
   content hash of every row (pass 1 of the stage), as the floor Beam's run is set against.

Targets: the stage at least 5 MB/s per core at 50 MB or more, measured at 200 MB: some 5 s
of any run is Beam starting and stopping its workers (a 200 KB input takes 5.2 s), which
at 50 MB is most of the run; the MB/s per core between the two scales is the stage's own
rate; each worker's peak RSS at the
largest scale within 1.5x of the smallest.
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
from pipeline.records import ReadOptions
from pipeline.sample import write_sample
from pipeline.sources.github.config import GithubConfig
from pipeline.sources.github.stage import content_hash, file_rows, row_steps

TARGET_MB_PER_S_PER_CORE = 5.0
BENCH_MIN_MB = 50


def measure(scale: int, workers: int, work: Path) -> dict:
    inputs = work / f"inputs-{scale}"
    write_sample(str(inputs), scale=scale, seed=0, only=["github"])
    files = sorted((inputs / "github").glob("*.jsonl.gz"))
    manifest = work / f"bench-{scale}.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "run_dir": str(work / f"run-{scale}"),
                "runner": {"direct_num_workers": workers},
                "sources": {"github": {"inputs": [str(inputs / "github" / "*.jsonl.gz")]}},
            }
        )
    )
    seconds, runner, worker = run_child("github", manifest)
    stats = json.loads((work / f"run-{scale}" / "github" / "_stats.json").read_text())
    counters = stats["counters"]
    size = decompressed_size(files, gzip.open)
    cores = workers or len(os.sched_getaffinity(0))
    return {
        "bench": "github",
        "scale": scale,
        "workers": cores,
        "files": len(files),
        "jsonl_mb": round(size / 1e6, 1),
        "rows": counters["read"],
        "documents": counters["kept"],
        "seconds": round(seconds, 2),
        "rows_per_s": round(counters["read"] / seconds, 1),
        "mb_per_s_per_core": round(size / 1e6 / seconds / cores, 3),
        "peak_rss_mb_worker": round(worker / 1024, 1),
        "peak_rss_mb_runner": round(runner / 1024, 1),
        "_files": files,
    }


def plain_pass(files: list[Path]) -> float:
    """Seconds of pass 1's work on `files` in this process: read, rules, content hash."""
    steps = row_steps(GithubConfig())
    start = time.perf_counter()
    for file in io.match_files([str(p) for p in files]):
        for item in file_rows(file, steps, ReadOptions(), Tally()):
            if isinstance(item, tuple) and item[2] is None:
                content_hash(item[1].text)
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[88, 880])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="fleece-bench-github-") as tmp:
        for scale in args.scales:
            result = measure(scale, args.workers, Path(tmp))
            files = result.pop("_files")
            results.append(result)
            print(json.dumps(result), flush=True)
        seconds = plain_pass(files)
        plain_mb = results[-1]["jsonl_mb"]
        print(json.dumps({"bench": "github_plain_pass", "scale": args.scales[-1],
                          "seconds": round(seconds, 2),
                          "mb_per_s": round(plain_mb / seconds, 3)}), flush=True)  # fmt: skip
    sized = [r for r in results if r["jsonl_mb"] >= BENCH_MIN_MB] or results[-1:]
    checks: dict = {
        "mb_per_s_per_core": all(r["mb_per_s_per_core"] >= TARGET_MB_PER_S_PER_CORE for r in sized)
    }
    if len(results) >= 2:
        checks.update(scaling_checks(results[0], results[-1], "jsonl_mb"))
    print(json.dumps({"bench": "github", "check": "targets", **checks}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
