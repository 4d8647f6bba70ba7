"""The shards load in Hugging Face `datasets` as the README shows: every row, with its id,
source and tokens (BOS + ids + EOS) as the manifest counts them."""

from __future__ import annotations

import json

import pytest

datasets = pytest.importorskip("datasets")


def test_shards_load_as_a_datasets_dataset_dict(mix_run, tmp_path) -> None:
    _, shards = mix_run()
    loaded = datasets.load_dataset(
        "arrow",
        data_files={
            "train": str(shards / "train-*.arrow"),
            "validation": str(shards / "val-*.arrow"),
        },
        cache_dir=str(tmp_path / "hf-cache"),
    )
    manifest = json.loads((shards / "manifest.json").read_text())
    for split, name in (("train", "train"), ("validation", "val")):
        entries = [s for s in manifest["shards"] if s["split"] == name]
        rows = loaded[split]
        assert rows.column_names == ["tokens", "source", "id"]
        assert len(rows) == sum(e["documents"] for e in entries)
        assert sum(len(t) for t in rows["tokens"]) == sum(e["tokens"] for e in entries)
        assert all(t[0] == 1 and t[-1] == 2 for t in rows["tokens"])
    one = datasets.Dataset.from_file(str(shards / "val-00000.arrow"))
    assert one[0]["id"] == loaded["validation"][0]["id"]
