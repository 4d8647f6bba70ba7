"""The rates file `make bench` writes for `fleece plan` (bench/rates.py), on made-up rows,
read back by the plan's loader."""

from __future__ import annotations

import json
from pathlib import Path

from bench.rates import write_rates
from pipeline.plan_cost import load_rates


def row(scale: int, mb: float, cpu: float, written: float, output: float) -> dict:
    return {
        "scale": scale,
        "input_basis": "bytes.stored",
        "input_mb": mb,
        "cpu_s": cpu,
        "written_mb": written,
        "output_mb": output,
        "peak_rss_mb_worker": 0.0,  # ran no Beam worker: the launcher's peak stands in
        "peak_rss_mb_launcher": 250.0 + scale,
    }


def test_rates_are_marginal_between_the_two_scales_and_the_plan_reads_them(
    tmp_path: Path,
) -> None:
    by_stage = {
        # 5 s of start-up at any size, then 2 s per MB: the marginal rate leaves the 5 s out
        "wikipedia": [row(3, 10.0, 25.0, 6.0, 5.0), row(10, 30.0, 65.0, 16.0, 14.0)],
        # a model of a fixed size, whatever the input: nothing written per extra MB
        "tokenizer": [row(3, 4.0, 9.0, 1.0, 1.0), row(10, 12.0, 8.0, 1.0, 1.0)],
        # the one stage whose documents cross a shuffle: its placed ids, into their shards
        "shards": [row(3, 10.0, 20.0, 2.0, 2.0), row(10, 30.0, 40.0, 6.0, 6.0)],
    }
    path = tmp_path / "rates.json"
    write_rates(path, by_stage)
    content = json.loads(path.read_text())
    assert content["scales"] == [3, 10]
    assert content["machine"]["cores"] >= 1 and content["machine"]["cpu"]
    assert "estimated" in content["shuffled_basis"]
    wikipedia = content["stages"]["wikipedia"]
    assert wikipedia["cpu_s_per_input_mb"] == 2.0  # (65 - 25) / (30 - 10)
    assert wikipedia["written_mb_per_input_mb"] == 0.5  # (16 - 6) / 20
    assert wikipedia["output_mb_per_input_mb"] == 0.45  # (14 - 5) / 20
    assert (wikipedia["peak_rss_mb_worker"], wikipedia["peak_rss_of"]) == (260.0, "launcher")
    # wikipedia writes each dump's parts as it reads it: no document crosses a shuffle
    assert wikipedia["shuffled_mb_per_input_mb"] == 0.0
    assert content["stages"]["shards"]["shuffled_mb_per_input_mb"] == 0.2  # (6 - 2) / 20
    tokenizer = content["stages"]["tokenizer"]
    assert tokenizer["cpu_s_per_input_mb"] == 0.0  # less CPU at the larger scale: noise, kept at 0
    assert tokenizer["written_mb_per_input_mb"] == 0.0

    rates = load_rates(path)
    assert rates.stages["wikipedia"].cpu_s_per_input_mb == 2.0
    assert rates.stages["wikipedia"].reads_raw_inputs
    assert "scales 3/10" in rates.origin()
