"""`param`: a dataclass field with its default, its help and the bounds a value must keep."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable
from typing import Any


def param(
    default: Any,
    help: str,  # noqa: A002 - mirrors click's keyword
    *,
    min: float | None = None,  # noqa: A002 - reads as the bound it is
    max: float | None = None,  # noqa: A002
    above: float | None = None,
    below: float | None = None,
    choices: Iterable[Any] | None = None,
) -> Any:
    """A dataclass field holding `default` (copied per instance when mutable) and its help.

    The bounds (`min`/`max` inclusive, `above`/`below` exclusive) and `choices` are checked
    by `settings.from_mapping` for every value a manifest gives (for a list, for each item;
    None passes), so a new field is validated by declaring it."""
    metadata: dict[str, Any] = {"help": help}
    for name, bound in (("min", min), ("max", max), ("above", above), ("below", below)):
        if bound is not None:
            metadata[name] = bound
    if choices is not None:
        metadata["choices"] = tuple(choices)
    if isinstance(default, list | dict | set) or dataclasses.is_dataclass(default):
        # each instance its own copy, down to the lists inside a nested section
        return dataclasses.field(default_factory=lambda: copy.deepcopy(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)
