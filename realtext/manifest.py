"""The one manifest of a real-text run: every source's section, settings for a small corpus.

Each source module returns its own section (`inputs` and whatever its inputs need); the
settings here go beneath it (a source's own keys win) and fit a corpus of a few MB, where
the defaults are for terabytes:
- commoncrawl's language model trains on the run's English Wikipedia, which is a few hundred
  real articles here (the default asks for 1M characters), and the reference classifier is
  off: a handful of real pages cite no Wikipedia article often enough to train it;
- the tokenizer's vocabulary and sample fit a few MB of text; real code and many scripts
  hold thousands of distinct characters, which a vocabulary must cover unless the rarest
  fall back to bytes (a coverage of 0.9995 instead of 0.99995);
- the shards' token target is small and the tolerance wide: one real book or source file is
  a large share of a small corpus, so LLaMA's ratios cannot be met within 1 point.
The manifest is loaded with fleece's own configuration classes before it is written, so a
wrong key fails here, naming the key, and not in the middle of the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from pipeline.config import load_manifest_text

SOURCE_SETTINGS: dict[str, dict[str, Any]] = {
    "commoncrawl": {
        "lm": {"min_characters": 50_000, "vocab_size": 4000},
        "reference_classifier": {"enabled": False},
    },
}
RUN_SETTINGS: dict[str, Any] = {
    "seed": 0,
    "tokenizer": {"vocab_size": 8000, "character_coverage": 0.9995, "sample_bytes": 20_000_000},
    "shards": {"shard_bytes": 2_000_000, "token_target": 1_000_000, "tolerance": 0.1},
}


def merged(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `over`'s keys put in, mappings merged key by key, anything else replaced."""
    result = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def run_manifest(run_dir: Path, sections: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The manifest of a run in `run_dir` over the sources of `sections` (source -> the
    section its module returned)."""
    sources = {
        name: merged(SOURCE_SETTINGS.get(name, {}), section) for name, section in sections.items()
    }
    return {"run_dir": str(run_dir), **RUN_SETTINGS, "sources": sources}


def manifest_text(manifest: Mapping[str, Any]) -> str:
    """The manifest as YAML, once fleece's configuration accepts it (ConfigError if not)."""
    text = yaml.safe_dump(dict(manifest), sort_keys=False, allow_unicode=True)
    load_manifest_text(text, "realtext manifest")
    return text


def sections_of(path: Path) -> dict[str, dict[str, Any]]:
    """The source sections of a manifest written before (for --keep); {} if there is none."""
    if not path.is_file():
        return {}
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")).get("sources") or {})
