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

    def due(self, key: Any, force: bool) -> bool:
        """Whether a record about `key` is to be written now (and, if so, note that it is).
        Asked before a record is built: most calls on a hot path stop here."""
        now = time.monotonic()
        with self.lock:
            if not force and now - self.last.get(key, -INTERVAL) < INTERVAL:
                return False
            self.last[key] = now
            return True

    def write(self, record: dict[str, Any]) -> None:
        with self.lock:
            if self.handle is None:
                # pid plus a start time: a pid the system reuses later starts a new file
                name = f"{os.getpid()}-{time.monotonic_ns()}.jsonl"
                try:
                    # kept open for the life of the stage: one open per worker, not per record
                    self.handle = open(os.path.join(self.folder, name), "a", encoding="utf-8")
                except OSError:  # the launcher removed the folder: the stage is over
                    return
            try:
                self.handle.write(json.dumps(record) + "\n")
                self.handle.flush()
            except OSError:  # progress is advice: never fail a stage over it
                pass

    def close(self) -> None:
        with self.lock:
            if self.handle is not None:
                self.handle.close()
                self.handle = None


class _Channel:
    """Which folder this process writes to. Reading the environment costs about a
    microsecond, as much as the rest of a call, so it is read again only every INTERVAL, or
    for a record that must not be lost; a process that outlives a stage (the in-memory
    runner's) then closes the last stage's file and opens the next one's."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.writer: _Writer | None = None
        self.read_at = -INTERVAL

    def writer_for(self, force: bool) -> _Writer | None:
        now = time.monotonic()
        if not force and now - self.read_at < INTERVAL:
            return self.writer
        with self.lock:
            self.read_at = now
            folder = os.environ.get(ENV) or None
            if self.writer is not None and self.writer.folder != folder:
                self.writer.close()
                self.writer = None
            if folder is not None and self.writer is None:
                self.writer = _Writer(folder)
            return self.writer


_channel = _Channel()


def note_file(path: str, size: int, position: int, reread: bool, end: bool = False) -> None:
    """`position` bytes of input file `path` (of `size`) consumed; `end` once it is done
    (at its end, or stopped by --limit). `reread`: a second pass over a file already read."""
    writer = _channel.writer_for(end)
    kind = "reread" if reread else "read"
    if writer is not None and writer.due((kind, path), end):
        writer.write(
            {"t": "file", "pass": kind, "path": path, "size": size, "pos": position, "end": end}
        )


def _note_rows(kind: str, n: int) -> None:
    writer = _channel.writer_for(False)
    if writer is None:
        return
    with writer.lock:
        writer.totals[kind] += n
    if writer.due("rows", False):
        with writer.lock:
            record = {"t": "rows", **writer.totals}
        writer.write(record)


def note_documents_read(n: int = 1) -> None:
    """`n` more documents read from an upstream stage's Parquet parts."""
    _note_rows("read", n)


def note_rows_written(n: int = 1) -> None:
    """`n` more rows written into this stage's Parquet parts."""
    _note_rows("written", n)


def note_part(of: int | None = None) -> None:
    """One more part written (`of` the stage's number of parts, when it is known)."""
    writer = _channel.writer_for(True)
    if writer is None:
        return
    with writer.lock:
        writer.parts += 1
        record = {"t": "part", "done": writer.parts, "of": of}
        rows = {"t": "rows", **writer.totals}
    # the rows counted so far go with it, so the last count before a part is never lost
    writer.write(rows)
    writer.write(record)


def note_phase(name: str) -> None:
    """What a step that reads no input files is doing now ("training the tokenizer")."""
    writer = _channel.writer_for(True)
    if writer is not None:
        writer.write({"t": "phase", "name": name})
