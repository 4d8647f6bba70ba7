"""Wikipedia stage throughput and peak memory on the synthetic sample at a chosen scale.

    python -m bench.bench_wikipedia [--scales 5 50] [--workers 2]

For each scale: writes the sample (not timed), runs `fleece wikipedia` in a child process
with the DirectRunner (multi-processing, --workers processes), and prints one JSON line:
documents/s, input MB/s per core (compressed dump bytes and decompressed XML), and the peak
RSS of the largest process of the run (the runner or one of its workers). Comparing the
peak across scales shows whether the stage streams: it must not grow with the dump size.
"""

from __future__ import annotations

import argparse
import bz2
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import yaml


def xml_bytes(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with bz2.open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                total += len(chunk)
    return total


def measure(scale: int, workers: int, work: Path) -> dict:
    from pipeline.sample import write_sample

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
        "xml_mb_per_s_per_core": round(xml_bytes(dumps) / 1e6 / seconds / cores, 3),
        "peak_rss_mb": round(int(peak_kib) / 1024, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[5, 50])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="fleece-bench-wiki-") as tmp:
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
