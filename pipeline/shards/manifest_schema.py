"""The fields of manifest.json with their types and ranges, checked before any value is used.

A manifest is data anybody can edit, so every reader (`fleece verify`, the trainer) first
checks that each field is there, has its type and lies in its range; only then are the
values compared with the shards. Problems name the key path: `shards[2].bytes: expected a
non-negative integer, got -1`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from pipeline.shards.format import SPLITS

# A checker returns None when the value is fine, else what is wrong with it.
Checker = Callable[[Any], "str | None"]

_SHA256 = re.compile(r"[0-9a-f]{64}")
# A source's name is a manifest key (pipeline/declaration.py); the shards may come from a run
# whose sources this installation does not have, so the form is checked, not the name.
_SOURCE_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def count(value: Any) -> str | None:
    if _is_int(value) and value >= 0:
        return None
    return f"expected a non-negative integer, got {_shown(value)}"


def positive(value: Any) -> str | None:
    if _is_int(value) and value > 0:
        return None
    return f"expected a positive integer, got {_shown(value)}"


def integer(value: Any) -> str | None:
    return None if _is_int(value) else f"expected an integer, got {_shown(value)}"


def number(value: Any) -> str | None:
    if (_is_int(value) or isinstance(value, float)) and math.isfinite(value) and value >= 0:
        return None
    return f"expected a non-negative number, got {_shown(value)}"


def share(value: Any) -> str | None:
    problem = number(value)
    if problem is None and value > 1:
        return f"expected a share in [0, 1], got {_shown(value)}"
    return problem


def text(value: Any) -> str | None:
    return None if isinstance(value, str) else f"expected a string, got {_shown(value)}"


def sha256_hex(value: Any) -> str | None:
    if isinstance(value, str) and _SHA256.fullmatch(value):
        return None
    return f"expected 64 lowercase hex digits, got {_shown(value)}"


def one_of(choices: tuple[str, ...]) -> Checker:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and value in choices:
            return None
        return f"expected one of {', '.join(choices)}, got {_shown(value)}"

    return check


def source_name(value: Any) -> str | None:
    if isinstance(value, str) and _SOURCE_NAME.fullmatch(value):
        return None
    return f"expected a source name (lower-case letters, digits, _), got {_shown(value)}"


Spec = Mapping[str, Any]  # field -> Checker, nested Spec, one-element list [Spec], MayLack


@dataclasses.dataclass(frozen=True)
class MayLack:
    """A field a valid manifest may lack (checked by `spec` when present): one that shard
    directories written before it existed do not have, or that is not always written."""

    spec: Any


def problems(value: Any, spec: Any, where: str) -> list[str]:
    """Every way `value` departs from `spec`, each as `key.path: what is wrong`."""
    if callable(spec):
        problem = spec(value)
        return [] if problem is None else [f"{where}: {problem}"]
    if isinstance(spec, list):
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {_shown(value)}"]
        return [p for i, item in enumerate(value) for p in problems(item, spec[0], f"{where}[{i}]")]
    if not isinstance(value, dict):
        return [f"{where}: expected an object, got {_shown(value)}"]
    prefix = f"{where}." if where else ""
    out = [
        f"{prefix}{key}: missing"
        for key, checker in spec.items()
        if key not in value and not isinstance(checker, MayLack)
    ]
    out += [f"{prefix}{key}: unknown field" for key in value if key not in spec]
    for key, checker in spec.items():
        if key in value:
            inner = checker.spec if isinstance(checker, MayLack) else checker
            out += problems(value[key], inner, f"{prefix}{key}")
    return out


def per_source_counts(value: Any) -> str | None:
    """{source: count}."""
    if not isinstance(value, dict):
        return f"expected an object of per-source counts, got {_shown(value)}"
    for key, item in value.items():
        if source_name(key) is not None:
            return f"{source_name(key)}"
        if count(item) is not None:
            return f"{key}: {count(item)}"
    return None


def source_list(value: Any) -> str | None:
    if not isinstance(value, list) or any(source_name(v) is not None for v in value):
        return f"expected a list of source names, got {_shown(value)}"
    return None


def mixture_entries(value: Any) -> str | None:
    if not isinstance(value, dict):
        return f"expected an object keyed by source, got {_shown(value)}"
    for key in value:
        if source_name(key) is not None:
            return f"{source_name(key)}"
    return None


SHARD_ENTRY: Spec = {
    "file": text,
    "split": one_of(SPLITS),
    "sha256": sha256_hex,
    "bytes": count,
    "documents": count,
    "tokens": count,
    "max_id": count,
    "tokens_per_source": per_source_counts,
    "documents_per_source": per_source_counts,
}

MIXTURE_ENTRY: Spec = {
    "target": share,
    "achieved": share,
    "epochs": number,
    "tokens": count,
    "documents": count,
    "source_tokens": count,
    "source_documents": count,
    "val_tokens": count,
    "val_documents": count,
    "bytes": count,
}

_SPLIT_TOTALS: Spec = {"documents": count, "tokens": count}

MANIFEST: Spec = {
    "format": text,
    "vocab_size": positive,
    "bos_id": count,
    "eos_id": count,
    "dtype": one_of(("uint16", "uint32")),
    "tokenizer": {"file": text, "sha256": sha256_hex},
    # tokenizer.json beside the shards: absent from shards written before it was, and for a
    # tokenizer.model the Hugging Face export refuses
    "hf_tokenizer": MayLack({"file": text, "sha256": sha256_hex}),
    "shards": [SHARD_ENTRY],
    "splits": {split: _SPLIT_TOTALS for split in SPLITS},
    "mixture": mixture_entries,
    "missing_sources": source_list,
    "token_target": count,
    "tolerance": share,
    "seed": integer,
    "split_seed": integer,
    "run_manifest": lambda v: None if isinstance(v, dict) else "expected an object",
    "code_version": text,
    "checksum": sha256_hex,
}


def manifest_problems(manifest: Any) -> list[str]:
    """The fields of a parsed manifest.json that are missing, unknown, mistyped or out of range."""
    found = problems(manifest, MANIFEST, "")
    if isinstance(manifest, dict) and isinstance(manifest.get("mixture"), dict):
        for source, entry in manifest["mixture"].items():
            found += problems(entry, MIXTURE_ENTRY, f"mixture.{source}")
    return found
