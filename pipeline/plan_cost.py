"""What a run will cost: `fleece plan`'s table of core-hours, bytes and wall time per stage.

The rates come from a file that `make bench` rewrites (pipeline/plan_rates.json, written by
bench/rates.py from the sample at two scales): per stage, the marginal CPU seconds per input
MB (rusage between the two scales, so a run's fixed start-up is not counted as work), MB
written, shuffled and handed to later stages per input MB, and the peak RSS of one worker.

A stage's input at full scale is, for a stage that reads raw inputs (the bench measured it
on `bytes.stored`), the listed (or published) size of its source's inputs; for any other, the
sum over the stages it requires of their input times their output ratio. The figures scale
the sample's rates linearly: what the bench's scaling curve (`make bench-scale`) says of
each stage's growth is the check of that assumption. Wall time assumes every core of every
worker busy through each stage, stages one after another: a lower bound.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.shards.report import human

RATES_FILE = Path(__file__).resolve().parent / "plan_rates.json"
MB = 1e6


class RatesError(Exception):
    """A rates file that cannot be read; its message is one line naming the file."""


@dataclasses.dataclass(frozen=True)
class StageRates:
    cpu_s_per_input_mb: float
    written_mb_per_input_mb: float
    output_mb_per_input_mb: float
    shuffled_mb_per_input_mb: float
    peak_rss_mb_worker: float
    reads_raw_inputs: bool  # measured on `bytes.stored`: it reads its source's own files
    below_noise: bool = False  # its CPU grew by less than the bench's noise between scales
    rss_of: str = "worker"  # "launcher": it ran no Beam worker, its work ran in the launcher


@dataclasses.dataclass(frozen=True)
class Rates:
    path: str
    machine: Mapping[str, Any]
    scales: Sequence[int]
    shuffled_basis: str
    stages: Mapping[str, StageRates]

    def origin(self) -> str:
        """Where the rates come from, in one line."""
        m = self.machine
        shown = Path(self.path).resolve()
        if shown.is_relative_to(RATES_FILE.parent.parent):  # the checkout's: say it short
            shown = shown.relative_to(RATES_FILE.parent.parent)
        return (
            f"rates from {shown}, measured {m.get('date', '?')} on {m.get('cpu', '?')}"
            f" ({m.get('cores', '?')} cores, Python {m.get('python', '?')}),"
            f" sample scales {'/'.join(map(str, self.scales))}"
        )


def load_rates(path: Path = RATES_FILE) -> Rates:
    """The rates file at `path`, or a RatesError in one line."""
    try:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RatesError(
            f"{path}: no rates file; `make bench` measures the stages and writes it"
        ) from None
    except (OSError, ValueError) as error:
        raise RatesError(f"{path}: unreadable rates file: {error}") from None
    try:
        stages = {
            name: StageRates(
                float(r["cpu_s_per_input_mb"]),
                float(r["written_mb_per_input_mb"]),
                float(r["output_mb_per_input_mb"]),
                float(r["shuffled_mb_per_input_mb"]),
                float(r["peak_rss_mb_worker"]),
                r["input_basis"] == "bytes.stored",
                bool(r.get("cpu_below_noise", False)),
                r.get("peak_rss_of", "worker"),
            )
            for name, r in content["stages"].items()
        }
        return Rates(
            str(path),
            content.get("machine", {}),
            content.get("scales", []),
            content.get("shuffled_basis", ""),
            stages,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise RatesError(f"{path}: rates file lacks or garbles {error}") from None


@dataclasses.dataclass(frozen=True)
class StageCost:
    stage: str
    input_bytes: float
    core_hours: float
    shuffled_bytes: float
    written_bytes: float
    output_bytes: float
    peak_rss_mb: float
    below_noise: bool = False
    rss_of: str = "worker"


def stage_costs(
    stages: Sequence[tuple[str, Sequence[str]]],
    raw_input_bytes: Mapping[str, float],
    rates: Rates,
) -> tuple[list[StageCost], list[str]]:
    """(cost per stage, stages without rates) for `stages` in run order, each as (name, the
    stages it requires); `raw_input_bytes` maps a stage that reads raw inputs to their size."""
    costs: dict[str, StageCost] = {}
    unrated = []
    for name, requires in stages:
        rate = rates.stages.get(name)
        if rate is None:
            unrated.append(name)
            continue
        if rate.reads_raw_inputs:
            size = float(raw_input_bytes.get(name, 0))
        else:
            size = sum(costs[r].output_bytes for r in requires if r in costs)
        mb = size / MB
        costs[name] = StageCost(
            name,
            size,
            rate.cpu_s_per_input_mb * mb / 3600,
            rate.shuffled_mb_per_input_mb * size,
            rate.written_mb_per_input_mb * size,
            rate.output_mb_per_input_mb * size,
            rate.peak_rss_mb_worker,
            rate.below_noise,
            rate.rss_of,
        )
    return list(costs.values()), unrated


def wall_hours(core_hours: float, workers: int, cores_per_worker: int) -> float:
    """Hours for `core_hours` of work with every core of `workers` busy."""
    return core_hours / (workers * cores_per_worker)


def duration(hours: float) -> str:
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def cost_text(
    costs: Sequence[StageCost],
    unrated: Sequence[str],
    rates: Rates,
    workers: int,
    cores_per_worker: int,
    price_per_core_hour: float | None,
) -> str:
    """The cost table and its totals."""
    lines = [
        f"Cost ({rates.origin()}):",
        f"  {'stage':<14}{'input':>10}{'core-hours':>12}{'shuffled':>11}{'written':>11}"
        f"{'peak RSS/worker':>17}{'wall':>10}",
    ]
    for c in costs:
        lines.append(
            f"  {c.stage:<14}{c.input_bytes / 1e12:>7.2f} TB{c.core_hours:>11,.0f}"
            f"{'*' if c.below_noise else ' '}"
            f"{human(c.shuffled_bytes):>11}{human(c.written_bytes):>11}"
            f"{c.peak_rss_mb:>14.0f} MB{duration(wall_hours(c.core_hours, workers, cores_per_worker)):>10}"
        )
    total = sum(c.core_hours for c in costs)
    wall = wall_hours(total, workers, cores_per_worker)
    lines.append(
        f"  {'total':<14}{'':>10}{total:>11,.0f} {human(sum(c.shuffled_bytes for c in costs)):>11}"
        f"{human(sum(c.written_bytes for c in costs)):>11}"
        f"{max((c.peak_rss_mb for c in costs), default=0):>14.0f} MB{duration(wall):>10}"
    )
    lines.append(
        f"  wall time on {workers} workers x {cores_per_worker} cores: {duration(wall)}"
        " (every core busy, stages one after another: a lower bound)"
    )
    if price_per_core_hour is not None:
        lines.append(
            f"  money at {price_per_core_hour:g} per core-hour: {total * price_per_core_hour:,.0f}"
        )
    lines.append(f"  shuffled: {rates.shuffled_basis}")
    launched = [c.stage for c in costs if c.rss_of == "launcher"]
    if launched:
        lines.append(
            f"  peak RSS of {', '.join(launched)}: the launching process's, as they ran no Beam"
            " worker on the bench"
        )
    noisy = [c.stage for c in costs if c.below_noise]
    if noisy:
        lines.append(
            f"  * {', '.join(noisy)}: CPU grew by less than the bench's noise between the two"
            " scales, so these core-hours are noise more than measure; measure at larger"
            " scales (python -m bench.bench_scale --scales 10 100 --rates FILE)"
        )
    if unrated:
        lines.append(f"  no rates for {', '.join(unrated)}: left out of the totals")
    return "\n".join(lines)
