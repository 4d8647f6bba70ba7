"""`fleece wikipedia`: MediaWiki XML dumps -> cleaned articles and the URLs they cite.

Reading a dump is sequential (a bz2 stream cannot be split), so the unit of parallelism is
the input file: Wikipedia publishes each large language as many split dump files. Each
file becomes its own output part (`part-<file index>.parquet`), rows in page order, which
keeps the output deterministic without a shuffle and memory bounded by one page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import apache_beam as beam
import pyarrow as pa

from pipeline import io
from pipeline.config import RunConfig
from pipeline.documents import (
    DOCUMENT_SCHEMA,
    DROPPED_SCHEMA,
    ERROR_SCHEMA,
    PartWriter,
    WriteParts,
    make_document,
    part_name,
)
from pipeline.harness import BadInputError, Stage, StageContext, run_beam, stage_command
from pipeline.wikipedia.clean import clean_wikitext
from pipeline.wikipedia.config import WikipediaConfig
from pipeline.wikipedia.dump import DumpError, Page, SiteInfo, iter_dump
from pipeline.wikipedia.urls import normalize_url

log = logging.getLogger("fleece.wikipedia")

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


def article_url(language: str, title: str) -> str:
    return f"https://{language}.wikipedia.org/wiki/{quote(title.replace(' ', '_'), safe='/:()_,')}"


def article_document(page: Page, language: str, body: str, keep_title: bool) -> dict[str, Any]:
    return make_document(
        id=f"wikipedia/{language}/{page.page_id}",
        source="wikipedia",
        text=f"{page.title}\n\n{body}" if keep_title else body,
        url=article_url(language, page.title),
        language=language,
        meta={
            "title": page.title,
            "page_id": page.page_id,
            "revision_id": page.revision_id,
            "timestamp": page.timestamp,
        },
    )


def _dropped(page: Page, language: str, reason: str) -> dict[str, Any]:
    row = make_document(
        id=f"wikipedia/{language}/{page.page_id}",
        source="wikipedia",
        text=page.text,
        url=article_url(language, page.title),
        language=language,
        meta={"title": page.title, "namespace": page.namespace},
    )
    row["reason"] = reason
    return row


def process_dump(
    path: str,
    size: int,
    config: WikipediaConfig,
    *,
    limit: int | None = None,
    strict: bool = False,
    keep_dropped: bool = False,
    counter: Callable[[str, int], None] = lambda name, n: None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Everything one dump yields, in file order, as (kind, row) with kind one of
    "document", "cited", "dropped" (only with keep_dropped) and "error". Pure of Beam:
    `counter(name, n)` receives the counts."""
    counter("files", 1)
    counter("bytes.read", size)
    site: SiteInfo | None = None
    records = 0
    with io.open_read(path) as stream:
        for item in iter_dump(stream, path, max_page_chars=config.max_page_bytes):
            if isinstance(item, SiteInfo):
                site = item
                if site.language is None:
                    item = DumpError(
                        path,
                        "header",
                        "unknown_language",
                        "neither xml:lang nor <dbname> names the language",
                    )
                elif site.language not in config.languages:
                    log.info("%s: language %s not selected; file skipped", path, site.language)
                    counter("skipped_files.language", 1)
                    return
                else:
                    continue
            records += 1
            if isinstance(item, DumpError):
                yield from _error(item, strict, counter)
                if item.record == "header" and (site is None or site.language is None):
                    return
            else:
                counter("read", 1)
                yield from _page_rows(item, site, config, keep_dropped, counter)
            if limit is not None and records >= limit:
                return


def _error(
    error: DumpError, strict: bool, counter: Callable[[str, int], None]
) -> Iterator[tuple[str, dict[str, Any]]]:
    counter(f"errors.{error.reason}", 1)
    log.warning("%s", error)
    if strict:
        raise BadInputError(str(error))
    yield (
        "error",
        {
            "file": error.file,
            "record": error.record,
            "reason": error.reason,
            "message": error.message,
        },
    )


def _page_rows(
    page: Page,
    site: SiteInfo,
    config: WikipediaConfig,
    keep_dropped: bool,
    counter: Callable[[str, int], None],
) -> Iterator[tuple[str, dict[str, Any]]]:
    language = site.language
    reason = None
    if page.namespace not in config.namespaces:
        reason = "namespace"
    elif page.redirect:
        reason = "redirect"
    elif page.model not in (None, "wikitext"):
        reason = "not_wikitext"
    else:
        try:
            article = clean_wikitext(
                page.text, frozenset(_names(site, 6)), frozenset(_names(site, 14))
            )
        except Exception as exc:  # mwparserfromhell rarely fails; when it does, the page is bad
            error = DumpError(
                "",
                f"wikipedia/{language}/{page.page_id} {page.title!r}",
                "unparseable_wikitext",
                str(exc),
            )
            yield from _error(error, False, counter)
            return
        if len(article.text) < config.min_body_chars:
            reason = "empty"
    if reason is not None:
        counter(f"dropped.{reason}", 1)
        if keep_dropped:
            yield "dropped", _dropped(page, language, reason)
        return
    document = article_document(page, language, article.text, config.keep_title)
    counter("kept", 1)
    counter("bytes.kept", len(document["text"].encode("utf-8")))
    yield "document", document
    for url in article.cited_urls:
        counter("cited_urls", 1)
        yield (
            "cited",
            {
                "url": url,
                "normalized_url": normalize_url(url),
                "language": language,
                "page_id": page.page_id,
                "document_id": document["id"],
            },
        )


def _names(site: SiteInfo, key: int) -> set[str]:
    return {site.namespaces[key]} if site.namespaces.get(key) else set()


class ProcessDumpFn(beam.DoFn):
    """Reads one dump and streams its documents, cited URLs and dropped pages straight into
    that dump's own Parquet parts, in page order: no page ever waits in a shuffle, so memory
    stays at one page and one row group whatever the dump size. Errors (few) go on."""

    def __init__(
        self,
        config: WikipediaConfig,
        out_dir: str,
        limit: int | None,
        strict: bool,
        keep_dropped: bool,
    ) -> None:
        self.config, self.out_dir, self.limit = config, out_dir, limit
        self.strict, self.keep_dropped = strict, keep_dropped

    def process(self, element: tuple[int, str, int]) -> Iterator[dict[str, Any]]:
        index, path, size = element
        name = part_name(index)
        writers = {
            "document": PartWriter(io.join(self.out_dir, name), DOCUMENT_SCHEMA),
            "cited": PartWriter(io.join(self.out_dir, "cited_urls", name), CITED_URLS_SCHEMA),
        }
        if self.keep_dropped:
            writers["dropped"] = PartWriter(io.join(self.out_dir, "dropped", name), DROPPED_SCHEMA)
        try:
            for kind, row in process_dump(
                path,
                size,
                self.config,
                limit=self.limit,
                strict=self.strict,
                keep_dropped=self.keep_dropped,
                counter=_count,
            ):
                if kind == "error":
                    yield row
                else:
                    writers[kind].write(row)
        finally:
            for writer in writers.values():
                writer.close()


def _count(name: str, n: int) -> None:
    beam.metrics.Metrics.counter(NAME, name).inc(n)


class WikipediaStage(Stage):
    name = NAME
    help = (
        "MediaWiki XML dumps (plain or bz2, streamed) -> cleaned articles of the selected "
        "languages (namespace 0, no redirects) and the external URLs they cite."
    )

    def enabled(self, run: RunConfig) -> bool:
        return bool(run.sources.wikipedia.inputs)

    def input_patterns(self, run: RunConfig) -> list[str]:
        return list(run.sources.wikipedia.inputs)

    def parameters(self, run: RunConfig) -> WikipediaConfig:
        return run.sources.wikipedia

    def run(self, ctx: StageContext) -> dict[str, int]:
        config = ctx.run.sources.wikipedia
        dumps = io.match_files([ctx.run.resolve(p) for p in config.inputs])

        def build(p: beam.Pipeline) -> None:
            _ = (
                p
                | "List dumps"
                >> beam.Create([(index, f.path, f.size) for index, f in enumerate(dumps)])
                | "Spread dumps" >> beam.Reshuffle()
                | "Read, clean and write"
                >> beam.ParDo(
                    ProcessDumpFn(config, ctx.out_dir, ctx.limit, ctx.strict, ctx.keep_dropped)
                )
                | "Write errors"
                >> WriteParts(io.join(ctx.out_dir, "errors"), ERROR_SCHEMA, 1, key="record")
            )

        return run_beam(ctx, build)


STAGE = WikipediaStage()
command = stage_command(STAGE, "sources.wikipedia")
