"""`make bench`: run every registered benchmark in turn (one JSON line per measurement).

python -m bench [NAME ...]
"""

from __future__ import annotations

import importlib
import sys

# name -> module with main(argv); each runs with its defaults.
BENCHMARKS = {
    "wikipedia": "bench.bench_wikipedia",
    "commoncrawl": "bench.bench_commoncrawl",
    "c4": "bench.bench_c4",
    "github": "bench.bench_github",
    "books": "bench.bench_books",
    "arxiv": "bench.bench_arxiv",
    "stackexchange": "bench.bench_stackexchange",
    "tokenizer": "bench.bench_tokenizer",
    "mix": "bench.bench_mix",
    "train": "bench.bench_train",
    # the per-stage rates `fleece plan` prices a run with (pipeline/plan_rates.json)
    "rates": "bench.rates",
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}",
            file=sys.stderr,
        )
        return 2
    status = 0
    for name in names:
        print(f"# bench {name}", file=sys.stderr, flush=True)
        status |= importlib.import_module(BENCHMARKS[name]).main([]) or 0
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
