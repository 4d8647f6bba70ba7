"""Parameters of the stackexchange stage (LLaMA §2: the 28 largest sites, answers by score)."""

from __future__ import annotations

import dataclasses

from pipeline.rules.config import RulesConfig, rules_field
from settings import BYTES_MAX, COUNT_MAX, param


@dataclasses.dataclass
class StackExchangeConfig:
    inputs: list[str] = param(
        [],
        "per-site dumps: <site>.7z archives or extracted Posts.xml (globs; any Beam path)",
        path="files",
    )
    sites: list[str] = param(
        [], "the sites to keep by short name (cooking, stackoverflow); empty: the largest ones"
    )
    max_sites: int = param(
        28,
        "with no `sites` list: keep this many of the given sites, largest by posts",
        min=1,
        max=COUNT_MAX,
    )
    range_bytes: int = param(
        64 << 20,
        "an extracted Posts.xml is read in byte ranges of this size, in parallel",
        min=1,
        max=BYTES_MAX,
    )
    part_bytes: int = param(
        4 << 20,
        "documents whose question row starts in the same this-many bytes of a Posts.xml "
        "share an output part (bounds a writer's memory)",
        min=1,
        max=BYTES_MAX,
    )
    max_row_bytes: int = param(
        16 << 20,
        "a row (line) of Posts.xml longer than this is an error, never held whole",
        min=1,
        max=BYTES_MAX,
    )
    link_urls: bool = param(False, "write a link as `text (url)` instead of its text alone")
    rules: RulesConfig = rules_field()
