"""The progress line ends with the time left to the last step ("eta 3m12s"), estimated from
the steps after the first (which pays for warm-up)."""

from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner
from trainer_configs import nano_overrides

from trainer.cli import train
from trainer.time_left import TimeLeft, format_duration


def test_the_estimate_leaves_out_the_first_step() -> None:
    now = [0.0]
    left = TimeLeft(total=100, clock=lambda: now[0])
    now[0] = 30.0  # a slow first step: compilation, first shard reads
    assert left.update(1) is None  # one step says nothing about the rate
    now[0] = 32.0
    assert left.update(2) == 98 * 2.0
    now[0] = 45.0  # a validation or a checkpoint save in between counts: they recur
    assert left.update(6) == pytest.approx(94 * 3.0)  # (45 - 30) s / 5 steps
    now[0] = 45.0 + 94 * 3.0
    assert left.update(100) == 0.0


def test_a_resumed_run_estimates_from_its_own_first_step() -> None:
    now = [100.0]
    left = TimeLeft(total=20, clock=lambda: now[0])
    assert left.update(11) is None
    now[0] = 105.0
    assert left.update(12) == 8 * 5.0


def test_durations_read_with_two_units_at_most() -> None:
    shown = [format_duration(s) for s in (0, 0.4, 42, 60, 192, 3599.6, 7500, 86400 * 3 + 3600 * 4)]
    assert shown == ["0s", "0s", "42s", "1m00s", "3m12s", "1h00m", "2h05m", "3d04h"]


def test_progress_lines_show_the_time_left(markov_shards: str, tmp_path) -> None:
    overrides = nano_overrides(
        markov_shards,
        str(tmp_path / "run"),
        steps=4,
        **{"metrics.log_every": 1, "eval.every": 100, "checkpoint.every": 0},
    )
    result = CliRunner().invoke(
        train, ["--config", os.devnull, *[a for o in overrides for a in ("-o", o)]]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if re.match(r"step \d+/4 loss", line)]
    assert len(lines) == 4
    assert " eta " not in lines[0]
    for line in lines[1:]:
        assert re.search(r" epoch [\d.]+ eta (\d+m\d\ds|\d+s)$", line), line
    assert lines[-1].endswith(" eta 0s")
