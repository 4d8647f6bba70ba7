"""`param`: a dataclass field with its default, its help and the bounds a value must keep.

Every number a manifest gives has a lower and an upper bound (tests/settings walks the
config classes to hold every field to that), so a typo's 10**30 fails at load, not in the
library that gets it half an hour later. The shared upper bounds are the limits below.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable
from typing import Any, Literal

# numpy's RandomState (datasketch's MinHash permutations) and SentencePiece's
# set_random_generator_seed take unsigned 32-bit seeds.
SEED_MAX = 2**32 - 1
# a C `int`: fastText's options, SentencePiece's vocab_size (its model ids are int32)
INT32_MAX = 2**31 - 1
# one size in bytes or characters (a record, a book, a shard, a sample): 1 TiB
BYTES_MAX = 1 << 40
# a count of tokens, documents, steps or entries: 10**15 (LLaMA's 1.4T tokens x 700)
COUNT_MAX = 10**15

# What a path field must name: a file, a folder, or files (globs; each match a file).
PathKind = Literal["file", "folder", "files"]


def param(
    default: Any,
    help: str,  # noqa: A002 - mirrors click's keyword
    *,
    min: float | None = None,  # noqa: A002 - reads as the bound it is
    max: float | None = None,  # noqa: A002
    above: float | None = None,
    below: float | None = None,
    choices: Iterable[Any] | None = None,
    path: PathKind | None = None,
) -> Any:
    """A dataclass field holding `default` (copied per instance when mutable) and its help.

    The bounds (`min`/`max` inclusive, `above`/`below` exclusive) and `choices` are checked
    by `settings.from_mapping` for every value a manifest gives (for a list, each item; for
    a mapping, each value; None passes), so a new field is validated by declaring it.
    `path` says what a path (or each path of a list) must name where it already exists:
    `settings.check_paths` refuses a folder where a file is wanted and the reverse."""
    metadata: dict[str, Any] = {"help": help}
    for name, bound in (("min", min), ("max", max), ("above", above), ("below", below)):
        if bound is not None:
            metadata[name] = bound
    if choices is not None:
        metadata["choices"] = tuple(choices)
    if path is not None:
        metadata["path"] = path
    if isinstance(default, list | dict | set) or dataclasses.is_dataclass(default):
        # each instance its own copy, down to the lists inside a nested section
        return dataclasses.field(default_factory=lambda: copy.deepcopy(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)
