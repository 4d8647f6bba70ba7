"""`fleece plan`'s cost table: core-hours, bytes and wall time per stage from the rates file
`make bench` writes, and bytes per token from the file `make realtext` writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import plan as plan_module
from pipeline import plan_cost
from pipeline.config import load_manifest
from pipeline.harness.stage import all_stages
from pipeline.plan import plan
from pipeline.registry import source
from pipeline.shards.report import llama_rows

ROOT = Path(__file__).resolve().parents[2]
LLAMA = ROOT / "manifests" / "llama-1.4t.yaml"
TABLE_ONE_PERCENT = {
    "commoncrawl": 67.0,
    "c4": 15.0,
    "github": 4.5,
    "wikipedia": 4.5,
    "books": 4.5,
    "arxiv": 2.5,
    "stackexchange": 2.0,
}


def section(output: str, title: str) -> list[list[str]]:
    """The rows (cells split on spaces) of the table under the line starting with `title`."""
    table = output.split(title, 1)[1].split("\n\n", 1)[0]
    return [line.split() for line in table.splitlines()[1:] if line.strip()]


def cost_rows(output: str) -> dict[str, list[str]]:
    """stage -> its cells in the cost table, in order, down to and with the total."""
    rows = {}
    for cells in section(output, "Cost (")[1:]:  # after the column names
        rows[cells[0]] = cells
        if cells[0] == "total":
            return rows
    raise AssertionError(f"no total in the cost table:\n{output}")


def rate(cpu: float, output: float, raw: bool, rss: float = 500.0) -> dict:
    return {
        "input_basis": "bytes.stored" if raw else "upstream outputs",
        "cpu_s_per_input_mb": cpu,
        "written_mb_per_input_mb": output * 2,
        "output_mb_per_input_mb": output,
        "shuffled_mb_per_input_mb": output,
        "peak_rss_mb_worker": rss,
    }


def write_rates(path: Path, stages: dict[str, dict]) -> Path:
    path.write_text(
        json.dumps(
            {
                "scales": [3, 10],
                "machine": {"cpu": "Test CPU 9000", "cores": 2, "python": "3.11", "date": "D"},
                "shuffled_basis": "estimated: test",
                "stages": stages,
            }
        )
    )
    return path


def wikipedia_manifest(tmp_path: Path, size: int) -> Path:
    dump = tmp_path / "dumps" / "enwiki.xml.bz2"
    dump.parent.mkdir(parents=True)
    with open(dump, "wb") as f:
        f.truncate(size)  # a hole: listed, never read
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        f"run_dir: {tmp_path}/run\nsources:\n  wikipedia:\n    inputs: ['{dump}']\n"
        "tokenizer:\n  vocab_size: 32000\n"
    )
    return manifest


def test_plan_of_the_full_recipe_has_seven_sources_and_core_hours_per_stage() -> None:
    result = CliRunner().invoke(plan, [str(LLAMA), "--workers", "100", "--cores-per-worker", "4"])
    assert result.exit_code == 0, result.output
    mixture = {
        cells[0]: float(cells[1].rstrip("%"))
        for cells in section(result.output, "Mixture:")
        if len(cells) == 5 and cells[1].endswith("%")
    }
    assert set(mixture) == set(TABLE_ONE_PERCENT) == set(llama_rows())
    for name, share in mixture.items():
        assert abs(share - TABLE_ONE_PERCENT[name]) <= 0.5, (name, share)
    assert "Cost (rates from" in result.output and "plan_rates.json" in result.output
    table = cost_rows(result.output)
    stages = [stage for stage in table if stage != "total"]
    # every stage the recipe runs, in the stage table's order
    run = load_manifest(str(LLAMA))
    assert stages == [s.name for s in all_stages() if s.name != "sample" and s.enabled(run)]
    core_hours = {  # the total row has no input column
        stage: float(c[1 if stage == "total" else 3].rstrip("*").replace(",", ""))
        for stage, c in table.items()
    }
    assert core_hours["ccnet"] > 0 and core_hours["total"] > 0
    per_stage = sum(hours for stage, hours in core_hours.items() if stage != "total")
    assert abs(core_hours["total"] - per_stage) <= len(stages)  # each rounded to whole hours
    assert "wall time on 100 workers x 4 cores" in result.output


def test_core_hours_wall_time_and_money_follow_from_the_rates(tmp_path: Path) -> None:
    manifest = wikipedia_manifest(tmp_path, 10_000_000_000)  # 10 GB of dump
    rates = write_rates(
        tmp_path / "rates.json",
        {
            # 10,000 MB x 3.6 s/MB = 36,000 core-s = 10 core-hours; 5 GB of documents out
            "wikipedia": rate(3.6, 0.5, raw=True, rss=700),
            # reads wikipedia's 5 GB: 5,000 MB x 7.2 s/MB = 10 core-hours
            "encode": rate(7.2, 0.1, raw=False),
        },
    )
    args = [str(manifest), "--rates", str(rates), "--workers", "5", "--cores-per-worker", "2"]
    result = CliRunner().invoke(plan, [*args, "--price-per-core-hour", "0.05"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Test CPU 9000 (2 cores" in out and "scales 3/10" in out
    rows = cost_rows(out)
    assert rows["wikipedia"][1:4] == ["0.01", "TB", "10"]
    assert rows["wikipedia"][4:8] == ["5.0", "GB", "10.0", "GB"]  # shuffled, written
    assert rows["wikipedia"][8:10] == ["700", "MB"]
    assert rows["encode"][1:4] == ["0.01", "TB", "10"]  # 5 GB shown as 0.005 TB
    assert rows["total"][1] == "20"
    assert "wall time on 5 workers x 2 cores: 2.0 h" in out  # 20 core-hours / 10 cores
    assert "money at 0.05 per core-hour: 1" in out
    assert "no rates for tokenizer, shards: left out of the totals" in out


def test_money_is_shown_only_with_a_price(tmp_path: Path) -> None:
    manifest = wikipedia_manifest(tmp_path, 1_000_000_000)
    rates = write_rates(tmp_path / "rates.json", {"wikipedia": rate(36.0, 0.5, raw=True)})
    result = CliRunner().invoke(plan, [str(manifest), "--rates", str(rates)])
    assert result.exit_code == 0, result.output
    assert "money at" not in result.output
    assert "wall time on 100 workers x 4 cores: 0.0 h" in result.output  # the defaults
    assert list(cost_rows(result.output)) == ["wikipedia", "total"]


def test_a_missing_rates_file_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = wikipedia_manifest(tmp_path, 1_000_000)
    missing = tmp_path / "no-rates.json"
    result = CliRunner().invoke(plan, [str(manifest), "--rates", str(missing)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {missing}: no rates file; `make bench` measures the stages and writes it"
    )
    # without --rates, the plan still prints, its cost section one line
    monkeypatch.setattr(plan_cost, "RATES_FILE", missing)
    result = CliRunner().invoke(plan, [str(manifest)])
    assert result.exit_code == 0, result.output
    cost = [line for line in result.output.splitlines() if line.startswith("Cost")]
    assert cost == [
        f"Cost: {missing}: no rates file; `make bench` measures the stages and writes it"
    ]


def test_bytes_per_token_compose_the_text_measured_on_real_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    measured = tmp_path / "bpt.json"
    measured.write_text(
        json.dumps({"tokenizer": "T32k", "sources": {"wikipedia": {"text_bytes_per_token": 5.0}}})
    )
    monkeypatch.setattr(plan_module, "MEASURED_BYTES_PER_TOKEN", measured)
    wikipedia = source("wikipedia")
    # raw bytes per byte of kept text (published size / Table 1 disk size) x 5.0 measured
    ratio = wikipedia.plan.published_input_bytes / wikipedia.table_one.disk_bytes * 5.0
    manifest = wikipedia_manifest(tmp_path, 10_000_000_000)
    result = CliRunner().invoke(plan, [str(manifest), "--listed-only"])
    assert result.exit_code == 0, result.output
    wiki = next(c for c in section(result.output, "Inputs (") if c[0] == "wikipedia")
    assert wiki[4:6] == [f"{ratio:.1f}", f"{10 / ratio:.1f}"]  # 10 GB / ratio, in B tokens
    note = result.output.split("Bytes/token (raw input bytes per final token): ", 1)[1]
    assert note.startswith("for wikipedia, raw bytes per byte of kept text")
    assert "measured on real text by `make realtext` (bpt.json: T32k)" in note
    assumed = note.split("; for ", 1)[1].split(", ASSUMED from Table 1's tokens", 1)[0]
    assert "commoncrawl" in assumed.split(", ") and "wikipedia" not in assumed
