"""Parameters of the stackexchange stage (LLaMA §2: the 28 largest sites, answers by score)."""

from __future__ import annotations

import dataclasses

from settings import param


@dataclasses.dataclass
class StackExchangeConfig:
    inputs: list[str] = param(
        [], "per-site dumps: <site>.7z archives or extracted Posts.xml (globs; any Beam path)"
    )
