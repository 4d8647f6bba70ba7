"""`fleece wikipedia`: MediaWiki XML dumps -> cleaned articles and the URLs they cite.

Reading a dump is sequential (a bz2 stream cannot be split), so one worker reads each file
and the pages are reshuffled before cleaning, the expensive step, which then spreads over
all workers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import apache_beam as beam
import pyarrow as pa

from pipeline import io
from pipeline.config import RunConfig
from pipeline.harness import BadInputError, Stage, StageContext, run_beam, stage_command
from pipeline.wikipedia.config import WikipediaConfig

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


def article_document(page: dict[str, Any], body: str, keep_title: bool) -> dict[str, Any]:
    from pipeline.documents import make_document

    language = page["language"]
    return make_document(
        id=f"wikipedia/{language}/{page['page_id']}",
        source="wikipedia",
        text=f"{page['title']}\n\n{body}" if keep_title else body,
        url=article_url(language, page["title"]),
        language=language,
        meta={
            "title": page["title"],
            "page_id": page["page_id"],
            "revision_id": page["revision_id"],
            "timestamp": page["timestamp"],
        },
    )


def _dropped(page: dict[str, Any], reason: str) -> dict[str, Any]:
    from pipeline.documents import make_document

    language = page.get("language") or ""
    row = make_document(
        id=f"wikipedia/{language}/{page['page_id']}",
        source="wikipedia",
        text=page["text"],
        url=article_url(language, page["title"]) if language else None,
        language=language or None,
        meta={"title": page["title"], "namespace": page["namespace"]},
    )
    row["reason"] = reason
    return row


class ReadDumpFn(beam.DoFn):
    """Pages of one dump as dicts; errors and reader-level drops to tagged outputs."""

    def __init__(self, config: WikipediaConfig, limit: int | None, strict: bool,
                 keep_dropped: bool) -> None:
        self.config, self.limit, self.strict, self.keep_dropped = config, limit, strict, keep_dropped

    def process(self, path: str) -> Iterator[Any]:
        yield from read_dump(path, self.config, self.limit, self.strict, self.keep_dropped,
                             _counter, beam.pvalue.TaggedOutput)


def _counter(name: str) -> Any:
    return beam.metrics.Metrics.counter(NAME, name)


def read_dump(path: str, config: WikipediaConfig, limit: int | None, strict: bool,
              keep_dropped: bool, counter: Any, tagged: Any) -> Iterator[Any]:
    from pipeline.wikipedia.dump import DumpError, Page, SiteInfo, iter_dump

    counter("files").inc()
    counter("bytes.read").inc(io.match_files([path])[0].size)
    site: SiteInfo | None = None
    records = 0
    with io.open_read(path) as stream:
        for item in iter_dump(stream, path, max_page_chars=config.max_page_bytes):
            if isinstance(item, SiteInfo):
                site = item
                if site.language is None:
                    item = DumpError(path, "header", "unknown_language",
                                     "neither xml:lang nor <dbname> names the language")
                elif site.language not in config.languages:
                    log.info("%s: language %s not selected; file skipped", path, site.language)
                    counter("skipped_files.language").inc()
                    return
                else:
                    continue
            records += 1
            if isinstance(item, DumpError):
                counter(f"errors.{item.reason}").inc()
                log.warning("%s", item)
                if strict:
                    raise BadInputError(str(item))
                yield tagged("errors", {"file": item.file, "record": item.record,
                                        "reason": item.reason, "message": item.message})
                if item.record in ("header", "stream"):
                    if site is None or site.language is None:
                        return
            elif isinstance(item, Page):
                counter("read").inc()
                page = {
                    "page_id": item.page_id, "title": item.title, "namespace": item.namespace,
                    "revision_id": item.revision_id, "timestamp": item.timestamp,
                    "text": item.text, "language": site.language if site else None,
                    "media_names": sorted(_names(site, 6)), "category_names": sorted(_names(site, 14)),
                }
                reason = None
                if item.namespace not in config.namespaces:
                    reason = "namespace"
                elif item.redirect:
                    reason = "redirect"
                elif item.model not in (None, "wikitext"):
                    reason = "not_wikitext"
                if reason is None:
                    yield page
                else:
                    counter(f"dropped.{reason}").inc()
                    if keep_dropped:
                        yield tagged("dropped", _dropped(page, reason))
            if limit is not None and records >= limit:
                return


def _names(site: Any, key: int) -> set[str]:
    return {site.namespaces[key]} if site and site.namespaces.get(key) else set()


class CleanPageFn(beam.DoFn):
    def __init__(self, config: WikipediaConfig, strict: bool, keep_dropped: bool) -> None:
        self.config, self.strict, self.keep_dropped = config, strict, keep_dropped

    def process(self, page: dict[str, Any]) -> Iterator[Any]:
        yield from clean_page(page, self.config, self.strict, self.keep_dropped, _counter,
                              beam.pvalue.TaggedOutput)


def clean_page(page: dict[str, Any], config: WikipediaConfig, strict: bool, keep_dropped: bool,
               counter: Any, tagged: Any) -> Iterator[Any]:
    from pipeline.wikipedia.clean import clean_wikitext
    from pipeline.wikipedia.urls import normalize_url

    try:
        article = clean_wikitext(page["text"], frozenset(page["media_names"]),
                                 frozenset(page["category_names"]))
    except Exception as exc:  # mwparserfromhell is robust; a failure here is a bad page
        message = f"wikipedia/{page['language']}/{page['page_id']} {page['title']!r}: {exc}"
        counter("errors.unparseable_wikitext").inc()
        if strict:
            raise BadInputError(message) from exc
        yield tagged("errors", {"file": "", "record": message, "reason": "unparseable_wikitext",
                                "message": str(exc)})
        return
    if len(article.text) < config.min_body_chars:
        counter("dropped.empty").inc()
        if keep_dropped:
            yield tagged("dropped", _dropped(page, "empty"))
        return
    document = article_document(page, article.text, config.keep_title)
    counter("kept").inc()
    counter("bytes.kept").inc(len(document["text"].encode("utf-8")))
    yield document
    for url in article.cited_urls:
        counter("cited_urls").inc()
        yield tagged("cited", {"url": url, "normalized_url": normalize_url(url),
                               "language": page["language"], "page_id": page["page_id"],
                               "document_id": document["id"]})


class WikipediaStage(Stage):
    name = NAME
    requires = ("sample",)
    help = ("MediaWiki XML dumps (plain or bz2, streamed) -> cleaned articles of the selected "
            "languages (namespace 0, no redirects) and the external URLs they cite.")

    def enabled(self, run: RunConfig) -> bool:
        return bool(run.sources.wikipedia.inputs)

    def input_patterns(self, run: RunConfig) -> list[str]:
        return list(run.sources.wikipedia.inputs)

    def parameters(self, run: RunConfig) -> WikipediaConfig:
        return run.sources.wikipedia

    def run(self, ctx: StageContext) -> dict[str, int]:
        from pipeline.documents import DOCUMENT_SCHEMA, DROPPED_SCHEMA, ERROR_SCHEMA, WriteParts

        config = ctx.run.sources.wikipedia
        paths = [f.path for f in io.match_files([ctx.run.resolve(p) for p in config.inputs])]

        def build(p: beam.Pipeline) -> None:
            read = (
                p
                | "List dumps" >> beam.Create(paths)
                | "Spread dumps" >> beam.Reshuffle()
                | "Read pages" >> beam.ParDo(
                    ReadDumpFn(config, ctx.limit, ctx.strict, ctx.keep_dropped)
                ).with_outputs("errors", "dropped", main="pages")
            )
            cleaned = (
                read.pages
                | "Spread pages" >> beam.Reshuffle()
                | "Clean articles" >> beam.ParDo(
                    CleanPageFn(config, ctx.strict, ctx.keep_dropped)
                ).with_outputs("errors", "dropped", "cited", main="documents")
            )
            parts = config.parts
            _ = cleaned.documents | "Write documents" >> WriteParts(
                ctx.out_dir, DOCUMENT_SCHEMA, parts)
            _ = cleaned.cited | "Write cited URLs" >> WriteParts(
                io.join(ctx.out_dir, "cited_urls"), CITED_URLS_SCHEMA, parts, key="normalized_url")
            errors = (read.errors, cleaned.errors) | "All errors" >> beam.Flatten()
            _ = errors | "Write errors" >> WriteParts(
                io.join(ctx.out_dir, "errors"), ERROR_SCHEMA, 1, key="file")
            if ctx.keep_dropped:
                dropped = (read.dropped, cleaned.dropped) | "All dropped" >> beam.Flatten()
                _ = dropped | "Write dropped" >> WriteParts(
                    io.join(ctx.out_dir, "dropped"), DROPPED_SCHEMA, parts)

        return run_beam(ctx, build)


STAGE = WikipediaStage()
command = stage_command(STAGE, "sources.wikipedia")
