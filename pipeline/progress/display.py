"""The launcher's progress display: a thread that reads the channel while a stage runs.

On a terminal the stage's line is redrawn in place every `refresh` seconds and cleared when
the stage ends (the harness then prints its "done" line). Anywhere else (CI, a log file) a
line is printed once every `log_every` seconds at most, so a long stage leaves a trace a
minute apart and a short one none. Time comes from `clock`, which tests replace.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO

from pipeline.progress.channel import ENV
from pipeline.progress.state import ChannelReader, ProgressState, Snapshot


@dataclass
class ProgressOptions:
    """Where and how often progress is shown. `stream` defaults to standard error at the
    time of use; `interactive` to whether that stream is a terminal."""

    stream: TextIO | None = None
    interactive: bool | None = None
    clock: Callable[[], float] = time.monotonic
    refresh: float = 2.0  # seconds between redraws on a terminal
    log_every: float = 60.0  # seconds between lines elsewhere
    poll: float = 0.5  # real seconds between two reads of the channel


def duration(seconds: float) -> str:
    """45s, 3m07s, 2h05m."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f}"


def describe(
    stage: str, snap: Snapshot, elapsed: float, rate: float | None, runner: str | None = None
) -> str:
    """One line: the stage, its phase, what is done of the total, the rate and time left."""
    if runner is not None:
        return f"{stage}: running on {runner} (its workers send no progress) [{duration(elapsed)}]"
    parts = [f"{stage}: {snap.phase}"]
    if snap.files_total and snap.phase in ("reading", "reading again"):
        parts.append(
            f"{snap.files_done}/{snap.files_total} files, "
            f"{_megabytes(snap.bytes_done)}/{_megabytes(snap.bytes_total)} MB"
        )
        if rate:
            left = max(0, snap.bytes_total - snap.bytes_done) / rate
            parts.append(f"{rate / 1e6:,.1f} MB/s, {duration(left)} left")
    elif snap.files_total and snap.phase == "grouping":
        parts.append(f"{snap.files_done} files ({_megabytes(snap.bytes_done)} MB) read")
    if snap.parts_done:
        if snap.parts_total:  # several writers' parts can outnumber the largest total
            parts.append(f"{min(snap.parts_done, snap.parts_total)}/{snap.parts_total} parts")
        else:
            parts.append(f"{snap.parts_done} parts")
    if snap.documents_read:
        parts.append(f"{snap.documents_read:,} documents read")
    if snap.rows_written:
        parts.append(f"{snap.rows_written:,} rows written")
    return ", ".join(parts) + f" [{duration(elapsed)}]"


class StageProgress:
    """Shows one stage's progress for as long as the `with` block runs."""

    def __init__(
        self,
        stage: str,
        files_total: int,
        bytes_total: int,
        options: ProgressOptions,
        runner: str | None = None,
    ) -> None:
        self.stage, self.options, self.runner = stage, options, runner
        self.stream = options.stream or sys.stderr
        interactive = options.interactive
        if interactive is None:
            interactive = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.interactive = interactive
        self.state = ProgressState(files_total=files_total, bytes_total=bytes_total)
        self.reader: ChannelReader | None = None
        self.stop = threading.Event()
        self.pass_started: dict[str, float] = {}

    def _width(self) -> int:
        """Columns of the terminal (a longer line would wrap and defeat the redraw); a
        terminal that reports none (a pseudo-terminal without a size) counts as 120."""
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            columns = 0
        return columns if columns > 20 else 120

    def _rate(self, snap: Snapshot, now: float) -> float | None:
        if not snap.bytes_done:
            return None
        started = self.pass_started.setdefault(snap.reading_pass, now)
        return snap.bytes_done / (now - started) if now > started else None

    def tick(self, now: float, force: bool = False) -> None:
        """Read what arrived, and show it if it is time to."""
        if self.reader is not None:
            for emitter, record in self.reader.read():
                self.state.feed(emitter, record)
        snap = self.state.snapshot()
        rate = self._rate(snap, now)
        due = self.options.refresh if self.interactive else self.options.log_every
        if not force and now - self.shown < due:
            return
        self.shown = now
        line = describe(self.stage, snap, now - self.started, rate, self.runner)
        if self.interactive:
            self.stream.write("\r\x1b[K" + line[: self._width() - 1])
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _loop(self) -> None:
        while not self.stop.wait(self.options.poll):
            self.tick(self.options.clock())

    @contextlib.contextmanager
    def running(self, work_dir: str | None = None) -> Iterator[StageProgress]:
        """Show progress while the block runs. The channel is `<work_dir>/_progress` when
        the stage writes on local disk (a killed run's is cleared with the rest of its
        in-progress folder), else a temporary folder; it is removed when the block ends."""
        self.started = self.shown = self.options.clock()
        folder = None
        if self.runner is None and work_dir is not None and "://" not in work_dir:
            folder = os.path.join(work_dir, "_progress")
            os.makedirs(folder, exist_ok=True)
        elif self.runner is None:
            folder = tempfile.mkdtemp(prefix="fleece-progress-")
        saved = os.environ.get(ENV)
        if folder is not None:
            self.reader = ChannelReader(folder)
            os.environ[ENV] = folder
        if self.interactive:
            self.tick(self.started, force=True)
        thread = threading.Thread(target=self._loop, name=f"progress-{self.stage}", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.stop.set()
            thread.join()
            if self.interactive:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
            if saved is None:
                os.environ.pop(ENV, None)
            else:
                os.environ[ENV] = saved
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
