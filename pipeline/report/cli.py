"""`fleece report DIR`: LLaMA's Table 1 for a built corpus beside the paper's figures
(pipeline/shards/report.py); `--html OUT.html`: the whole report as a page (html.py)."""

from __future__ import annotations

from typing import Any

import click

from pipeline.shards.format import join, load_manifest
from pipeline.shards.report import format_table, table_rows


def load_shards_manifest(directory: str) -> dict[str, Any]:
    """The manifest.json of DIRECTORY, or of its `shards/` when DIRECTORY is a run directory
    (the error names DIRECTORY's when neither has one)."""
    try:
        return load_manifest(directory)
    except FileNotFoundError as missing:
        try:
            return load_manifest(join(directory, "shards"))
        except FileNotFoundError:
            raise missing from None


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
        # lazy: the page's plots load matplotlib (and Beam, to read stages); the table needs neither
        from pipeline.report.html import write_report

        try:
            write_report(directory, html_out, train_dir)
        except (FileNotFoundError, ValueError) as error:  # one line, not a traceback
            raise click.ClickException(str(error)) from None
        click.echo(f"report: {html_out}")
        return
    try:
        manifest = load_shards_manifest(directory)
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
