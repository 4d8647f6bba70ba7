"""`fleece wikipedia`: MediaWiki XML dumps -> cleaned articles and the URLs they cite.

Reading a dump is sequential (a bz2 stream cannot be split), so the unit of parallelism is
the input file: Wikipedia publishes each large language as many split dump files. Each
file becomes its own output part (`part-<file index>.parquet`), rows in page order, which
keeps the output deterministic without a shuffle and memory bounded by one page.

Per page: the record reader (dump.py) -> page rules (rules.py: a later revision elsewhere
in the input, namespace, redirect, content model) -> wikitext cleaning (clean.py) -> the
body-length rule -> a Document (its title on top) -> the generic rules the manifest
switches on (`sources.wikipedia.rules`), and its cited URLs into `cited_urls/`. Which pages a later
revision supersedes is found first, from the pages' keys alone (duplicates.py).

Resume (harness/groups.py): over more than `commit_files` dumps, the key pass and the
cleaning pass commit per group of dumps; a rerun reads only the groups not yet committed.
Which copy of a page wins depends on every dump's keys: that combine is redone from the keys
the committed groups stored (no dump is read for it) unless it was committed too.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import apache_beam as beam
import pyarrow as pa

from pipeline import counters, io
from pipeline.counters import BeamCounters, Count
from pipeline.documents import DOCUMENT_SCHEMA, DROPPED_SCHEMA, Document, PartWriter, part_name
from pipeline.harness.beam import run_beam
from pipeline.harness.commands import stage_command
from pipeline.harness.groups import GroupedRun
from pipeline.harness.source import SourceStage, WriteErrors
from pipeline.harness.stage import StageContext
from pipeline.records import ReadOptions, RecordError, read_records, report_error
from pipeline.rules.document import MinChars, configured_rules
from pipeline.sources.wikipedia.clean import clean_wikitext
from pipeline.sources.wikipedia.config import WikipediaConfig
from pipeline.sources.wikipedia.dump import Page, SiteInfo, iter_dump
from pipeline.sources.wikipedia.duplicates import PageKeysFn, SupersededCopies, SupersededPages
from pipeline.sources.wikipedia.rules import (
    InNamespaces,
    NotRedirect,
    NotSuperseded,
    WikitextOnly,
)
from pipeline.steps import Dropped, Step, apply_steps
from pipeline.text.urls import normalize_url

log = logging.getLogger("fleece.wikipedia")

# warnings.dangling_colon: a kept article with a line ending in ":" before a dropped table
# or template (see clean.py); templates.unknown.<name>: see count_unknown_templates.
DANGLING_COLON = "dangling_colon"

NAME = "wikipedia"
CITED_URLS_SCHEMA = pa.schema(
    [
        pa.field("url", pa.string(), nullable=False),
        pa.field("normalized_url", pa.string(), nullable=False),
        pa.field("language", pa.string(), nullable=False),
        pa.field("page_id", pa.int64(), nullable=False),
        pa.field("document_id", pa.string(), nullable=False),
    ]
)


def page_steps(config: WikipediaConfig, superseded: frozenset[int]) -> list[Step]:
    return [
        NotSuperseded(superseded),
        InNamespaces(tuple(config.namespaces)),
        NotRedirect(),
        WikitextOnly(),
    ]


def article_url(language: str, title: str) -> str:
    return f"https://{language}.wikipedia.org/wiki/{quote(title.replace(' ', '_'), safe='/:()_,')}"


def article_document(page: Page, language: str, body: str) -> Document:
    return Document(
        id=f"wikipedia/{language}/{page.page_id}",
        source=NAME,
        text=body,
        url=article_url(language, page.title),
        language=language,
        meta={
            "title": page.title,
            "page_id": page.page_id,
            "revision_id": page.revision_id,
            "timestamp": page.timestamp,
        },
    )


def dropped_page(page: Page, language: str, reason: str) -> dict[str, Any]:
    """A dropped page's row: its wikitext as it was in the dump, so a user sees the input."""
    return Document(
        id=f"wikipedia/{language}/{page.page_id}",
        source=NAME,
        text=page.text,
        url=article_url(language, page.title),
        language=language,
        meta={"title": page.title, "namespace": page.namespace},
    ).dropped_row(reason)


def process_dump(
    file: io.InputFile,
    config: WikipediaConfig,
    options: ReadOptions,
    *,
    keep_dropped: bool = False,
    count: Count = lambda name, n: None,
    superseded: frozenset[int] = frozenset(),
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Everything one dump yields, in file order, as (kind, row) with kind one of
    "document", "cited", "dropped" (only with keep_dropped) and "error". Pure of Beam:
    `count(name, n)` receives the counts. `superseded`: the ordinals of this file's pages
    that a later revision replaces (dropped as duplicate_page)."""
    options = dataclasses.replace(options, max_record_bytes=config.max_page_bytes)
    steps = page_steps(config, superseded)
    rules = configured_rules(config.rules)
    site: SiteInfo | None = None
    for item in read_records(file, iter_dump, options, count):
        if isinstance(item, SiteInfo):
            if item.language is None:
                error = RecordError(
                    file.path,
                    "header",
                    "unknown_language",
                    "neither xml:lang nor <dbname> names the language",
                )
                yield "error", report_error(error, options.strict, count).row()
                return
            if item.language not in config.languages:
                log.info("%s: language %s not selected; file skipped", file.path, item.language)
                count("files.skipped.language", 1)
                return
            site = item
        elif isinstance(item, RecordError):
            yield "error", item.row()
            if item.record == "header" and site is None:
                return
        else:
            yield from page_rows(item, site, config, steps, rules, keep_dropped, count)


def page_rows(
    page: Page,
    site: SiteInfo,
    config: WikipediaConfig,
    steps: list[Step],
    rules: list[Step],
    keep_dropped: bool,
    count: Count,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A page's rows: its document and cited URLs, or its dropped row. `steps` judge the
    page, `rules` (the generic ones switched on) the final document."""
    language = site.language
    selected = apply_steps(page, steps, count)
    if isinstance(selected, Dropped):
        if keep_dropped:
            yield "dropped", dropped_page(page, language, selected.reason)
        return
    try:
        article = clean_wikitext(
            page.text, frozenset(_names(site, 6)), frozenset(_names(site, 14)), config.math
        )
    except Exception as exc:  # mwparserfromhell rarely fails; when it does, the page is bad
        error = RecordError(
            "",
            f"wikipedia/{language}/{page.page_id} {page.title!r}",
            "unparseable_wikitext",
            str(exc),
        )
        yield "error", report_error(error, False, count).row()
        return
    count_unknown_templates(article.unknown_templates, count)
    body = apply_steps(
        article_document(page, language, article.text),
        [MinChars(config.min_body_chars, "empty")],
        count,
    )
    if isinstance(body, Dropped):
        if keep_dropped:
            yield "dropped", dropped_page(page, language, body.reason)
        return
    document = body.with_text(f"{page.title}\n\n{body.text}") if config.keep_title else body
    final = apply_steps(document, rules, count)
    if isinstance(final, Dropped):
        if keep_dropped:
            yield "dropped", dropped_page(page, language, final.reason)
        return
    document = final
    counters.count_kept(document.text, count, document.language)
    if article.dangling_colons:
        count(counters.warnings(DANGLING_COLON), 1)
    yield "document", document.row()
    for url in article.cited_urls:
        count("cited_urls", 1)
        yield (
            "cited",
            {
                "url": url,
                "normalized_url": normalize_url(url),
                "language": language,
                "page_id": page.page_id,
                "document_id": document.id,
            },
        )


def count_unknown_templates(names: tuple[str, ...], count: Count) -> None:
    """`templates.unknown.<name>`: how often the cleaner dropped each template its policy
    does not know (names as templates.template_key writes them, cut to 80 characters)."""
    for name, n in Counter(names).items():
        count(counters.unknown_template(name[:80]), n)


def _names(site: SiteInfo, key: int) -> set[str]:
    return {site.namespaces[key]} if site.namespaces.get(key) else set()


class ProcessDumpFn(io.StoreFn):
    """Reads one dump and streams its documents, cited URLs and dropped pages straight into
    that dump's own Parquet parts, in page order: no page ever waits in a shuffle, so memory
    stays at one page and one row group whatever the dump size. Errors (few) go on."""

    def __init__(
        self, config: WikipediaConfig, out_dir: str, options: ReadOptions, keep_dropped: bool
    ) -> None:
        super().__init__()
        self.config, self.out_dir, self.options = config, out_dir, options
        self.keep_dropped = keep_dropped
        self.count = BeamCounters(NAME)

    def process(
        self, element: tuple[int, io.InputFile], superseded: Any
    ) -> Iterator[dict[str, Any]]:
        index, file = element
        name = part_name(index)
        writers = {
            "document": PartWriter(io.join(self.out_dir, name), DOCUMENT_SCHEMA),
            "cited": PartWriter(io.join(self.out_dir, "cited_urls", name), CITED_URLS_SCHEMA),
        }
        if self.keep_dropped:
            writers["dropped"] = PartWriter(io.join(self.out_dir, "dropped", name), DROPPED_SCHEMA)
        try:
            for kind, row in process_dump(
                file,
                self.config,
                self.options,
                keep_dropped=self.keep_dropped,
                count=self.count,
                superseded=frozenset(superseded[index]),
            ):
                if kind == "error":
                    yield row
                else:
                    writers[kind].write(row)
        finally:
            for writer in writers.values():
                writer.close()


class ProcessGroupedDumpFn(ProcessDumpFn):
    """ProcessDumpFn over (file index, {"file": [file], "superseded": [ordinals]}): the
    verdict a resumed run stored for the dump, instead of a side input over every dump."""

    def process(self, element: tuple[int, dict[str, list]]) -> Iterator[dict[str, Any]]:
        index, grouped = element
        (file,) = grouped["file"]
        yield from super().process((index, file), {index: grouped["superseded"]})


def superseded_by_file(keys: beam.PCollection, listed: beam.PCollection) -> beam.PCollection:
    """(document id, PageKey) of every page and the listed (index, file) -> per file index
    {"file": [file], "superseded": [ordinals of its pages a later copy replaces]}."""
    superseded = keys | "Superseded pages" >> SupersededCopies()
    return {"file": listed, "superseded": superseded} | "By file" >> beam.CoGroupByKey()


class WikipediaStage(SourceStage):
    name = NAME
    resumable = True
    # 2: MediaWiki's quote and extension-tag handling, inline templates, math, tidying,
    # one document per page when dumps overlap; 3: the template policy (templates.py)
    version = 3
    outputs = {**SourceStage.outputs, "cited_urls": "cited_urls/part-*.parquet"}
    help = (
        "MediaWiki XML dumps (plain or bz2, streamed) -> cleaned articles of the selected "
        "languages (namespace 0, no redirects) and the external URLs they cite."
    )

    def run(self, ctx: StageContext) -> dict[str, int]:
        config = self.source_config(ctx.run)
        dumps = self.input_files(ctx)
        if len(dumps) > config.commit_files:
            grouped = GroupedRun(ctx, dumps, config.commit_files)
            counts = grouped.run(
                PageKeysFn(config, ctx.read_options),
                superseded_by_file,
                ProcessGroupedDumpFn(config, ctx.out_dir, ctx.read_options, ctx.keep_dropped),
            )
            ctx.resumed = grouped.summary()
            return counts

        def build(p: beam.Pipeline) -> None:
            files = (
                p
                | "List dumps" >> beam.Create(list(enumerate(dumps)))
                | "Spread dumps" >> beam.Reshuffle()
            )
            superseded = files | "Superseded pages" >> SupersededPages(config, ctx.read_options)
            _ = (
                files
                | "Read, clean and write"
                >> beam.ParDo(
                    ProcessDumpFn(config, ctx.out_dir, ctx.read_options, ctx.keep_dropped),
                    beam.pvalue.AsMultiMap(superseded),
                )
                | "Write errors" >> WriteErrors(ctx.out_dir)
            )

        return run_beam(ctx, build)


STAGE = WikipediaStage()
command = stage_command(STAGE)
