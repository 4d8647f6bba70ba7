"""manifest.json of a shard directory: built from the written shards and the mix plan.

Pure functions over plain data, shared by the mix stage (which writes it) and `fleece verify`
(which recomputes every derived figure from the shard entries and compares).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from pipeline.shards.format import (
    BOS_ID,
    EOS_ID,
    FORMAT,
    HF_TOKENIZER_NAME,
    SPLITS,
    TOKENIZER_NAME,
    ShardInfo,
    token_dtype,
)

CHECKSUM_FIELD = "checksum"


def manifest_checksum(manifest: Mapping[str, Any]) -> str:
    """sha256 of the manifest's content without its checksum field (canonical JSON), so that
    any edit after the mix wrote it is seen, including fields nothing else can be checked
    against (the run manifest, the code version)."""
    body = {k: v for k, v in manifest.items() if k != CHECKSUM_FIELD}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode("ascii")).hexdigest()


def shard_entry(info: ShardInfo, split: str) -> dict[str, Any]:
    """The manifest's entry for a written shard (its file name, split and ShardInfo)."""
    return {
        "file": info.path.rsplit("/", 1)[-1],
        "split": split,
        "sha256": info.sha256,
        "documents": info.documents,
        "tokens": info.tokens,
        "tokens_per_source": info.tokens_per_source,
        "documents_per_source": info.documents_per_source,
        "bytes": info.bytes,
        "max_id": info.max_id,
    }


def split_totals(shards: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Documents and tokens per split, summed over the shard entries."""
    totals = {split: {"documents": 0, "tokens": 0} for split in SPLITS}
    for shard in shards:
        totals[shard["split"]]["documents"] += shard["documents"]
        totals[shard["split"]]["tokens"] += shard["tokens"]
    return totals


def per_source(
    shards: Iterable[Mapping[str, Any]], split: str, field: str = "tokens_per_source"
) -> dict[str, int]:
    """A per-source count (tokens_per_source or documents_per_source) of one split, summed
    over the shard entries."""
    totals: dict[str, int] = {}
    for shard in shards:
        if shard["split"] == split:
            for source, count in shard[field].items():
                totals[source] = totals.get(source, 0) + count
    return dict(sorted(totals.items()))


def mixture(
    shards: list[Mapping[str, Any]],
    shares: Mapping[str, float],
    sources: Mapping[str, Mapping[str, int]],
) -> dict[str, dict[str, Any]]:
    """Per source: target share, achieved share, epochs and counts.

    sources: per source the mix plan's figures: source_tokens and source_documents (unique
    training tokens/documents), val_documents, val_tokens, bytes (UTF-8 text)."""
    train = per_source(shards, "train")
    documents = per_source(shards, "train", "documents_per_source")
    total = sum(train.values())
    out: dict[str, dict[str, Any]] = {}
    for source in sorted(set(shares) | set(train)):
        figures = sources.get(source, {})
        tokens = train.get(source, 0)
        unique = figures.get("source_tokens", 0)
        out[source] = {
            "target": shares.get(source, 0.0),
            "achieved": tokens / total if total else 0.0,
            "epochs": tokens / unique if unique else 0.0,
            "tokens": tokens,
            "documents": documents.get(source, 0),
            **{k: int(v) for k, v in sorted(figures.items())},
        }
    return out


def build_manifest(
    *,
    shards: list[Mapping[str, Any]],
    vocab_size: int,
    tokenizer_sha256: str,
    shares: Mapping[str, float],
    sources: Mapping[str, Mapping[str, int]],
    missing_sources: list[str],
    token_target: int,
    seed: int,
    split_seed: int,
    tolerance: float,
    run_manifest: Mapping[str, Any],
    code_version: str,
    hf_tokenizer_sha256: str | None = None,
) -> dict[str, Any]:
    """The complete manifest.json content (a plain dict; dump with sort_keys).
    hf_tokenizer_sha256: that of the tokenizer.json written beside the shards; None when
    there is none (a model the Hugging Face export cannot reproduce exactly)."""
    ordered = sorted(shards, key=lambda s: (SPLITS.index(s["split"]), s["file"]))
    manifest = {
        "format": FORMAT,
        "vocab_size": vocab_size,
        "bos_id": BOS_ID,
        "eos_id": EOS_ID,
        "dtype": token_dtype(vocab_size).name,
        "tokenizer": {"file": TOKENIZER_NAME, "sha256": tokenizer_sha256},
        "shards": [dict(s) for s in ordered],
        "splits": split_totals(ordered),
        "mixture": mixture(ordered, shares, sources),
        "missing_sources": list(missing_sources),
        "token_target": int(token_target),
        "tolerance": tolerance,
        "seed": seed,
        "split_seed": split_seed,
        "run_manifest": dict(run_manifest),
        "code_version": code_version,
    }
    if hf_tokenizer_sha256 is not None:
        manifest["hf_tokenizer"] = {"file": HF_TOKENIZER_NAME, "sha256": hf_tokenizer_sha256}
    manifest[CHECKSUM_FIELD] = manifest_checksum(manifest)
    return manifest
