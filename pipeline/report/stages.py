"""The report's Stages section: per stage its time, bytes, funnel (read → dropped, errors,
merged → kept), other counters, figures and histograms, and three dropped documents per
drop reason when the run kept them; and the funnel of a source across its stages that count
records (CommonCrawl: from the WET records `ccnet` read to the pages `commoncrawl` kept).

Every counter of a stage's `_stats.json` is shown once, in one table cell that carries it
(`data-stage`, `data-counter`, `data-value`): bytes in the overview, the funnel's in the
stage's funnel table, the rest in its counter table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline import io
from pipeline.counters import BYTES_KEPT, BYTES_READ, BYTES_STORED, UNKNOWN_TEMPLATES
from pipeline.declaration import SourceSpec, StageSpec
from pipeline.harness.funnel import funnel as counted_funnel
from pipeline.registry import sources
from pipeline.report import plots
from pipeline.report.elements import (
    BYTE_UNIT,
    Page,
    escape,
    megabytes,
    sample_article,
    table,
)
from pipeline.report.samples import sample_documents
from pipeline.report.statistics import StageStatistics, step_label
from pipeline.rules.document import REASONS as GENERIC_REASONS

# the overview's byte columns: the text parsed and the text written compare; what the input
# files take as stored (compressed where they are) stands apart
BYTE_COLUMNS = {
    BYTES_READ: f"Text read ({BYTE_UNIT})",
    BYTES_KEPT: f"Text kept ({BYTE_UNIT})",
    BYTES_STORED: f"Input files as stored ({BYTE_UNIT})",
}
TOP_UNKNOWN_TEMPLATES = 50
DROPPED_SHOWN = 3  # documents per drop reason


def counter_cell(stage: str, counter: str, value: int, text: str) -> str:
    """A table cell showing one counter of one stage, which it names in data attributes."""
    return (
        f'<td data-stage="{escape(stage)}" data-counter="{escape(counter)}" '
        f'data-value="{value}">{escape(text)}</td>'
    )


def row(*cells: str) -> str:
    return f"<tr>{''.join(cells)}</tr>"


def text_cell(text: str) -> str:
    return f"<td>{escape(text)}</td>"


def cell_table(header: list[str], rows: list[str], attributes: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    return (
        f"<table{attributes}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def timing_cell(value: float | None) -> str:
    """Seconds, marked: the one figure of the page that differs between two identical runs."""
    return f"<td data-timing>{'' if value is None else f'{value:,.1f}'}</td>"


def overview(stages: list[StageStatistics]) -> str:
    """Per stage: its wall time and core-seconds (when the run recorded them) and bytes."""
    rows = []
    for stage in stages:
        timing = stage.timing
        cells = [text_cell(stage.name)]
        cells += [timing_cell(None if timing is None else timing.wall_seconds)]
        cells += [timing_cell(None if timing is None else timing.core_seconds)]
        for counter in BYTE_COLUMNS:
            value = stage.counters.get(counter)
            cells.append(
                text_cell("")
                if value is None
                else counter_cell(stage.name, counter, value, megabytes(value))
            )
        rows.append(row(*cells))
    header = ["Stage", "Wall time (s)", "Core-seconds", *BYTE_COLUMNS.values()]
    return cell_table(header, rows, ' id="stages-table"')


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
                    "read": "records read, the unreadable ones included",
                    "kept": "documents written",
                    **{f"dropped.{r}": m for r, m in GENERIC_REASONS.items()},
                    **{f"dropped.{r}": m for r, m in source.drop_reasons.items()},
                    **{f"errors.{r}": m for r, m in source.error_reasons.items()},
                    **{f"merged.{r}": m for r, m in source.merged_reasons.items()},
                    **{f"warnings.{r}": m for r, m in source.warning_reasons.items()},
                }
                return StageDeclaration(spec.read_unit, meanings)
    return StageDeclaration("", {})  # a stage every source feeds, or one not installed here


def funnel_table(stage: StageStatistics, meanings: Mapping[str, str]) -> str:
    """The funnel's counters, read first and kept last, each with what it means."""
    rows = [
        row(
            text_cell(step_label(counter)),
            counter_cell(stage.name, counter, value, f"{value:,}"),
            text_cell(meanings.get(counter, "")),
        )
        for counter, value in stage.funnel.counters()
    ]
    return cell_table(["Funnel", "Records", "Meaning"], rows, ' class="funnel"')


def funnel_gap(stage: StageStatistics) -> int | None:
    """read - (kept + dropped + errors + merged), as the harness checks it, when the stage
    counts both ends."""
    if stage.funnel.read is None or stage.funnel.kept is None:
        return None
    return counted_funnel(stage.counters).gap


def other_counters(stage: StageStatistics, meanings: Mapping[str, str]) -> list[str]:
    """The rows of the counters neither the funnel nor the overview shows."""
    shown = {counter for counter, _ in stage.funnel.counters()} | set(BYTE_COLUMNS)
    return [
        row(
            text_cell(counter),
            counter_cell(stage.name, counter, value, f"{value:,}"),
            text_cell(meanings.get(counter, "")),
        )
        for counter, value in sorted(stage.counters.items())
        if counter not in shown and not counter.startswith(UNKNOWN_TEMPLATES)
    ]


def unknown_templates(stage: StageStatistics) -> str:
    """Per-name counts of the templates a stage's cleaner did not know (the Wikipedia
    stage's long tail, thousands of names on a real dump): the most frequent."""
    unknown = sorted(
        ((k, v) for k, v in stage.counters.items() if k.startswith(UNKNOWN_TEMPLATES)),
        key=lambda item: (-item[1], item[0]),
    )
    if not unknown:
        return ""
    rows = [
        row(
            text_cell(counter.removeprefix(UNKNOWN_TEMPLATES)),
            counter_cell(stage.name, counter, value, f"{value:,}"),
        )
        for counter, value in unknown[:TOP_UNKNOWN_TEMPLATES]
    ]
    header = [f"Unknown template (top {TOP_UNKNOWN_TEMPLATES} of {len(unknown)})", "Uses"]
    return cell_table(header, rows)


def figures_of(page: Page, stage: StageStatistics) -> None:
    """The stage's funnel, lengths, languages, perplexity and wiki_prob histograms."""
    name = stage.name
    if stage.funnel.steps():
        title = f"{name}: records read, dropped, failed, merged and kept"
        page.figure(f"{name}-funnel", plots.funnel(f"{name}-funnel", title, stage.funnel.steps()))
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


def dropped_samples(page: Page, stage: StageStatistics, run_dir: str, seed: int) -> None:
    """Three documents per drop reason of the stage, from its `dropped/` (written only under
    --keep-dropped), drawn as the kept samples are."""
    stage_dir = io.join(run_dir, stage.name)
    if not stage.funnel.dropped or not io.exists(io.join(stage_dir, "dropped")):
        return
    page.add(
        f'<details id="dropped-{escape(stage.name)}"><summary>Dropped documents, '
        f"{DROPPED_SHOWN} per reason</summary>"
    )
    for reason in stage.funnel.dropped:
        drawn = sample_documents(stage_dir, seed, DROPPED_SHOWN, reason=reason)
        page.add(f"<h4>{escape(reason)}</h4>")
        for sample in drawn:
            page.add(*sample_article(sample, run_dir))
    page.add("</details>")


def stage_section(page: Page, stage: StageStatistics, run_dir: str, seed: int) -> None:
    name = stage.name
    page.add(f'<section id="stage-{escape(name)}"><h3>{escape(name)}</h3>')
    figures_of(page, stage)
    declared = stage_declaration(name)
    if declared.read_unit:
        page.add(f"<p>One record read is one {escape(declared.read_unit)}.</p>")
    gap = funnel_gap(stage)
    if gap:
        page.add(
            f'<p class="note">The funnel does not add up: read − kept − dropped − errors − '
            f"merged = {gap:,} records.</p>"
        )
    counters = other_counters(stage, declared.meanings)
    figures = [[key, f"{value:g}"] for key, value in sorted(stage.figures.items())]
    page.add(
        '<div class="tables">',
        funnel_table(stage, declared.meanings) if stage.funnel.counters() else "",
        cell_table(["Counter", "Value", "Meaning"], counters, ' class="counters"')
        if counters
        else "",
        table(["Figure", "Value"], figures) if figures else "",
        unknown_templates(stage),
        "</div>",
    )
    dropped_samples(page, stage, run_dir, seed)
    page.add("</section>")


@dataclass(frozen=True)
class Step:
    """One bar of a funnel across stages: a counter of a stage, and how the bar reads."""

    stage: str
    counter: str
    value: int
    label: str


def funnel_stages(source: SourceSpec) -> list[StageSpec]:
    """The stages of `source` that count records, in order: each reads what the one before
    it kept (CommonCrawl: ccnet reads WET records, commoncrawl the pages ccnet kept)."""
    return [spec for spec in source.stages if spec.read_unit]


def across_steps(source: SourceSpec, by_name: Mapping[str, StageStatistics]) -> list[Step]:
    """From the records a source's first funnel stage read to the documents its last kept:
    each stage's drops, errors and merges, then what it kept; [] for a source of one."""
    specs = funnel_stages(source)
    found = [by_name.get(spec.name) for spec in specs]
    if len(specs) < 2 or None in found or found[0].funnel.read is None:
        return []
    first = specs[0]
    steps = [
        Step(first.name, "read", found[0].funnel.read, f"{first.name}: read ({first.read_unit})")
    ]
    for stage in found:
        for counter, value in stage.funnel.counters():
            if counter == "kept":
                steps.append(Step(stage.name, counter, value, f"{stage.name}: kept"))
            elif counter != "read":
                steps.append(
                    Step(stage.name, counter, value, f"{stage.name}, {step_label(counter)}")
                )
    return steps


def across_funnel(page: Page, source: SourceSpec, by_name: Mapping[str, StageStatistics]) -> None:
    """A source's funnel across its stages, when it has more than one that counts records."""
    steps = across_steps(source, by_name)
    if not steps:
        return
    specs = funnel_stages(source)
    # the figures the bars draw, as data attributes a reader (or a test) can check
    data = " ".join(f"{s.stage}:{s.counter}={s.value}" for s in steps)
    chain = ", then ".join(f"<code>{escape(spec.name)}</code>" for spec in specs)
    page.add(
        f'<section id="{source.name}-across"><h3>{escape(source.label)}, from '
        f"{escape(specs[0].read_unit)} to document kept</h3>",
        f"<p>The records go through {chain}: each stage reads what the one before it kept.</p>",
    )
    rows = [(s.label, s.value) for s in steps]
    title = f"{source.label}: {specs[0].read_unit} to document kept"
    name = f"{source.name}-across"
    page.figure(name, plots.funnel(name, title, rows), f' data-steps="{escape(data)}"')
    for before, after in zip(specs, specs[1:], strict=False):
        read, kept = by_name[after.name].funnel.read, by_name[before.name].funnel.kept
        if read is not None and read != kept:
            page.add(
                f'<p class="note">{escape(after.name)} read {read:,}, {escape(before.name)} '
                f"kept {kept or 0:,}: the two stages come from different runs.</p>"
            )
    page.add("</section>")


def stages_section(page: Page, stages: list[StageStatistics], run_dir: str, seed: int) -> None:
    page.add(
        '<section id="stages"><h2>Stages</h2>',
        "<p>What each stage took and the text it read and kept, from its "
        f"<code>_stats.json</code> (counted as the stage ran). Bytes are of UTF-8 text in "
        f"{BYTE_UNIT} (10<sup>6</sup> bytes), except the input files as stored "
        "(compressed where they are). Core-seconds are the CPU time of all its workers. "
        "The commands that print a document whole are run from the run directory.</p>",
        overview(stages),
    )
    by_name = {stage.name: stage for stage in stages}
    for source in sources():
        across_funnel(page, source, by_name)
    for stage in stages:
        stage_section(page, stage, run_dir, seed)
    page.add("</section>")
