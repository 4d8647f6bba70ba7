"""The launcher's side of the progress channel: read the workers' records, fold them into a
`Snapshot` of the stage (which phase, how many files and bytes of the total, rows written).

The phase is what the latest records say: reading while an input file is open (a second
pass over the inputs reads "reading again"), writing once parts or rows are written, and
grouping between the two, when every input is read and nothing is written yet: the time
Beam spends shuffling (dedup, grouping parts) shows no other sign of life on the channel.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Snapshot:
    """How far a stage is, as the records received so far tell."""

    phase: str  # starting, reading, reading again, grouping, writing, or a stage's own word
    files_done: int = 0
    files_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    documents_read: int = 0
    rows_written: int = 0
    parts_done: int = 0
    parts_total: int | None = None
    reading_pass: str = "read"  # which pass `files_done` and `bytes_done` count


@dataclass
class _FileState:
    size: int
    position: int = 0
    ended: bool = False


@dataclass
class ProgressState:
    """Folds records in the order they arrive. `files_total`/`bytes_total`: the stage's
    listed inputs (0 when it reads only upstream stages)."""

    files_total: int = 0
    bytes_total: int = 0
    files: dict[str, dict[str, _FileState]] = field(default_factory=dict)  # pass -> path ->
    rows: dict[str, dict[str, int]] = field(default_factory=dict)  # emitter -> latest counts
    parts: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # emitter -> done, of
    latest: str = ""  # the kind of the latest record: file, read, written, part, phase
    phase_name: str = ""
    reading_pass: str = "read"

    def feed(self, emitter: str, record: dict[str, Any]) -> None:
        kind = record.get("t")
        if kind == "file":
            files = self.files.setdefault(record["pass"], {})
            state = files.setdefault(record["path"], _FileState(int(record["size"])))
            state.position = max(state.position, int(record["pos"]))
            state.ended = state.ended or bool(record["end"])
            self.reading_pass = record["pass"]
            self.latest = "file"
        elif kind == "rows":
            before = self.rows.get(emitter, {"read": 0, "written": 0})
            self.rows[emitter] = {"read": int(record["read"]), "written": int(record["written"])}
            if self.rows[emitter]["written"] > before["written"]:
                self.latest = "written"
            elif self.rows[emitter]["read"] > before["read"]:
                self.latest = "read"
        elif kind == "part":
            self.parts[emitter] = (int(record["done"]), record.get("of"))
            self.latest = "part"
        elif kind == "phase":
            self.phase_name = str(record["name"])
            self.latest = "phase"

    def _reading(self) -> tuple[int, int, bool]:
        """(files done, bytes done, still reading?) of the latest pass."""
        files = self.files.get(self.reading_pass, {})
        done = sum(1 for f in files.values() if f.ended)
        consumed = sum(f.size if f.ended else min(f.position, f.size) for f in files.values())
        open_files = done < len(files)
        # between two files of a pass nothing is open, yet the pass goes on
        more_to_come = self.latest == "file" and done < self.files_total
        return done, consumed, open_files or more_to_come

    def snapshot(self) -> Snapshot:
        files_done, bytes_done, reading = self._reading()
        written = sum(r["written"] for r in self.rows.values())
        read = sum(r["read"] for r in self.rows.values())
        parts_done = sum(done for done, _ in self.parts.values())
        totals = {of for _, of in self.parts.values() if of is not None}
        if self.latest == "phase":
            phase = self.phase_name
        elif reading:
            phase = "reading again" if self.reading_pass == "reread" else "reading"
        elif self.latest in ("written", "part"):
            phase = "writing"
        elif self.latest == "read":
            phase = "reading documents"
        elif self.latest == "file":
            phase = "grouping"
        else:
            phase = "starting"
        return Snapshot(
            phase=phase,
            files_done=files_done,
            files_total=self.files_total,
            bytes_done=min(bytes_done, self.bytes_total) if self.bytes_total else bytes_done,
            bytes_total=self.bytes_total,
            documents_read=read,
            rows_written=written,
            parts_done=parts_done,
            parts_total=max(totals) if totals else None,
            reading_pass=self.reading_pass,
        )


class ChannelReader:
    """Reads the records appended to a channel folder since the last call, file by file;
    a line still being written (no newline yet) waits for the next call."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.offsets: dict[str, int] = {}

    def read(self) -> list[tuple[str, dict[str, Any]]]:
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return []
        records = []
        for name in names:
            path = os.path.join(self.folder, name)
            try:
                with open(path, "rb") as handle:
                    handle.seek(self.offsets.get(name, 0))
                    data = handle.read()
            except OSError:
                continue
            complete = data[: data.rfind(b"\n") + 1]
            self.offsets[name] = self.offsets.get(name, 0) + len(complete)
            for line in complete.splitlines():
                try:
                    records.append((name, json.loads(line)))
                except ValueError:  # a torn line from a killed worker: skip it
                    continue
        return records
