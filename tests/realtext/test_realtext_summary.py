"""The JSON line `make realtext` prints per source, from the stages' _stats.json."""

from __future__ import annotations

import json
from pathlib import Path

from realtext.summary import source_counters, stage_counters, summary_line


def write_stats(run_dir: Path, stage: str, counters: dict[str, int]) -> None:
    (run_dir / stage).mkdir(parents=True)
    stats = {"counters": counters, "histograms": {"chars.64": 3}, "stage": stage}
    (run_dir / stage / "_stats.json").write_text(json.dumps(stats))


def test_only_the_counters_of_the_scheme_are_shown(tmp_path: Path) -> None:
    write_stats(tmp_path, "github", {"read": 9, "kept": 5, "dropped.license": 3,
                                     "errors.malformed_json": 1, "bytes.read": 90,
                                     "bytes.kept": 50, "bytes.compressed": 40, "files.read": 2,
                                     "readers": 4, "lines.removed": 7, "merged.answer": 2,
                                     "warnings.decoded_fallback": 1})  # fmt: skip
    assert stage_counters(tmp_path, "github") == {
        "bytes.kept": 50, "bytes.read": 90, "dropped.license": 3, "errors.malformed_json": 1,
        "kept": 5, "lines.removed": 7, "merged.answer": 2, "read": 9,
        "warnings.decoded_fallback": 1,
    }  # fmt: skip


def test_a_stage_that_did_not_run_gives_no_counters(tmp_path: Path) -> None:
    assert stage_counters(tmp_path, "books") == {}


def test_a_sources_other_stages_are_prefixed_with_their_name(tmp_path: Path) -> None:
    write_stats(tmp_path, "ccnet", {"read": 10, "lines.removed": 4})
    write_stats(tmp_path, "commoncrawl", {"kept": 3, "dropped.tail": 2})
    counters = source_counters(tmp_path, "commoncrawl", ["lm", "ccnet", "refclf", "commoncrawl"])
    assert counters == {"ccnet.read": 10, "ccnet.lines.removed": 4, "kept": 3, "dropped.tail": 2}


def test_the_line_is_one_json_object_with_the_source_first() -> None:
    line = summary_line("github", {"read": 2, "kept": 1}, {"duplicate_copies_kept": 0})
    assert "\n" not in line
    assert line.startswith('{"source": "github"')
    assert json.loads(line) == {"source": "github", "read": 2, "kept": 1,
                                "checks": {"duplicate_copies_kept": 0}}  # fmt: skip
