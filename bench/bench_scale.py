"""`make bench-scale`: the whole sample pipeline at several scales, and how each stage's
cost grows with its input (issue 27, item 6).

    python -m bench.bench_scale [--scales 10 100 300] [--work DIR] [--keep] [--rates FILE]

Per scale N, a copy of manifests/sample.yaml with `sample.scale: N` and its run directory
under DIR/scale-N; then every stage of the table, in order, each as its own
`fleece <stage> --manifest ...` child process (the sample as `fleece corpus --only sample`),
so that each stage's CPU time and peak RSS are its own. One JSON line per stage per scale:
- `input_mb`, the bytes the stage reads: a stage reading raw inputs, its `bytes.stored`
  counter (the files as stored, compressed or not); a stage reading other stages, the files
  those stages committed (their `_SUCCESS` list, less `_stats.json`, `dropped/` and
  `errors/`, which no stage reads); the sample, which reads nothing, what it wrote;
- `cpu_s`, user + system time of the child and of the processes it waited for (os.wait4),
  Python's start and imports included; `harness_core_s` and `harness_wall_s` beside it are
  the `timing` the harness wrote in the stage's `_SUCCESS` (the stage's own run only);
- `wall_s`, and the peak RSS (VmHWM) of its largest Beam SDK worker and of the launching
  process (the DirectRunner's own), read from /proc while they live (bench/processes.py).

Then per stage, one JSON line: the marginal CPU seconds per input MB between consecutive
scales, (cpu_b - cpu_a) / (mb_b - mb_a), which leaves out the fixed cost of a run (Python,
Beam starting its workers); the ratio of the last interval's rate to the first's; the peak
worker RSS at the largest scale over the smallest; and whether the stage is within the
limits: that ratio at most 1.3, that growth at most 1.5. A stage that runs no Beam worker
(its work in the launching process) is held to the RSS limit by the launcher's peak. Each
stage over a limit is then named on one line.

With --rates FILE, the per-stage rates `fleece plan` reads are written to FILE from the
smallest and largest scales (bench/rates.py; `make bench` does this at scales 3 and 10).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from bench.processes import ChildRun, run_fleece_child
from pipeline.stages import stage_names

SAMPLE_MANIFEST = Path(__file__).resolve().parent.parent / "manifests" / "sample.yaml"
DEFAULT_WORK = Path("build/bench-scale")
MARGINAL_RATIO_LIMIT = 1.3  # last interval's CPU s/MB over the first's
WORKER_RSS_GROWTH_LIMIT = 1.5  # peak worker RSS at the largest scale over the smallest
# files of a stage that no other stage reads
UNREAD_OUTPUTS = ("_stats.json", "dropped/", "errors/")


def scale_manifest(base: dict, scale: int, run_dir: Path) -> dict:
    """The sample manifest `base` at `scale`, writing under `run_dir`."""
    manifest = json.loads(json.dumps(base))  # a deep copy of plain YAML data
    manifest["run_dir"] = str(run_dir)
    manifest["sample"] = {**manifest.get("sample", {}), "scale": scale}
    return manifest


def committed_bytes(stage_dir: Path) -> int:
    """Bytes of the files a stage committed that other stages read (its `_SUCCESS` list)."""
    outputs = json.loads((stage_dir / "_SUCCESS").read_text())["outputs"]
    return sum(size for name, size, *_ in outputs if not name.startswith(UNREAD_OUTPUTS))


def written_bytes(stage_dir: Path) -> int:
    """Bytes of every file a stage committed (its `_SUCCESS` list), read by others or not."""
    outputs = json.loads((stage_dir / "_SUCCESS").read_text())["outputs"]
    return sum(size for _, size, *_ in outputs)


def input_bytes(run_dir: Path, stage: str, requires: Sequence[str]) -> tuple[int, str]:
    """(bytes the stage reads, which figure that is): see the module's docstring."""
    counters = json.loads((run_dir / stage / "_stats.json").read_text())["counters"]
    if stage == "sample":
        return counters["bytes.written"], "bytes.written"
    if "bytes.stored" in counters:
        return counters["bytes.stored"], "bytes.stored"
    return sum(committed_bytes(run_dir / name) for name in requires), "upstream outputs"


def measure_stage(stage: str, requires: Sequence[str], scale: int, manifest: Path) -> dict:
    """One stage of the run at `scale`, in a child process: one JSON line's figures."""
    args = ["corpus", "--only", "sample"] if stage == "sample" else [stage]
    child: ChildRun = run_fleece_child([*args, "--manifest", str(manifest), "--force"])
    run_dir = Path(yaml.safe_load(manifest.read_text())["run_dir"])
    size, basis = input_bytes(run_dir, stage, requires)
    timing = json.loads((run_dir / stage / "_SUCCESS").read_text()).get("timing", {})
    return {
        "bench": "scale",
        "stage": stage,
        "scale": scale,
        "input_mb": round(size / 1e6, 3),
        "input_basis": basis,
        "cpu_s": round(child.cpu_seconds, 2),
        "harness_core_s": timing.get("core_seconds"),
        "wall_s": round(child.seconds, 2),
        "harness_wall_s": timing.get("wall_seconds"),
        "peak_rss_mb_worker": round(child.worker_kib / 1024, 1),
        "peak_rss_mb_launcher": round(child.runner_kib / 1024, 1),
        # for the rates file (bench/rates.py): what it wrote, and what of that others read
        "written_mb": round(written_bytes(run_dir / stage) / 1e6, 3),
        "output_mb": round(committed_bytes(run_dir / stage) / 1e6, 3),
    }


def marginal_rates(points: Sequence[tuple[float, float]]) -> list[float | None]:
    """CPU seconds per MB between consecutive (input MB, CPU seconds) points, in order; None
    for an interval whose input did not grow (no rate can be read from it)."""
    rates: list[float | None] = []
    for (mb_a, cpu_a), (mb_b, cpu_b) in zip(points, points[1:], strict=False):
        rates.append((cpu_b - cpu_a) / (mb_b - mb_a) if mb_b > mb_a else None)
    return rates


def rate_ratio(rates: Sequence[float | None]) -> float | None:
    """The last interval's rate over the first's; None with fewer than two intervals, an
    interval without a rate, or a first rate of zero or less (CPU noise over the work)."""
    if len(rates) < 2 or rates[0] is None or rates[-1] is None or rates[0] <= 0:
        return None
    return rates[-1] / rates[0]


def rss_growth(rows: Sequence[dict]) -> tuple[float | None, str]:
    """(peak RSS at the largest scale over the smallest, whose peak it is): the Beam
    workers', or the launcher's for a stage that ran none (its work ran in the launcher)."""
    key = "peak_rss_mb_worker" if rows[0]["peak_rss_mb_worker"] else "peak_rss_mb_launcher"
    first, last = rows[0][key], rows[-1][key]
    return (last / first if first else None), key.removeprefix("peak_rss_mb_")


def stage_curve(stage: str, rows: Sequence[dict]) -> dict:
    """A stage's rows (one per scale, smallest first) -> its curve and verdict."""
    rates = marginal_rates([(r["input_mb"], r["cpu_s"]) for r in rows])
    ratio = rate_ratio(rates)
    growth, rss_of = rss_growth(rows)
    over = []
    if ratio is not None and ratio > MARGINAL_RATIO_LIMIT:
        over.append(f"marginal CPU s/MB x{ratio:.2f} (limit {MARGINAL_RATIO_LIMIT})")
    if growth is not None and growth > WORKER_RSS_GROWTH_LIMIT:
        over.append(f"peak {rss_of} RSS x{growth:.2f} (limit {WORKER_RSS_GROWTH_LIMIT})")
    return {
        "bench": "scale_curve",
        "stage": stage,
        "scales": [r["scale"] for r in rows],
        "input_mb": [r["input_mb"] for r in rows],
        "marginal_cpu_s_per_mb": [None if x is None else round(x, 4) for x in rates],
        "marginal_ratio": None if ratio is None else round(ratio, 3),
        "rss_growth": None if growth is None else round(growth, 3),
        "rss_of": rss_of,
        "within_limits": not over,
        "over": over,
    }


def run_scale(scale: int, base: dict, work: Path) -> list[dict]:
    """Every stage of the table at `scale`, each printed as it ends."""
    run_dir = (work / f"scale-{scale}").resolve()
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    manifest = work / f"scale-{scale}.yaml"
    manifest.write_text(yaml.safe_dump(scale_manifest(base, scale, run_dir), sort_keys=False))
    # lazy: the stage objects import Beam, which --help need not load
    from pipeline.harness.stage import find_stage

    rows = []
    for stage in stage_names():
        requires = () if stage == "sample" else find_stage(stage).requires
        rows.append(measure_stage(stage, requires, scale, manifest))
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[10, 100, 300])
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--keep", action="store_true", help="keep each scale's run directory")
    parser.add_argument(
        "--rates", type=Path, help="write the per-stage rates `fleece plan` reads to this file"
    )
    args = parser.parse_args(argv)
    base = yaml.safe_load(SAMPLE_MANIFEST.read_text())
    args.work.mkdir(parents=True, exist_ok=True)
    by_stage: dict[str, list[dict]] = {}
    for scale in sorted(args.scales):
        for row in run_scale(scale, base, args.work):
            by_stage.setdefault(row["stage"], []).append(row)
        if not args.keep:
            shutil.rmtree(args.work / f"scale-{scale}", ignore_errors=True)
    curves = [stage_curve(stage, rows) for stage, rows in by_stage.items()]
    if args.rates:
        # lazy: only this option writes the rates file
        from bench.rates import write_rates

        write_rates(args.rates, by_stage)
        print(f"# rates written to {args.rates}", file=sys.stderr, flush=True)
    for curve in curves:
        print(json.dumps(curve), flush=True)
    for curve in curves:
        if curve["over"]:
            print(f"over a limit: {curve['stage']}: {'; '.join(curve['over'])}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
