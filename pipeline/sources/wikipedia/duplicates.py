"""One document per page when dumps overlap: the latest revision of a page is kept.

Two exports can hold the same page (a full dump and a later partial one, dumps of two
dates): without care they give two documents with one id. Before the pages are cleaned, a
first pass reads only each page's key (its id, revision and place), and a Beam combine
finds, per id, the page that wins: the highest revision id, ties broken by the later
timestamp, then by the earlier input file and position. The others ("losers") reach the
cleaning pass as a side input per file, small since overlaps are few, and are dropped
there as `duplicate_page` with their cited URLs. No worker ever holds all keys.

The winner depends on every file's keys, so a resumed stage (harness/groups.py) redoes this
combine from the keys its committed groups stored, without reading their dumps again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import apache_beam as beam

from pipeline import io
from pipeline.records import ReadOptions, read_records
from pipeline.sources.wikipedia.config import WikipediaConfig
from pipeline.sources.wikipedia.dump import Page, SiteInfo, iter_dump


@dataclass(frozen=True, order=True)
class PageKey:
    """Where one copy of a page is, and how recent it is: the greater key wins."""

    revision_id: int
    timestamp: str
    earlier_file: int  # minus the file index: the earlier file wins a tie
    earlier_position: int  # minus the page's ordinal in its file

    @property
    def file(self) -> int:
        return -self.earlier_file

    @property
    def ordinal(self) -> int:
        return -self.earlier_position


def page_key(page: Page, file_index: int) -> PageKey:
    return PageKey(page.revision_id or -1, page.timestamp or "", -file_index, -page.ordinal)


def page_keys(
    index: int, file: io.InputFile, config: WikipediaConfig, options: ReadOptions
) -> Iterator[tuple[str, PageKey]]:
    """(document id, key) of every page of one dump in a selected language. Reads the file
    as the cleaning pass will (same --limit, same record cap), counting and logging nothing:
    the cleaning pass reports the file's faults."""
    read = ReadOptions(limit=options.limit, max_record_bytes=config.max_page_bytes)
    language = None
    for item in read_records(file, iter_dump, read, lambda name, n: None, report=False):
        if isinstance(item, SiteInfo):
            if item.language not in config.languages:
                return
            language = item.language
        elif isinstance(item, Page) and language is not None:
            yield f"wikipedia/{language}/{item.page_id}", page_key(item, index)


class Superseded(beam.CombineFn):
    """Per document id: the winning key and the keys it beat."""

    def create_accumulator(self) -> tuple[PageKey | None, list[PageKey]]:
        return None, []

    def add_input(self, accumulator: tuple, key: PageKey) -> tuple:
        best, losers = accumulator
        if best is None:
            return key, losers
        return (key, [*losers, best]) if key > best else (best, [*losers, key])

    def merge_accumulators(self, accumulators: Iterable[tuple]) -> tuple:
        best, losers = None, []
        for other_best, other_losers in accumulators:
            losers += other_losers
            if other_best is None:
                continue
            if best is None or other_best > best:
                if best is not None:
                    losers.append(best)
                best = other_best
            else:
                losers.append(other_best)
        return best, losers

    def extract_output(self, accumulator: tuple) -> list[PageKey]:
        return sorted(accumulator[1])


class PageKeysFn(io.StoreFn):
    def __init__(self, config: WikipediaConfig, options: ReadOptions) -> None:
        super().__init__()
        self.config, self.options = config, options

    def process(self, element: tuple[int, io.InputFile]) -> Iterator[tuple[str, PageKey]]:
        index, file = element
        yield from page_keys(index, file, self.config, self.options)


class SupersededCopies(beam.PTransform):
    """(document id, PageKey) of every page -> (file index, ordinal) of every page a later
    copy replaces."""

    def expand(self, keys: beam.PCollection) -> beam.PCollection:
        return (
            keys
            | "Latest revision" >> beam.CombinePerKey(Superseded())
            | "Superseded copies"
            >> beam.FlatMap(lambda kv: [(key.file, key.ordinal) for key in kv[1]])
        )


class SupersededPages(beam.PTransform):
    """Dumps (index, file) -> (file index, ordinal) of every page a later copy replaces."""

    def __init__(self, config: WikipediaConfig, options: ReadOptions) -> None:
        super().__init__()
        self.config, self.options = config, options

    def expand(self, dumps: beam.PCollection) -> beam.PCollection:
        return (
            dumps
            | "Page keys" >> beam.ParDo(PageKeysFn(self.config, self.options))
            | "Superseded" >> SupersededCopies()
        )
