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

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import median_high
from typing import Any

from pipeline import io
from pipeline.counters import UNKNOWN_TEMPLATES
from pipeline.registry import sources
from pipeline.report import plots
from pipeline.report.samples import SHOWN_CHARS, sample_documents
from pipeline.report.statistics import (
    StageStatistics,
    Training,
    read_stages,
    read_training,
    shards,
)
from pipeline.rules.document import REASONS as GENERIC_REASONS
from pipeline.shards.format import load_manifest
from pipeline.shards.report import (
    HEADER,
    human,
    llama_rows,
    source_order,
    table_rows,
)

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.5rem; }
h3 { margin-top: 2rem; }
nav a { margin-right: .8rem; }
.tables { display: flex; flex-wrap: wrap; gap: 0 2rem; align-items: flex-start; }
table { border-collapse: collapse; margin: .8rem 0; font-size: 13px; }
th, td { padding: .2rem .55rem; border-bottom: 1px solid #e4e4e4; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.total td { font-weight: 600; border-top: 1px solid #999; }
.figure svg { max-width: 100%; height: auto; display: block; margin: .6rem 0; }
.note { color: #666; font-size: 13px; }
code { background: #f3f3f3; padding: 0 .2rem; border-radius: 3px; font-size: 13px; }
article.sample { border: 1px solid #ddd; border-radius: 4px; margin: .8rem 0; padding: .5rem .8rem; }
article.sample pre { white-space: pre-wrap; word-break: break-word; max-height: 14rem;
                     overflow: auto; background: #fafafa; padding: .5rem; font-size: 12px; }
"""


def escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


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


class Page:
    """The page's parts in order; each figure has a name unique in the page."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, *parts: str) -> None:
        self.parts.extend(parts)

    def figure(self, name: str, svg: str) -> None:
        self.add(f'<div class="figure" data-figure="{escape(name)}">{svg}</div>')


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# the columns of our figures in table_rows, and the manifest.json fields they show
MIXTURE_FIELDS = {1: "achieved", 2: "target", 3: "epochs", 4: "bytes", 5: "tokens"}


def mixture_table(manifest: Mapping[str, Any]) -> str:
    """The terminal report's table; each of our figures carries manifest.json's value."""
    rows = table_rows(dict(manifest))
    sources = source_order(dict(manifest))
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADER)
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
        "UTF-8 text of the source's documents.</p>",
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
        _table(
            ["Shard", "Split", "Documents", "Tokens"],
            ([s.file, s.split, f"{s.documents:,}", f"{s.tokens:,}"] for s in listed),
        ),
        "</section>",
    )


def stages_overview(stages: list[StageStatistics]) -> str:
    rows = []
    for stage in stages:
        funnel, c = stage.funnel, stage.counters
        if funnel.read is None and funnel.kept is None:
            continue
        rows.append(
            [
                stage.name,
                "" if funnel.read is None else f"{funnel.read:,}",
                "" if funnel.kept is None else f"{funnel.kept:,}",
                f"{sum(funnel.dropped.values()):,}",
                f"{sum(funnel.errors.values()):,}",
                human(c["bytes.stored"]) if "bytes.stored" in c else "",
                human(c["bytes.read"]) if "bytes.read" in c else "",
                human(c["bytes.kept"]) if "bytes.kept" in c else "",
            ]
        )
    # bytes.read is the text parsed and bytes.kept the text written, so the two compare;
    # what the input files take on disk (compressed) stands apart
    header = ["Stage", "Read", "Kept", "Dropped", "Errors", "Stored", "Text read", "Text kept"]
    return _table(header, rows)


@dataclass(frozen=True)
class StageDeclaration:
    """What a stage's source declares about its counters: what one record read is, and what
    each of its drop and error reasons means."""

    read_unit: str
    meanings: Mapping[str, str]


def stage_declaration(name: str) -> StageDeclaration:
    for source in sources():
        for spec in source.stages:
            if spec.name == name:
                meanings = {
                    **{f"dropped.{r}": m for r, m in GENERIC_REASONS.items()},
                    **{f"dropped.{r}": m for r, m in source.drop_reasons.items()},
                    **{f"errors.{r}": m for r, m in source.error_reasons.items()},
                    **{f"warnings.{r}": m for r, m in source.warning_reasons.items()},
                }
                return StageDeclaration(spec.read_unit, meanings)
    return StageDeclaration("", {})  # a stage every source feeds, or one not installed here


TOP_UNKNOWN_TEMPLATES = 50


def stage_section(page: Page, stage: StageStatistics) -> None:
    name = stage.name
    page.add(f'<section id="stage-{escape(name)}"><h3>{escape(name)}</h3>')
    funnel = stage.funnel
    if funnel.steps():
        page.figure(f"{name}-funnel", plots.funnel(f"{name}-funnel", name, funnel))
    if stage.lengths:
        page.figure(f"{name}-lengths", plots.lengths(f"{name}-lengths", name, stage.lengths))
    languages = stage.languages
    if len(languages) > 1:
        page.figure(f"{name}-languages", plots.languages(f"{name}-languages", name, languages))
    elif languages:
        (language,) = languages
        page.add(f"<p>Language of every document kept: {escape(language)}.</p>")
    cutoffs = stage.cutoffs
    for language, bins in stage.perplexities.items():
        figure = f"{name}-perplexity-{language}"
        page.figure(figure, plots.perplexity(figure, name, language, bins, cutoffs.get(language)))
    # the threshold the stage applied, as it recorded it (runs of older code did not)
    if stage.wiki_probs and "min_wiki_prob" in stage.figures:
        figure = f"{name}-wiki-prob"
        threshold = stage.figures["min_wiki_prob"]
        page.figure(figure, plots.wiki_prob(figure, name, stage.wiki_probs, threshold))
    declared = stage_declaration(name)
    if declared.read_unit:
        page.add(f"<p>One record read is one {escape(declared.read_unit)}.</p>")
    # per-name counts of the templates a stage's cleaner did not know (the Wikipedia stage's
    # long tail, thousands of names on a real dump): the most frequent in a table of their own
    unknown = sorted(
        ((k.removeprefix(UNKNOWN_TEMPLATES), v) for k, v in stage.counters.items()
         if k.startswith(UNKNOWN_TEMPLATES)),
        key=lambda item: (-item[1], item[0]),
    )  # fmt: skip
    counters = [
        [key, f"{value:,}", declared.meanings.get(key, "")]
        for key, value in sorted(stage.counters.items())
        if not key.startswith(UNKNOWN_TEMPLATES)
    ]
    figures = [[key, f"{value:g}"] for key, value in sorted(stage.figures.items())]
    shown = [[name, f"{value:,}"] for name, value in unknown[:TOP_UNKNOWN_TEMPLATES]]
    unknown_header = [f"Unknown template (top {TOP_UNKNOWN_TEMPLATES} of {len(unknown)})", "Uses"]
    page.add(
        '<div class="tables">',
        _table(["Counter", "Value", "Meaning"], counters) if counters else "",
        _table(["Figure", "Value"], figures) if figures else "",
        _table(unknown_header, shown) if shown else "",
        "</div></section>",
    )


def stages_section(page: Page, stages: list[StageStatistics]) -> None:
    page.add(
        '<section id="stages"><h2>Stages</h2>',
        "<p>Documents each stage read and kept, why it dropped the others, and the errors it "
        "met, from its <code>_stats.json</code> (counted as the stage ran).</p>",
        stages_overview(stages),
    )
    for stage in stages:
        stage_section(page, stage)
    page.add("</section>")


def samples_section(page: Page, run_dir: str, sources: list[str], seed: int) -> None:
    page.add(
        '<section id="samples"><h2>Sampled documents</h2>',
        f"<p>Three documents per source, drawn by a hash of the seed ({seed}) and their ids; "
        f"the first {SHOWN_CHARS} characters of each, and the command that prints it "
        "whole.</p>",
    )
    for source in sources:
        samples = sample_documents(io.join(run_dir, source), seed)
        if not samples:
            continue
        page.add(f'<h3 id="samples-{escape(source)}">{escape(source)}</h3>')
        for sample in samples:
            shown = sample.text[:SHOWN_CHARS]
            more = len(sample.text) - len(shown)
            about = [f"<b>{escape(sample.id)}</b>"]
            if sample.language:
                about.append(escape(sample.language))
            if sample.url:
                about.append(escape(sample.url))
            about.append(f"{len(sample.text):,} characters")
            page.add(
                f'<article class="sample" data-id="{escape(sample.id)}">',
                f"<p>{' · '.join(about)}</p>",
                f"<pre>{escape(shown)}{f' […{more:,} more characters]' if more else ''}</pre>",
                f"<p>Whole: <code>{escape(sample.show_command)}</code></p>",
                "</article>",
            )
    page.add("</section>")


def training_section(page: Page, train_dir: str, curves: Training) -> None:
    page.add('<section id="training"><h2>Training</h2>')
    if not curves.steps:
        page.add(f"<p>{escape(train_dir)}: no training step recorded yet.</p></section>")
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
    page.add(f"<p>Run <code>{escape(train_dir)}</code>: {', '.join(facts)}.</p>")
    page.figure("loss", plots.losses("loss", curves))
    page.figure("throughput", plots.throughput("throughput", curves))
    if curves.measured_mfu:
        page.figure("mfu", plots.utilisation("mfu", curves))
    page.add("</section>")


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
    page = Page()
    sections = ["mixture", "shards"] if manifest else []
    sections += ["stages"] if stages else []
    sections += ["samples"] if manifest else []
    sections += ["training"] if curves else []
    title = f"fleece corpus report: {paths.run_dir}"
    page.add(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',  # no favicon request
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
    )
    about = f"Run <code>{escape(paths.run_dir)}</code>"
    if manifest:
        about += f"; code version <code>{escape(manifest.get('code_version', ''))}</code>"
    links = "".join(f'<a href="#{s}">{s.capitalize()}</a>' for s in sections)
    page.add(f"<h1>Corpus report</h1><p>{about}.</p><nav>{links}</nav>")
    if manifest:
        mixture_section(page, manifest)
        shards_section(page, manifest)
    if stages:
        stages_section(page, stages)
    if manifest:
        samples_section(page, paths.run_dir, source_order(manifest), int(manifest.get("seed", 0)))
    if curves is not None and train_dir is not None:
        training_section(page, train_dir, curves)
    page.add("</body></html>\n")
    return "\n".join(page.parts)


def write_report(directory: str, out: str, train_dir: str | None = None) -> None:
    """Render the report of `directory` (and of the training run `train_dir`) to `out`."""
    io.write_bytes(out, render(directory, train_dir).encode("utf-8"))
