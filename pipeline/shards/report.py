"""`fleece report DIR`: LLaMA's Table 1 for a built corpus, beside the paper's figures
(`--html OUT.html`: the whole report as a page, pipeline/report/).

Sampling proportion and epochs are the train shards' (from manifest.json); disk size is the
UTF-8 text of the source's documents (as the paper's column measures the processed text);
tokens are the train shards' tokens (BOS/EOS included). LLaMA's tokens per source are not
in the paper: they are derived as proportion x 1.4T and marked so.
"""

from __future__ import annotations

from typing import Any

import click

from pipeline.shards.format import load_manifest

# Touvron et al. 2023, Table 1: sampling proportion, epochs, disk size (bytes).
LLAMA_TABLE_1: dict[str, tuple[str, float, float, float]] = {
    "commoncrawl": ("CommonCrawl", 0.670, 1.10, 3.3e12),
    "c4": ("C4", 0.150, 1.06, 783e9),
    "github": ("Github", 0.045, 0.64, 328e9),
    "wikipedia": ("Wikipedia", 0.045, 2.45, 83e9),
    "books": ("Books", 0.045, 2.23, 85e9),
    "arxiv": ("ArXiv", 0.025, 1.06, 92e9),
    "stackexchange": ("StackExchange", 0.020, 1.03, 78e9),
}
LLAMA_TOKENS = 1.4e12


def human(value: float, unit: str = "B") -> str:
    """1234567 -> '1.2 MB' (decimal prefixes, as the paper's TB/GB); counts use K/M/B/T."""
    prefixes = ("", "K", "M", "G", "T", "P") if unit else ("", "K", "M", "B", "T", "P")
    for prefix in prefixes:
        if abs(value) < 1000 or prefix == "P":
            return f"{value:.0f} {prefix}{unit}" if prefix == "" else f"{value:.1f} {prefix}{unit}"
        value /= 1000
    raise AssertionError("unreachable")


def source_order(manifest: dict[str, Any]) -> list[str]:
    """The sources of the table: LLaMA's order, then any other by name."""
    mixture = manifest["mixture"]
    order = [s for s in LLAMA_TABLE_1 if s in mixture or s in manifest.get("missing_sources", [])]
    return order + sorted(set(mixture) - set(order))


def table_rows(manifest: dict[str, Any]) -> list[list[str]]:
    """One row per source (in source_order), plus a total row."""
    mixture = manifest["mixture"]
    rows = []
    for source in source_order(manifest):
        name, share, epochs, disk = LLAMA_TABLE_1.get(source, (source, 0.0, 0.0, 0.0))
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
        llama = [
            f"{100 * share:.1f}%",
            f"{epochs:.2f}",
            human(disk),
            "~" + human(share * LLAMA_TOKENS, ""),
        ]
        rows.append([name, *ours, *llama])
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
            human(sum(v[3] for v in LLAMA_TABLE_1.values())),
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


def shards_directory(directory: str) -> str:
    """DIRECTORY itself when it holds manifest.json, else its `shards/` (a run directory)."""
    from pipeline import io

    if io.exists(io.join(directory, "manifest.json")):
        return directory
    inner = io.join(directory, "shards")
    return inner if io.exists(io.join(inner, "manifest.json")) else directory


@click.command()
@click.argument("directory")
@click.option(
    "--html",
    "html_out",
    default=None,
    metavar="OUT.html",
    help="write the whole report as one self-contained page: per stage its funnel, lengths "
    "and languages, perplexity and wiki_prob histograms, the mixture, tokens per shard and "
    "sampled documents",
)
@click.option(
    "--train",
    "train_dir",
    default=None,
    metavar="TRAIN_RUN",
    help="with --html: add this training run's loss, validation loss, tokens/s and MFU",
)
def report(directory: str, html_out: str | None, train_dir: str | None) -> None:
    """Print LLaMA's Table 1 for the corpus in DIRECTORY (a shards directory, or a run
    directory with its shards/) beside the paper's figures; with --html, write the whole
    report as a page."""
    if train_dir is not None and html_out is None:
        raise click.UsageError("--train goes with --html (the curves are drawn in the page)")
    if html_out is not None:
        from pipeline.report.html import write_report  # matplotlib: only for the page

        try:
            write_report(directory, html_out, train_dir)
        except (FileNotFoundError, ValueError) as error:  # one line, not a traceback
            raise click.ClickException(str(error)) from None
        click.echo(f"report: {html_out}")
        return
    try:
        manifest = load_manifest(shards_directory(directory))
    except (FileNotFoundError, ValueError) as error:  # one line, not a traceback
        raise click.ClickException(str(error)) from None
    click.echo(format_table(table_rows(manifest)))
    splits = manifest["splits"]
    click.echo(
        f"\ntrain: {splits['train']['documents']:,} documents, {splits['train']['tokens']:,} tokens"
        f" (target {manifest['token_target']:,}); val: {splits['val']['documents']:,} documents,"
        f" {splits['val']['tokens']:,} tokens; {len(manifest['shards'])} shards"
    )
    if manifest.get("missing_sources"):
        click.echo(
            f"missing sources (ratios renormalised over the rest): {', '.join(manifest['missing_sources'])}"
        )
    click.echo("* LLaMA tokens per source = proportion x 1.4T (the paper gives only the total).")
