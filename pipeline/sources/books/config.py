"""Parameters of the books stage (Gutenberg and Books3; LLaMA §2: book-level dedup at 90%)."""

from __future__ import annotations

import dataclasses

from settings import param


@dataclasses.dataclass
class BooksConfig:
    inputs: list[str] = param(
        [], "book texts: Gutenberg .txt and Books3 .txt or JSONL (globs; any Beam path)"
    )
    books3_inputs: list[str] = param(
        [], "inputs known to be Books3 (otherwise told apart by the Gutenberg licence markers)"
    )
