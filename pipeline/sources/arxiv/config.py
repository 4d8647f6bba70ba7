"""Parameters of the arxiv stage (LaTeX sources; LLaMA §2, RedPajama v1's cleaner, fixed)."""

from __future__ import annotations

import dataclasses

from settings import param


@dataclasses.dataclass
class ArxivConfig:
    inputs: list[str] = param([], "arXiv bulk source tarballs (.tar; globs; any Beam path)")
