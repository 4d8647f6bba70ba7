"""The seven sources of the LLaMA mixture (Touvron et al. 2023, Table 1), one package each.

This tuple is the one place their names live: stage names, `Document.source`, id prefixes,
mixture keys and the shards' source column all use them. Each source's package holds its
`config.py` (no Beam), the reader of its format, its rules and its `stage.py`.
"""

SOURCES: tuple[str, ...] = (
    "commoncrawl",
    "c4",
    "github",
    "wikipedia",
    "books",
    "arxiv",
    "stackexchange",
)
