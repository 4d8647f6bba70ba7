"""What pass 1 learnt of each page of a WET file, kept so that pass 2 need not read, unzip
and clean the file a second time (that second read was most of pass 2's time).

One pickle stream per WET file under `<stage folder>/_pass1/`, in record order: each page
the rules keep, with its lines and language score; under --keep-dropped also each page the
rules drop, with its reason, the text its dropped row shows and the signals computed before
its rule fired. The stage deletes the folder when its pipeline ends; a failed run leaves it
in the in-progress folder, which the next run clears. The streams are written and read by
this stage only, in one run.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline import io

FOLDER = "_pass1"


@dataclass(frozen=True)
class StagedPage:
    """A page as pass 1 left it: where it came from, and its lines or the reason it went."""

    ordinal: int
    record_id: str
    url: str
    date: str
    digest: str
    dump: str | None
    lines: tuple[str, ...]  # kept by the rules (of a dropped page: what its row shows)
    language: str | None  # the language lid.176 found (None: not reached)
    score: float | None  # lid.176's score of that language (None: not reached)
    lines_removed: int | None  # lines the line rules took (None: not reached)
    dropped: str | None = None  # the reason the rules drop it; None: it reaches dedup


def staged_path(out_dir: str, file_index: int) -> str:
    return io.join(out_dir, FOLDER, f"{file_index:05d}.pickle")


class StagedWriter:
    """Appends StagedPages to one file's stream; the file is committed when closed."""

    def __init__(self, path: str) -> None:
        self.sink = io.open_write(path)
        self.pickler = pickle.Pickler(self.sink, protocol=pickle.HIGHEST_PROTOCOL)

    def write(self, page: StagedPage) -> None:
        self.pickler.dump(page)
        self.pickler.clear_memo()  # one page at a time: the memo would hold every page

    def __enter__(self) -> StagedWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sink.__exit__(*exc)


def read_staged(path: str) -> Iterator[StagedPage]:
    return io.read_pickles(path)  # the writer clears its memo per page, as it expects
