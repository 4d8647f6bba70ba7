"""LLaMA's Table 1 for a built corpus, beside the paper's figures: what `fleece report DIR`
prints (the command and the page are in pipeline/report/).

Sampling proportion and epochs are the train shards' (from manifest.json); disk size is the
UTF-8 text of the source's documents (as the paper's column measures the processed text);
tokens are the train shards' tokens (BOS/EOS included). LLaMA's tokens per source are not
in the paper: they are derived as proportion x 1.4T and marked so.
"""

from __future__ import annotations

from typing import Any

from pipeline.declaration import TableOneRow
from pipeline.registry import source_names, sources

LLAMA_TOKENS = 1.4e12


def human(value: float, unit: str = "B") -> str:
    """1234567 -> '1.2 MB' (decimal prefixes, as the paper's TB/GB); counts use K/M/B/T."""
    prefixes = ("", "K", "M", "G", "T", "P") if unit else ("", "K", "M", "B", "T", "P")
    for prefix in prefixes:
        if abs(value) < 1000 or prefix == "P":
            return f"{value:.0f} {prefix}{unit}" if prefix == "" else f"{value:.1f} {prefix}{unit}"
        value /= 1000
    raise AssertionError("unreachable")


def llama_rows() -> dict[str, TableOneRow]:
    """source -> its row of LLaMA's Table 1, for the sources in that table."""
    return {s.name: s.table_one for s in sources() if s.table_one is not None}


def source_label(source: str) -> str:
    return next((s.label for s in sources() if s.name == source), source)


def source_order(manifest: dict[str, Any]) -> list[str]:
    """The sources of the table: the declared order (pipeline/registry.py), then any source
    this installation does not declare, by name."""
    mixture = manifest["mixture"]
    listed = set(mixture) | set(manifest.get("missing_sources", []))
    order = [s for s in source_names() if s in listed]
    return order + sorted(listed - set(order))


def table_rows(manifest: dict[str, Any]) -> list[list[str]]:
    """One row per source (in source_order), plus a total row."""
    mixture = manifest["mixture"]
    llama = llama_rows()
    rows = []
    for source in source_order(manifest):
        name = source_label(source)
        figures = mixture.get(source)
        if figures is None:
            ours = ["missing", "-", "-", "-", "-"]
        else:
            ours = [
                f"{100 * figures['achieved']:.2f}%",
                f"{100 * figures['target']:.2f}%",
                f"{figures['epochs']:.2f}",
                human(figures.get("bytes", 0)),
                human(figures["tokens"], ""),
            ]
        paper = ["not in LLaMA", "-", "-", "-"]
        if source in llama:
            row = llama[source]
            paper = [
                f"{100 * row.share:.1f}%",
                f"{row.epochs:.2f}",
                human(row.disk_bytes),
                "~" + human(row.share * LLAMA_TOKENS, ""),
            ]
        rows.append([name, *ours, *paper])
    train = manifest["splits"]["train"]["tokens"]
    total_bytes = sum(f.get("bytes", 0) for f in mixture.values())
    rows.append(
        [
            "Total",
            "100.00%",
            "",
            "",
            human(total_bytes),
            human(train, ""),
            "100.0%",
            "",
            human(sum(row.disk_bytes for row in llama.values())),
            human(LLAMA_TOKENS, ""),
        ]
    )
    return rows


HEADER = [
    "Dataset", "Sampling prop.", "Target", "Epochs", "Disk size", "Tokens",
    "LLaMA prop.", "LLaMA epochs", "LLaMA disk", "LLaMA tokens*",
]  # fmt: skip


def format_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = []
    for index, row in enumerate([HEADER, *rows]):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if index == 0 or index == len(rows) - 1:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
