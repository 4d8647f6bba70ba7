"""Every stage's funnel adds up: read = kept + Σ dropped.* + Σ errors.* + Σ merged.*, on the
sample built with and without --keep-dropped; writing the dropped rows changes no count; and
the rows of `<stage>/dropped/` are the dropped counters, reason by reason. The harness's own
check (pipeline/harness/funnel.py) warns in a user's run and fails under the test suite."""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

import pytest

from pipeline.documents import read_documents
from pipeline.harness import funnel
from pipeline.harness.running import check_funnel
from pipeline.registry import source_stage_specs

FUNNEL_STAGES = [spec.name for spec in source_stage_specs() if spec.read_unit]


def counters_of(run_dir: Path, stage: str) -> dict[str, int]:
    return json.loads((run_dir / stage / "_stats.json").read_text())["counters"]


def family(counters: dict[str, int], name: str) -> int:
    return sum(n for key, n in counters.items() if key.startswith(f"{name}."))


def test_every_source_stage_has_a_funnel() -> None:
    # a stage that reads records and declares no unit would escape the check
    assert set(FUNNEL_STAGES) == {
        "arxiv", "books", "c4", "github", "stackexchange", "wikipedia", "ccnet", "commoncrawl",
    }  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("stage", FUNNEL_STAGES)
def test_the_funnel_adds_up_with_and_without_keep_dropped(
    sample_run: Path, sample_run_kept: Path, stage: str
) -> None:
    plain, kept = counters_of(sample_run, stage), counters_of(sample_run_kept, stage)
    for counters in (plain, kept):
        assert counters["read"] > 0 and counters["kept"] > 0
        accounted = counters["kept"] + sum(
            family(counters, name) for name in ("dropped", "errors", "merged")
        )
        assert counters["read"] == accounted, counters
    # writing the dropped rows changes nothing that is counted
    assert plain == kept


@pytest.mark.slow
@pytest.mark.parametrize("stage", FUNNEL_STAGES)
def test_the_dropped_rows_are_the_dropped_counters(sample_run_kept: Path, stage: str) -> None:
    rows = Counter(
        row["reason"] for row in read_documents(str(sample_run_kept / stage / "dropped" / "*"))
    )
    expected = Counter(
        {k.removeprefix("dropped."): n for k, n in counters_of(sample_run_kept, stage).items()
         if k.startswith("dropped.")}
    )  # fmt: skip
    if stage == "commoncrawl":  # its dropped/ also holds ccnet's rows, so one folder has all
        ccnet = counters_of(sample_run_kept, "ccnet")
        expected += Counter(
            {k.removeprefix("dropped."): n for k, n in ccnet.items() if k.startswith("dropped.")}
        )
    assert rows == expected


@pytest.mark.slow
def test_the_commoncrawl_funnel_runs_from_wet_records_to_pages_kept(sample_run: Path) -> None:
    ccnet, commoncrawl = counters_of(sample_run, "ccnet"), counters_of(sample_run, "commoncrawl")
    assert commoncrawl["read"] == ccnet["kept"]
    assert (
        ccnet["read"]
        - family(ccnet, "dropped")
        - family(ccnet, "errors")
        - family(commoncrawl, "dropped")
        == commoncrawl["kept"]
    )


GAP = {"read": 10, "kept": 6, "dropped.short": 2, "errors.malformed_json": 1,
       "warnings.decoded_fallback": 4}  # fmt: skip


def test_a_gap_is_one_line_naming_the_stage_and_the_figures() -> None:
    message = funnel.funnel_gap("github", GAP)
    assert message is not None and "\n" not in message
    assert message.startswith("github: counters do not add up: read 10 (each a JSONL row")
    assert "kept 6 + dropped 2 + errors 1 + merged 0 (+1 records unaccounted)" in message
    # warnings lose no record; a stage without a declared unit has no funnel
    assert funnel.funnel_gap("github", {**GAP, "merged.answer": 1}) is None
    assert funnel.funnel_gap("tokenizer", GAP) is None


def test_a_gap_warns_in_a_users_run_and_fails_under_the_suite(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(funnel.STRICT_ENV, raising=False)
    with caplog.at_level(logging.WARNING, logger="fleece"):
        check_funnel("github", GAP)
    assert [r.getMessage() for r in caplog.records] == [funnel.funnel_gap("github", GAP)]
    monkeypatch.setenv(funnel.STRICT_ENV, "fail")
    with pytest.raises(funnel.FunnelGapError, match="github: counters do not add up"):
        check_funnel("github", GAP)
    check_funnel("github", {**GAP, "dropped.short": 3})  # adds up: silent
