"""`fleece report RUN_DIR --html OUT.html`: the corpus report as one self-contained page.

The page needs nothing at view time: figures are inline SVG (plots.py), the style sheet is
inline, there is no script and no font or image to fetch. It holds, in this order: the
mixture achieved beside LLaMA's Table 1 (the terminal report's table, each figure also in a
`data-value` attribute as manifest.json has it), tokens per shard, per stage its funnel,
documents and bytes, lengths, languages (and for commoncrawl the perplexity histograms
with their cutoffs and the wiki_prob histogram with its threshold), a few sampled
documents per source with the `fleece show` command that prints each whole, and with
`--train` the training run's curves. All text from the run is escaped. The same run gives
the same bytes: nothing in the page depends on the clock, the host or the order files are
listed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median_high
from typing import Any

from pipeline import io
from pipeline.report import plots
from pipeline.report.elements import (
    BYTE_UNIT,
    Page,
    escape,
    megabytes,
    sample_article,
    table,
)
from pipeline.report.samples import SHOWN_CHARS, sample_documents
from pipeline.report.stages import stages_section
from pipeline.report.statistics import Training, read_stages, read_training, shards
from pipeline.shards.format import load_manifest
from pipeline.shards.report import HEADER, llama_rows, source_order, table_rows

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.5rem; }
h3 { margin-top: 2rem; }
nav#contents ol { margin: .3rem 0; padding-left: 1.4rem; }
nav#contents li ol { display: inline; padding: 0; } nav#contents li li { display: inline; }
nav#contents li li a { margin-right: .6rem; }
.tables { display: flex; flex-wrap: wrap; gap: 0 2rem; align-items: flex-start; }
table { border-collapse: collapse; margin: .8rem 0; font-size: 13px; }
th, td { padding: .2rem .55rem; border-bottom: 1px solid #e4e4e4; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.total td { font-weight: 600; border-top: 1px solid #999; }
table.funnel td:last-child, table.counters td:last-child { text-align: left; }
details summary { cursor: pointer; margin: .8rem 0; }
.figure svg { max-width: 100%; height: auto; display: block; margin: .6rem 0; }
.note { color: #666; font-size: 13px; }
code { background: #f3f3f3; padding: 0 .2rem; border-radius: 3px; font-size: 13px; }
article.sample { border: 1px solid #ddd; border-radius: 4px; margin: .8rem 0; padding: .5rem .8rem; }
article.sample pre { white-space: pre-wrap; word-break: break-word; max-height: 14rem;
                     overflow: auto; background: #fafafa; padding: .5rem; font-size: 12px; }
"""


@dataclass(frozen=True)
class RunPaths:
    run_dir: str  # the folder holding the stages' outputs
    shards_dir: str  # the folder holding manifest.json


def run_paths(directory: str) -> RunPaths:
    """A run directory or its shards/ directory, either way round."""
    directory = directory.rstrip("/") or "/"
    if io.exists(io.join(directory, "manifest.json")):
        parent = directory.rsplit("/", 1)[0] if "/" in directory else "."
        return RunPaths(run_dir=parent, shards_dir=directory)
    return RunPaths(run_dir=directory, shards_dir=io.join(directory, "shards"))


# the columns of our figures in table_rows, and the manifest.json fields they show
MIXTURE_FIELDS = {1: "achieved", 2: "target", 3: "epochs", 4: "bytes", 5: "tokens"}
# the byte columns (ours, LLaMA's), printed in the page's one byte unit
DISK, LLAMA_DISK = 4, 8


def mixture_header() -> list[str]:
    header = list(HEADER)
    for column in (DISK, LLAMA_DISK):
        header[column] = f"{header[column]} ({BYTE_UNIT})"
    return header


def in_megabytes(manifest: Mapping[str, Any], sources: list[str], rows: list[list[str]]) -> None:
    """The terminal table's byte cells (1.2 MB, 92.0 GB) in the page's one unit."""
    llama = llama_rows()
    mixture = manifest["mixture"]
    for source, row in zip(sources, rows, strict=False):
        if source in mixture:
            row[DISK] = megabytes(mixture[source].get("bytes", 0))
        if source in llama:
            row[LLAMA_DISK] = megabytes(llama[source].disk_bytes)
    total = rows[-1]
    total[DISK] = megabytes(sum(f.get("bytes", 0) for f in mixture.values()))
    total[LLAMA_DISK] = megabytes(sum(row.disk_bytes for row in llama.values()))


def mixture_table(manifest: Mapping[str, Any]) -> str:
    """The terminal report's table; each of our figures carries manifest.json's value."""
    rows = table_rows(dict(manifest))
    sources = source_order(dict(manifest))
    in_megabytes(manifest, sources, rows)
    head = "".join(f"<th>{escape(h)}</th>" for h in mixture_header())
    body = []
    for index, row in enumerate(rows):
        source = sources[index] if index < len(sources) else None
        figures = manifest["mixture"].get(source) if source else None
        cells = []
        for column, text in enumerate(row):
            field, data = MIXTURE_FIELDS.get(column), ""
            if figures is not None and field is not None:
                data = f' data-field="{field}" data-value="{figures.get(field, 0)!r}"'
            cells.append(f"<td{data}>{escape(text)}</td>")
        attributes = f' data-source="{escape(source)}"' if source else ' class="total"'
        body.append(f"<tr{attributes}>{''.join(cells)}</tr>")
    return (
        f'<table id="mixture-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def mixture_section(page: Page, manifest: Mapping[str, Any]) -> None:
    splits = manifest["splits"]
    page.add(
        '<section id="mixture"><h2>Mixture</h2>',
        f"<p>Training split: {splits['train']['documents']:,} documents, "
        f"{splits['train']['tokens']:,} tokens (target {manifest['token_target']:,}); "
        f"validation: {splits['val']['documents']:,} documents, {splits['val']['tokens']:,} "
        "tokens. Sampling proportion and epochs are the training shards'; disk size is the "
        f"UTF-8 text of the source's documents, in {BYTE_UNIT} (10<sup>6</sup> bytes).</p>",
        mixture_table(manifest),
        '<p class="note">* LLaMA tokens per source = proportion × 1.4T (the paper gives only '
        "the total).</p>",
    )
    if manifest.get("missing_sources"):
        missing = ", ".join(manifest["missing_sources"])
        page.add(f"<p>Missing sources (ratios renormalised over the rest): {escape(missing)}</p>")
    llama = llama_rows()
    bars = [
        (
            source,
            figures["achieved"],
            figures["target"],
            llama[source].share if source in llama else 0.0,
        )
        for source in source_order(dict(manifest))
        if (figures := manifest["mixture"].get(source)) is not None
    ]
    page.figure("mixture", plots.mixture("mixture", bars))
    page.add("</section>")


def shards_section(page: Page, manifest: Mapping[str, Any]) -> None:
    listed = shards(manifest)
    page.add(
        '<section id="shards"><h2>Shards</h2>',
        f"<p>{len(listed)} shards ({sum(s.split == 'train' for s in listed)} train, "
        f"{sum(s.split == 'val' for s in listed)} validation), vocabulary "
        f"{manifest['vocab_size']:,}, token ids as {escape(manifest['dtype'])}.</p>",
    )
    page.figure("shard-tokens", plots.shard_tokens("shard-tokens", listed))
    page.add(
        table(
            ["Shard", "Split", "Documents", "Tokens"],
            ([s.file, s.split, f"{s.documents:,}", f"{s.tokens:,}"] for s in listed),
        ),
        "</section>",
    )


def samples_section(page: Page, run_dir: str, sources: list[str], seed: int) -> None:
    page.add(
        '<section id="samples"><h2>Sampled documents</h2>',
        f"<p>Three documents per source, drawn by a hash of the seed ({seed}) and their ids; "
        f"the first {SHOWN_CHARS} characters of each, and the command that prints it "
        "whole (from the run directory).</p>",
    )
    for source in sources:
        samples = sample_documents(io.join(run_dir, source), seed)
        if not samples:
            continue
        page.add(f'<h3 id="samples-{escape(source)}">{escape(source)}</h3>')
        for sample in samples:
            page.add(*sample_article(sample, run_dir))
    page.add("</section>")


def source_losses(page: Page, curves: Training) -> None:
    """Each source's validation loss beside the overall one, and the tokens it was measured
    on (a small source's loss rests on few)."""
    if not curves.val_sources:
        return
    page.figure("val-loss-sources", plots.source_losses("val-loss-sources", curves))
    rows = [
        [source, f"{points[-1][1]:.4f}", f"{curves.val_tokens.get(source, 0):,}"]
        for source, points in curves.val_sources.items()
    ]
    page.add(table(["Source", "Last validation loss", "Validation tokens"], rows))


def training_section(page: Page, train_dir: str, curves: Training) -> None:
    # the run's folder name only: the page names no absolute path but the run directory's
    name = train_dir.rstrip("/").rsplit("/", 1)[-1]
    page.add('<section id="training"><h2>Training</h2>')
    if not curves.steps:
        page.add(f"<p>{escape(name)}: no training step recorded yet.</p></section>")
        return
    facts = [f"{curves.steps[-1]:,} steps", f"last training loss {curves.loss[-1]:.4f}"]
    if curves.val_loss:
        facts.append(f"last validation loss {curves.val_loss[-1]:.4f}")
    facts.append(f"median {median_high(curves.tokens_per_s):,.0f} tokens/s")
    measured = [m for m in curves.mfu if m is not None]
    facts.append(
        f"median MFU {100 * median_high(measured):.1f}%"
        if measured
        else "MFU not measured (no claimed peak for this device, e.g. a CPU)"
    )
    page.add(f"<p>Run <code>{escape(name)}</code>: {', '.join(facts)}.</p>")
    page.figure("loss", plots.losses("loss", curves))
    source_losses(page, curves)
    page.figure("throughput", plots.throughput("throughput", curves))
    if curves.measured_mfu:
        page.figure("mfu", plots.utilisation("mfu", curves))
    page.add("</section>")


SECTION_TITLES = {
    "mixture": "Mixture", "shards": "Shards", "stages": "Stages",
    "samples": "Sampled documents", "training": "Training",
}  # fmt: skip


def contents(sections: list[str], stage_names: list[str]) -> str:
    """The table of contents: each section, and under Stages each stage."""
    items = []
    for section in sections:
        link = f'<a href="#{section}">{SECTION_TITLES[section]}</a>'
        if section == "stages" and stage_names:
            stages = "".join(
                f'<li><a href="#stage-{escape(name)}">{escape(name)}</a></li>'
                for name in stage_names
            )
            link += f": <ol>{stages}</ol>"
        items.append(f"<li>{link}</li>")
    return f'<nav id="contents"><b>Contents</b><ol>{"".join(items)}</ol></nav>'


def render(directory: str, train_dir: str | None = None) -> str:
    """The report's HTML for a run directory (or its shards/), with a training run's curves."""
    paths = run_paths(directory)
    manifest = (
        load_manifest(paths.shards_dir)
        if io.exists(io.join(paths.shards_dir, "manifest.json"))
        else None
    )
    stages = read_stages(paths.run_dir)
    if manifest is None and not stages:
        raise FileNotFoundError(f"{directory}: neither a run directory nor shards (no _stats.json)")
    curves = read_training(train_dir) if train_dir else None
    seed = int(manifest.get("seed", 0)) if manifest else 0
    page = Page()
    sections = ["mixture", "shards"] if manifest else []
    sections += ["stages"] if stages else []
    sections += ["samples"] if manifest else []
    sections += ["training"] if curves else []
    # the title names the run's folder; its one absolute path is the line below the heading
    title = f"fleece corpus report: {paths.run_dir.rstrip('/').rsplit('/', 1)[-1]}"
    page.add(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',  # no favicon request
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
    )
    about = f'Run <code id="run-dir">{escape(paths.run_dir)}</code>'
    if manifest:
        about += f"; code version <code>{escape(manifest.get('code_version', ''))}</code>"
    page.add(f"<h1>Corpus report</h1><p>{about}.</p>")
    page.add(contents(sections, [stage.name for stage in stages]))
    if manifest:
        mixture_section(page, manifest)
        shards_section(page, manifest)
    if stages:
        stages_section(page, stages, paths.run_dir, seed)
    if manifest:
        samples_section(page, paths.run_dir, source_order(manifest), seed)
    if curves is not None and train_dir is not None:
        training_section(page, train_dir, curves)
    page.add("</body></html>\n")
    return "\n".join(page.parts)


def write_report(directory: str, out: str, train_dir: str | None = None) -> None:
    """Render the report of `directory` (and of the training run `train_dir`) to `out`."""
    io.write_bytes(out, render(directory, train_dir).encode("utf-8"))
