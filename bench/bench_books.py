"""The books stage: throughput and memory, and the signature against datasketch's loop.

    python -m bench.bench_books [--scales 30 300] [--workers 2]

1. Per scale, the sample's books alone (`write_sample(only=["books"])`; scale 300 is about
   55 MB of text): `fleece books` in a child process with --workers Beam workers. One JSON
   line: documents/s, MB/s per core, the peak RSS of the largest worker and of the runner.
2. In this process, on the largest scale's books: MinHash signatures by minhash.signature
   and by a plain loop of datasketch's MinHash.update per shingle; the speedup (target 3x).

Targets: each worker's peak RSS at the largest scale within 1.5x of the smallest.
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
from datasketch import MinHash

from bench.processes import run_child, scaling_checks
from pipeline.dedup.minhash import shingle_hashes, shingles, signature
from pipeline.sample import write_sample

TARGET_SPEEDUP = 3.0


def measure(scale: int, workers: int, work: Path) -> dict:
    inputs = work / f"inputs-{scale}"
    write_sample(str(inputs), scale=scale, seed=0, only=["books"])
    files = sorted((inputs / "books").glob("*/*.txt"))
    manifest = work / f"bench-{scale}.yaml"
    manifest.write_text(yaml.safe_dump({
        "run_dir": str(work / f"run-{scale}"),
        "runner": {"direct_num_workers": workers},
        "sources": {"books": {"inputs": [str(inputs / "books" / "*" / "*.txt")]}},
    }))  # fmt: skip
    seconds, runner, worker = run_child("books", manifest)
    counters = json.loads((work / f"run-{scale}" / "books" / "_stats.json").read_text())["counters"]
    size = sum(f.stat().st_size for f in files)
    cores = workers or len(os.sched_getaffinity(0))
    return {
        "bench": "books", "scale": scale, "workers": cores, "files": len(files),
        "text_mb": round(size / 1e6, 1), "documents": counters["kept"],
        "seconds": round(seconds, 2), "documents_per_s": round(counters["read"] / seconds, 1),
        "mb_per_s_per_core": round(size / 1e6 / seconds / cores, 3),
        "peak_rss_mb_worker": round(worker / 1024, 1),
        "peak_rss_mb_runner": round(runner / 1024, 1), "_files": files,
    }  # fmt: skip


def signature_speedup(files: list[Path], limit: int = 200) -> dict:
    """Seconds of both signature methods on the same books (at most `limit` of them)."""
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files[:limit]]
    start = time.perf_counter()
    ours = [signature(shingle_hashes(t), 128, 1) for t in texts]
    fast = time.perf_counter() - start
    start = time.perf_counter()
    naive = []
    for text in texts:
        minhash = MinHash(num_perm=128, seed=1)
        for shingle in shingles(text):
            minhash.update(shingle.encode("utf-8"))
        naive.append(minhash.hashvalues)
    slow = time.perf_counter() - start
    equal = all((a == b).all() for a, b in zip(ours, naive, strict=True))
    return {"bench": "books_signatures", "books": len(texts), "numpy_s": round(fast, 3),
            "datasketch_update_s": round(slow, 3), "speedup": round(slow / fast, 2),
            "equal": equal}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[30, 300])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="fleece-bench-books-") as tmp:
        for scale in args.scales:
            result = measure(scale, args.workers, Path(tmp))
            files = result.pop("_files")
            results.append(result)
            print(json.dumps(result), flush=True)
        speed = signature_speedup(files)
        print(json.dumps(speed), flush=True)
    checks: dict = {"signature_speedup_3x": speed["speedup"] >= TARGET_SPEEDUP and speed["equal"]}
    if len(results) >= 2:
        checks.update(scaling_checks(results[0], results[-1], "text_mb"))
    print(json.dumps({"bench": "books", "check": "targets", **checks}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
