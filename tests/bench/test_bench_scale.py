"""The scaling bench's arithmetic and verdict (bench/bench_scale.py), on made-up figures,
and the child-process measure it relies on (bench/processes.py), on `fleece --version`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.bench_scale import (
    input_bytes,
    marginal_rates,
    rate_ratio,
    rss_growth,
    scale_manifest,
    stage_curve,
)
from bench.processes import run_fleece_child


def row(scale: int, mb: float, cpu: float, worker: float = 200.0, launcher: float = 300.0):
    return {
        "scale": scale,
        "input_mb": mb,
        "cpu_s": cpu,
        "peak_rss_mb_worker": worker,
        "peak_rss_mb_launcher": launcher,
    }


def test_marginal_rates_leave_out_the_fixed_cost():
    # 5 s of start-up at every scale, then 2 s per MB: the marginal rate is 2, not 5/1+2
    points = [(1.0, 7.0), (10.0, 25.0), (30.0, 65.0)]
    assert marginal_rates(points) == pytest.approx([2.0, 2.0])


def test_an_interval_whose_input_did_not_grow_has_no_rate():
    assert marginal_rates([(3.0, 10.0), (3.0, 12.0), (6.0, 18.0)]) == [None, 2.0]


def test_rate_ratio_is_the_last_interval_over_the_first():
    assert rate_ratio([2.0, 3.0, 3.0]) == pytest.approx(1.5)
    assert rate_ratio([2.0]) is None  # two scales: one interval, no ratio
    assert rate_ratio([None, 3.0]) is None
    assert rate_ratio([0.0, 3.0]) is None  # CPU noise over no work


def test_rss_growth_is_the_workers_unless_no_worker_ran():
    assert rss_growth([row(10, 1, 1, worker=200), row(300, 30, 9, worker=500)]) == (
        pytest.approx(2.5),
        "worker",
    )
    no_worker = [row(10, 1, 1, worker=0, launcher=100), row(300, 30, 9, worker=0, launcher=120)]
    assert rss_growth(no_worker) == (pytest.approx(1.2), "launcher")


def test_a_linear_stage_is_within_the_limits():
    rows = [row(10, 10, 25), row(100, 100, 205, worker=210), row(300, 300, 605, worker=250)]
    curve = stage_curve("github", rows)
    assert curve["marginal_cpu_s_per_mb"] == [2.0, 2.0]
    assert curve["within_limits"] and curve["over"] == []


def test_a_stage_over_either_limit_is_named_with_the_limit():
    # 2 s/MB, then 4 s/MB (a sort's n log n would do it); workers' RSS from 200 to 400 MB
    rows = [row(10, 10, 25), row(100, 100, 205), row(300, 300, 1005, worker=400)]
    curve = stage_curve("ccnet", rows)
    assert not curve["within_limits"]
    assert curve["over"] == [
        "marginal CPU s/MB x2.00 (limit 1.3)",
        "peak worker RSS x2.00 (limit 1.5)",
    ]


def test_scale_manifest_sets_the_scale_and_run_dir_and_leaves_the_base_alone(tmp_path):
    base = {"run_dir": "runs/sample", "sample": {"enabled": True, "scale": 1}, "seed": 0}
    manifest = scale_manifest(base, 100, tmp_path / "scale-100")
    assert manifest["sample"] == {"enabled": True, "scale": 100}
    assert manifest["run_dir"] == str(tmp_path / "scale-100")
    assert base["sample"]["scale"] == 1 and base["run_dir"] == "runs/sample"


def write_stage(run_dir: Path, stage: str, counters: dict, outputs: list[tuple[str, int]]):
    folder = run_dir / stage
    folder.mkdir(parents=True)
    (folder / "_stats.json").write_text(json.dumps({"counters": counters, "stage": stage}))
    success = {"outputs": [[name, size, 0, "sha256:0"] for name, size in outputs]}
    (folder / "_SUCCESS").write_text(json.dumps(success))


def test_input_bytes_of_a_source_stage_sample_and_downstream_stage(tmp_path):
    write_stage(tmp_path, "sample", {"bytes.written": 900}, [])
    write_stage(tmp_path, "ccnet", {"bytes.stored": 4000, "bytes.read": 9000}, [
        ("_stats.json", 500), ("part-00000.parquet", 1000), ("part-00001.parquet", 200),
        ("errors/part-00000.parquet", 70), ("dropped/part-00000.parquet", 3000),
    ])  # fmt: skip
    write_stage(tmp_path, "refclf", {"positives.cited": 4}, [("model.bin", 50)])
    write_stage(tmp_path, "commoncrawl", {"kept": 3}, [])
    assert input_bytes(tmp_path, "sample", ()) == (900, "bytes.written")
    assert input_bytes(tmp_path, "ccnet", ("lm",)) == (4000, "bytes.stored")
    # what ccnet and refclf committed for others to read: not its stats, errors or drops
    assert input_bytes(tmp_path, "commoncrawl", ("ccnet", "refclf")) == (
        1250,
        "upstream outputs",
    )


def test_run_fleece_child_measures_cpu_and_fails_in_one_line():
    run = run_fleece_child(["--version"])
    assert run.cpu_seconds > 0 and run.seconds >= run.cpu_seconds / 4
    assert run.worker_kib == 0  # no Beam worker for --version
    with pytest.raises(RuntimeError, match=r"fleece no-such-command failed"):
        run_fleece_child(["no-such-command"])
