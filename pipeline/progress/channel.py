"""The workers' side of the progress channel: append records to `$FLEECE_PROGRESS/<id>.jsonl`.

One file per process (threads share it under a lock), so no two writers ever append to the
same file. Counts are cumulative per process (`rows written so far`), so the reader keeps the
latest record of each file and sums over files; a record lost to a kill costs nothing.
Records about one key are written at most every `INTERVAL` seconds, except the ones that end
something (a file read to its end, a part written), which are always written. Without the
variable every call returns at once: a remote runner's workers have no channel.

Records (one JSON object a line):
  {"t": "file", "pass": "read"|"reread", "path": p, "size": n, "pos": n, "end": bool}
  {"t": "rows", "read": n, "written": n}          # documents read / rows written so far
  {"t": "part", "done": n, "of": n|null}          # Parquet parts written so far
  {"t": "phase", "name": "training"}              # a step that reads no files says what it does
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import IO, Any

ENV = "FLEECE_PROGRESS"
INTERVAL = 0.5  # seconds between two records about the same key


class _Writer:
    """This process's appender into one channel folder."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.lock = threading.Lock()
        self.handle: IO[str] | None = None
        self.last: dict[Any, float] = {}
        self.totals = {"read": 0, "written": 0}
        self.parts = 0

    def _open(self) -> IO[str] | None:
        if self.handle is None:
            # pid plus a start time: a pid the system reuses later starts a new file
            name = f"{os.getpid()}-{time.monotonic_ns()}.jsonl"
            try:
                # kept open for the life of the process: one open per worker, not per record
                self.handle = open(os.path.join(self.folder, name), "a", encoding="utf-8")
            except OSError:  # the launcher removed the folder: the stage is over
                return None
        return self.handle

    def close(self) -> None:
        with self.lock:
            if self.handle is not None:
                self.handle.close()
                self.handle = None

    def write(self, key: Any, record: dict[str, Any], force: bool = False) -> None:
        now = time.monotonic()
        with self.lock:
            if not force and now - self.last.get(key, -INTERVAL) < INTERVAL:
                return
            self.last[key] = now
            handle = self._open()
            if handle is None:
                return
            try:
                handle.write(json.dumps(record) + "\n")
                handle.flush()
            except OSError:  # progress is advice: never fail a stage over it
                pass


_writers: dict[str, _Writer] = {}
_writers_lock = threading.Lock()


def _writer() -> _Writer | None:
    folder = os.environ.get(ENV)
    if not folder:
        return None
    writer = _writers.get(folder)
    if writer is None:
        with _writers_lock:
            # a process that outlives a stage (the in-memory runner's) closes the last one's
            for old in _writers.values():
                old.close()
            _writers.clear()
            writer = _writers.setdefault(folder, _Writer(folder))
    return writer


def note_file(path: str, size: int, position: int, reread: bool, end: bool = False) -> None:
    """`position` bytes of input file `path` (of `size`) consumed; `end` once it is done
    (at its end, or stopped by --limit). `reread`: a second pass over a file already read."""
    writer = _writer()
    if writer is None:
        return
    kind = "reread" if reread else "read"
    record = {"t": "file", "pass": kind, "path": path, "size": size, "pos": position, "end": end}
    writer.write(("file", kind, path), record, force=end)


def _note_rows(kind: str, n: int) -> None:
    writer = _writer()
    if writer is None:
        return
    with writer.lock:
        writer.totals[kind] += n
        record = {"t": "rows", **writer.totals}
    writer.write("rows", record)


def note_documents_read(n: int = 1) -> None:
    """`n` more documents read from an upstream stage's Parquet parts."""
    _note_rows("read", n)


def note_rows_written(n: int = 1) -> None:
    """`n` more rows written into this stage's Parquet parts."""
    _note_rows("written", n)


def note_part(of: int | None = None) -> None:
    """One more part written (`of` the stage's number of parts, when it is known)."""
    writer = _writer()
    if writer is None:
        return
    with writer.lock:
        writer.parts += 1
        record = {"t": "part", "done": writer.parts, "of": of}
        rows = {"t": "rows", **writer.totals}
    # the rows counted so far go with it, so the last count before a part is never lost
    writer.write("rows", rows, force=True)
    writer.write("part", record, force=True)


def note_phase(name: str) -> None:
    """What a step that reads no input files is doing now ("training the tokenizer")."""
    writer = _writer()
    if writer is not None:
        writer.write(("phase", name), {"t": "phase", "name": name}, force=True)
