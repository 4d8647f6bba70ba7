"""The arxiv stage: throughput and memory, beside its per-paper work in plain Python.

    python -m bench.bench_arxiv [--scales 27 270] [--workers 2]

1. Per scale, the sample's arXiv tarballs alone (`write_sample(only=["arxiv"])`; scale 270
   is 52 MB of decompressed LaTeX source): `fleece arxiv` in a child process with the
   DirectRunner's --workers processes. One JSON line: papers/s, MB/s per core of
   decompressed source (the members' inflated bytes: .tex files or the project tars holding
   them, leaving out the planted oversized and corrupt members), the peak RSS of the largest
   Beam worker and of the runner's own process.
2. In this process, one core, no Beam, on the largest scale: reading every member, inflating
   and cleaning it (pass 2 of the stage, without the dedup by id: the resubmitted paper
   counts twice), as the floor Beam's run is set against.

Every scale holds the sample's one 256 MiB decompression bomb, which the stage inflates
to its cap and abandons (about 0.8 s, counted in each run, never held in memory).
Targets: each worker's peak RSS at the largest scale within 1.5x of the smallest.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

from bench.processes import run_child, scaling_checks
from pipeline import io
from pipeline.counters import Tally
from pipeline.records import ReadOptions, read_records
from pipeline.sample import write_sample
from pipeline.sources.arxiv.config import ArxivConfig
from pipeline.sources.arxiv.paper import paper_steps, process_member
from pipeline.sources.arxiv.tarball import ArxivMember, read_tarball

BENCH_MIN_MB = 50


def source_bytes(files: list[Path], truth: dict) -> int:
    """Decompressed bytes of the members the stage cleans (not the bomb, not the corrupt)."""
    skip = {
        (Path(o["tar"]).name, o["member"]) for o in truth["oversized"] + truth["corrupt_members"]
    }
    total = 0
    for path in files:
        with tarfile.open(path) as tar:
            for member in tar.getmembers():
                if member.isfile() and (path.name, member.name) not in skip:
                    data = tar.extractfile(member)
                    assert data is not None
                    total += len(gzip.decompress(data.read()))
    return total


def measure(scale: int, workers: int, work: Path) -> dict:
    inputs = work / f"inputs-{scale}"
    truth = write_sample(str(inputs), scale=scale, seed=0, only=["arxiv"])["arxiv"]
    files = sorted((inputs / "arxiv").glob("*.tar"))
    manifest = work / f"bench-{scale}.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "run_dir": str(work / f"run-{scale}"),
                "runner": {"direct_num_workers": workers},
                "sources": {"arxiv": {"inputs": [str(inputs / "arxiv" / "*.tar")]}},
            }
        )
    )
    seconds, runner, worker = run_child("arxiv", manifest)
    stats = json.loads((work / f"run-{scale}" / "arxiv" / "_stats.json").read_text())
    counters = stats["counters"]
    size = source_bytes(files, truth)
    cores = workers or len(os.sched_getaffinity(0))
    return {
        "bench": "arxiv",
        "scale": scale,
        "workers": cores,
        "tarballs": len(files),
        "tar_mb": round(sum(f.stat().st_size for f in files) / 1e6, 1),
        "source_mb": round(size / 1e6, 1),
        "members": counters["read"],
        "documents": counters["kept"],
        "seconds": round(seconds, 2),
        "documents_per_s": round(counters["kept"] / seconds, 1),
        "mb_per_s_per_core": round(size / 1e6 / seconds / cores, 3),
        "peak_rss_mb_worker": round(worker / 1024, 1),
        "peak_rss_mb_runner": round(runner / 1024, 1),
        "_files": files,
    }


def plain_pass(files: list[Path]) -> tuple[float, int]:
    """(seconds, documents) of pass 2's work on `files` in this process: read, inflate,
    clean."""
    config = ArxivConfig()
    steps, tally, kept = paper_steps(config), Tally(), 0
    start = time.perf_counter()
    for file in io.match_files([str(p) for p in files]):
        for member in read_records(file, read_tarball, ReadOptions(), tally, report=False):
            if isinstance(member, ArxivMember):
                outcome = process_member(member, Path(file.path).name, config, steps, tally)
                kept += outcome.document is not None and outcome.dropped is None
    return time.perf_counter() - start, kept


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[27, 270])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="fleece-bench-arxiv-") as tmp:
        for scale in args.scales:
            result = measure(scale, args.workers, Path(tmp))
            files = result.pop("_files")
            results.append(result)
            print(json.dumps(result), flush=True)
        seconds, documents = plain_pass(files)
        plain_mb = results[-1]["source_mb"]
        print(json.dumps({"bench": "arxiv_plain_pass", "scale": args.scales[-1],
                          "seconds": round(seconds, 2), "documents": documents,
                          "documents_per_s": round(documents / seconds, 1),
                          "mb_per_s": round(plain_mb / seconds, 3)}), flush=True)  # fmt: skip
    checks: dict = {"largest_source_mb_at_least_50": results[-1]["source_mb"] >= BENCH_MIN_MB}
    if len(results) >= 2:
        checks.update(scaling_checks(results[0], results[-1], "source_mb"))
    print(json.dumps({"bench": "arxiv", "check": "targets", **checks}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
