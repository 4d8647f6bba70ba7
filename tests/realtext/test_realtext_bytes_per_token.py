"""Bytes per token per source on real text (realtext/bytes_per_token.py): the kept text's
bytes, and the inputs as listed by `fleece plan`, over the tokens of the documents kept."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import load_manifest_text
from realtext.bytes_per_token import source_figures


def test_input_bytes_as_stored_over_tokens_of_the_kept_text(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "a.json.gz").write_bytes(b"x" * 600)  # the inputs as stored: 600 + 300 bytes
    (inputs / "b.json.gz").write_bytes(b"y" * 300)
    run_dir = tmp_path / "run"
    (run_dir / "c4").mkdir(parents=True)
    kept = {"id": ["c4/1", "c4/2"], "text": ["one two three", "four"], "meta": ["{}", "{}"]}
    pq.write_table(pa.table(kept), run_dir / "c4" / "part-00000.parquet")
    run = load_manifest_text(
        f"run_dir: {run_dir}\nsources:\n  c4:\n    built_inputs: ['{inputs}/*.json.gz']\n"
    )
    # one token a word: 4 tokens kept
    figures = source_figures(run, run_dir, "c4", lambda texts: [t.split() for t in texts])
    assert figures == {
        "text_bytes_per_token": 4.25,  # "one two three" + "four": 13 + 4 bytes / 4 tokens
        "input_bytes_per_token": 225.0,  # 900 bytes / 4 tokens
        "input_bytes": 900,
        "input_files": 2,
        "documents": 2,
        "text_bytes": 17,
        "tokens": 4,
    }
