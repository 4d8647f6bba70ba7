"""The per-stage rates `fleece plan` prices a run with, written by `make bench` from the
scaling bench's rows (bench/bench_scale.py) into pipeline/plan_rates.json.

Per stage, between the smallest and the largest scale measured (a and b):
- `cpu_s_per_input_mb`: (cpu_b - cpu_a) / (mb_b - mb_a), the marginal CPU seconds (rusage,
  user + system) per MB read, so the fixed cost of a run (Python, imports, Beam starting its
  workers) is not counted as work; a negative figure is written as 0. Where the CPU time
  grew by less than `NOISE_S` seconds or `NOISE_FRACTION` of the smaller run's (a Beam run's
  own CPU varies by about that on a busy machine), `cpu_below_noise` is true: the figure is
  noise more than work, and the plan marks its row; larger scales
  (`python -m bench.bench_scale --scales 10 100 --rates FILE`) fix it;
- `written_mb_per_input_mb`: the same marginal ratio for every byte the stage committed,
  and `output_mb_per_input_mb` for the part other stages read (the plan derives a
  downstream stage's input from it); a stage whose output does not grow with its input
  (the tokenizer's model) gets about 0;
- `peak_rss_mb_worker`: the peak RSS of its largest Beam SDK worker at the largest scale,
  or, for a stage that ran none, of the launching process (`peak_rss_of` says which);
- `shuffled_mb_per_input_mb`: ESTIMATED, not measured: the local runners expose no shuffle
  byte count. Only the shards stage moves documents through a shuffle (the ids of the
  documents it places go to their shard, a GroupByKey): its figure is its output ratio.
  Every other stage writes its parts from the file it reads (source stages, encode) and
  groups only keys, hashes and counts, which are left out: so this is a lower bound.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

DEFAULT_RATES = Path(__file__).resolve().parent.parent / "pipeline" / "plan_rates.json"
NOISE_S = 2.0
NOISE_FRACTION = 0.2
SCALES = (3, 10)  # the sample's scales `make bench` measures: small enough for minutes
WORK = Path("build/bench-rates")
SHUFFLE_BASIS = (
    "estimated: the shards stage's placed documents cross one GroupByKey (output MB per input"
    " MB); other stages write parts from the file they read; keys-only groupings left out;"
    " a lower bound"
)
# the stages whose documents cross a shuffle (see the module docstring)
SHUFFLES_DOCUMENTS = ("shards",)


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:  # not Linux: fall back to the platform's word
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """What the rates were measured on."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "date": datetime.date.today().isoformat(),
    }


def marginal(rows: Sequence[Mapping[str, Any]], key: str) -> float:
    """`key` per input MB between the first and the last row; 0 where it did not grow."""
    first, last = rows[0], rows[-1]
    grown = last["input_mb"] - first["input_mb"]
    if grown <= 0:
        return 0.0
    return max(0.0, (last[key] - first[key]) / grown)


def stage_rates(stage: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One stage's rows (one per scale, smallest first) -> its rates."""
    last = rows[-1]
    rss_of = "worker" if last["peak_rss_mb_worker"] else "launcher"
    output = marginal(rows, "output_mb")
    growth = last["cpu_s"] - rows[0]["cpu_s"]
    return {
        # "bytes.stored": it reads the source's raw inputs; else the stages it requires
        "input_basis": last["input_basis"],
        "input_mb": [r["input_mb"] for r in rows],
        "cpu_s": [r["cpu_s"] for r in rows],
        "cpu_s_per_input_mb": round(marginal(rows, "cpu_s"), 4),
        "cpu_below_noise": growth < max(NOISE_S, NOISE_FRACTION * rows[0]["cpu_s"]),
        "written_mb_per_input_mb": round(marginal(rows, "written_mb"), 4),
        "output_mb_per_input_mb": round(output, 4),
        "shuffled_mb_per_input_mb": round(output, 4) if stage in SHUFFLES_DOCUMENTS else 0.0,
        "peak_rss_mb_worker": last[f"peak_rss_mb_{rss_of}"],
        "peak_rss_of": rss_of,
    }


def rates(by_stage: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """The rates file's content from the bench's rows per stage."""
    scales = [r["scale"] for r in next(iter(by_stage.values()))]
    return {
        "about": (
            "Per-stage rates for `fleece plan`, written by `make bench` (bench/rates.py): "
            "marginal CPU s, MB written and MB shuffled per input MB between the two "
            "scales of the sample, and peak RSS per worker at the larger."
        ),
        "command": f"python -m bench.bench_scale --scales {' '.join(map(str, scales))} --rates FILE",
        "scales": scales,
        "machine": machine(),
        "shuffled_basis": SHUFFLE_BASIS,
        "stages": {stage: stage_rates(stage, rows) for stage, rows in by_stage.items()},
    }


def write_rates(path: Path, by_stage: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    """Write the rates file, replacing it whole (a temporary name, then a rename)."""
    content = rates(by_stage)
    # the machine may be shared: the load when the bench ended says how busy it was
    content["machine"]["load_average_1m"] = round(os.getloadavg()[0], 2)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(content, indent=1) + "\n")
    temporary.replace(path)


def main(argv: Sequence[str]) -> int:
    """`make bench`'s step: the sample at scales 3 and 10 (a few minutes on 2 cores), every
    stage measured, and the rates file rewritten."""
    # lazy: bench_scale imports yaml and the stage table, which the rates' arithmetic needs not
    from bench.bench_scale import main as bench_scale

    return bench_scale(
        ["--scales", *map(str, SCALES), "--work", str(WORK), "--rates", str(DEFAULT_RATES), *argv]
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
