"""Where pass 1 leaves the text of each post, so that the groupings carry only small refs.

One pickle stream per unit (a file's byte range, or a whole archive) under
`<stage folder>/_posts/`: the `Entry` of each question and answer the unit reads (its body
already text), and under --keep-dropped of each row of another post type, one after the
other. A `Ref` names one of them by its unit and the byte span of its record, beside the
few numbers the grouping by question decides on (type, id, score, where the row is). The
part writer reads the records its documents need back by those spans. The stage deletes
the folder when its pipeline ends; a failed run leaves it in the in-progress folder, which
the next run clears. The streams are written and read by this stage only, in one run.

Why stage the text instead of grouping it: on the DirectRunner (FnApiRunner,
multi_processing) a stage's grouped input reaches each worker as one large bundle, about
its share of all the data, so any text that flows through a GroupByKey makes a worker's
memory grow with the input. Measured by bench/bench_stackexchange.py (2 workers, scale 42
-> 420, 5 -> 52 MB of Posts.xml), a worker's peak RSS: text through both groupings
260.5 -> 502.5 MB (1.93x); text left out of the grouping by question only, the documents
still grouped by part, 232.8 -> 387.8 MB (1.67x); refs alone in both, 222.3 -> 279.1 MB
(1.26x). Refs travel as plain tuples, which Beam codes field by field where it would pickle
a NamedTuple.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from typing import IO, NamedTuple

from pipeline import io
from pipeline.sources.stackexchange.rules import Entry

FOLDER = "_posts"
OPEN_FILES = 8  # the staged streams a part writer keeps open at once


class Ref(NamedTuple):
    """What the groupings carry of one post: the numbers that order it, and where its
    staged `Entry` is."""

    type: int
    id: int
    score: int
    where: tuple[int, int]  # (file index, byte offset of the row): the first copy wins
    unit: int  # the range index of the unit that staged it (0 for an archive)
    start: int  # the record's first byte in that unit's stream
    length: int


def staged_path(out_dir: str, file_index: int, range_index: int) -> str:
    return io.join(out_dir, FOLDER, f"{file_index:05d}-{range_index:05d}.pickle")


class StagedWriter:
    """Appends Entries to one unit's stream, each giving its Ref; committed when closed."""

    def __init__(self, out_dir: str, file_index: int, range_index: int) -> None:
        self.sink = io.open_write(staged_path(out_dir, file_index, range_index))
        self.range_index, self.at = range_index, 0

    def write(self, entry: Entry) -> Ref:
        data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        self.sink.write(data)
        ref = Ref(entry.type, entry.id, entry.score, entry.where, self.range_index, self.at,
                  len(data))  # fmt: skip
        self.at += len(data)
        return ref

    def __enter__(self) -> StagedWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sink.__exit__(*exc)


class StagedReader:
    """The staged Entry of a Ref, read by its span; keeps the last few streams open."""

    def __init__(self, out_dir: str, open_files: int = OPEN_FILES) -> None:
        self.out_dir, self.open_files = out_dir, open_files
        self.streams: OrderedDict[tuple[int, int], IO[bytes]] = OrderedDict()

    def entry(self, ref: Ref) -> Entry:
        key = (ref.where[0], ref.unit)
        stream = self.streams.get(key)
        if stream is None:
            stream = io.open_read(staged_path(self.out_dir, *key))
            self.streams[key] = stream
            if len(self.streams) > self.open_files:
                self.streams.popitem(last=False)[1].close()
        else:
            self.streams.move_to_end(key)
        stream.seek(ref.start)
        data = stream.read(ref.length)
        if len(data) != ref.length:
            raise OSError(f"{staged_path(self.out_dir, *key)}: a staged record is cut short")
        return pickle.loads(data)

    def close(self) -> None:
        while self.streams:
            self.streams.popitem(last=False)[1].close()

    def __enter__(self) -> StagedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
