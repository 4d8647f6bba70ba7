"""`fleece sample OUT`: write the synthetic sample inputs and their ground truth."""

from __future__ import annotations

import os

import click

from pipeline.sample.write import write_sample


def summarize(out_dir: str) -> tuple[list[tuple[str, int]], int]:
    """(relative path, bytes) of every file under `out_dir`, sorted, and the total."""
    rows = []
    for root, dirs, files in os.walk(out_dir):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            rows.append((os.path.relpath(path, out_dir), os.path.getsize(path)))
    return rows, sum(size for _, size in rows)


@click.command()
@click.argument("out", type=click.Path(file_okay=False))
@click.option(
    "--scale",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Multiply document counts (50-100 for benchmarks).",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=int,
    help="Random seed; the same scale and seed give byte-identical files.",
)
@click.option(
    "--only",
    default="",
    help="Comma-separated sources to write (default: all seven), e.g. github for a benchmark.",
)
def sample(out: str, scale: int, seed: int, only: str) -> None:
    """Write deterministic synthetic inputs for all seven sources into OUT, in each real format
    (MediaWiki XML bz2, WET, C4 json.gz, GitHub JSONL, Gutenberg text, arXiv tarballs,
    StackExchange Posts.xml), with planted phenomena and OUT/ground_truth.json."""
    sources = [s.strip() for s in only.split(",") if s.strip()] or None
    try:
        write_sample(out, scale=scale, seed=seed, only=sources)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--only") from None
    rows, total = summarize(out)
    for path, size in rows:
        click.echo(f"{size:>12,}  {path}")
    click.echo(f"{total:>12,}  total in {len(rows)} files")
