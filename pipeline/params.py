"""`param`: a dataclass field with a default and the one-line help that `fleece config
--defaults` prints beside it. Every stage's configuration dataclass is built from these."""

from __future__ import annotations

import dataclasses
from typing import Any


def param(default: Any, help: str) -> Any:  # noqa: A002 - mirrors click's keyword
    """A dataclass field holding `default` (copied per instance when mutable) and its help."""
    if isinstance(default, list | dict | set):
        return dataclasses.field(
            default_factory=lambda: type(default)(default), metadata={"help": help}
        )
    if dataclasses.is_dataclass(default):
        return dataclasses.field(
            default_factory=lambda: dataclasses.replace(default), metadata={"help": help}
        )
    return dataclasses.field(default=default, metadata={"help": help})
