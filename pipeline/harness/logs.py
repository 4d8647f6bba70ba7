"""What reaches the console and what goes to the log.

The console is for what a user acts on: the stage lines, fleece's own warnings (bad
records), and when a stage fails for a reason fleece recognises, one line with the reason
and where the full log is. Everything else goes to the stage's log while it runs: fleece at
INFO, Beam at its level, whatever Beam's workers and the programs a stage runs (lmplz,
build_binary) write on standard error, and the traceback of a failure. `-v` shows fleece's
INFO and Beam's records on the console as well, and leaves the workers' standard error there.

One log per stage, `<run_dir>/logs/<stage>.log`, written afresh each time the stage runs
(not one per invocation): the file a failure names holds that stage's run and nothing else,
`fleece <stage>` replaces only its own, and a run keeps one file per stage rather than a
pile of dated ones. A run_dir on an object store, where a file cannot grow as it is
written, logs to `<system temp>/fleece-logs/<run_dir as a name>/<stage>.log`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from typing import TextIO

from pipeline.config import RunConfig

LOGS = "logs"
CONSOLE_FORMAT = "%(levelname)s %(name)s: %(message)s"
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _not_from_beam(record: logging.LogRecord) -> bool:
    # Beam also logs through the root logger ("apitools not found", type hints it ignores):
    # its files, not its logger name, say whose those records are
    return not record.name.startswith("apache_beam") and (
        f"{os.sep}apache_beam{os.sep}" not in record.pathname
    )


class ConsoleHandler(logging.Handler):
    """Writes to whatever `sys.stderr` is when a record comes: the terminal (a copy of it
    while a stage's log holds file descriptor 2), or a test runner's capture."""

    def __init__(self, verbose: bool) -> None:
        super().__init__(logging.INFO if verbose else logging.WARNING)
        self.verbose = verbose
        self.setFormatter(logging.Formatter(CONSOLE_FORMAT))
        if not verbose:
            self.addFilter(_not_from_beam)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # a closed or full console: logging must not end the run
            self.handleError(record)


def configure_logging(verbose: bool) -> None:
    """fleece's own warnings always show on the console; its INFO and Beam's records only
    with -v. Records are made at INFO so that a stage's log (stage_log) gets them."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, ConsoleHandler)]:
        root.removeHandler(handler)
    root.addHandler(ConsoleHandler(verbose))
    root.setLevel(logging.INFO)
    logging.getLogger("apache_beam").setLevel(logging.NOTSET)  # Beam at its level, as root


def _console_is_verbose() -> bool:
    return any(isinstance(h, ConsoleHandler) and h.verbose for h in logging.getLogger().handlers)


def log_file(run: RunConfig, stage: str) -> str:
    """Where stage `stage` of this run logs: `<run_dir>/logs/<stage>.log` on local disk."""
    run_dir = run.resolve(run.run_dir)
    if "://" in run_dir and not run_dir.startswith("file://"):
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", run_dir).strip("-")
        return os.path.join(tempfile.gettempdir(), "fleece-logs", name, f"{stage}.log")
    return os.path.join(run_dir.removeprefix("file://"), LOGS, f"{stage}.log")


class LogFile(logging.FileHandler):
    """A stage's log. A write that fails (the disk the stage filled) is dropped silently,
    not printed on the console with a traceback as logging does by default."""

    def __init__(self, path: str) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        super().__init__(path, mode="w", encoding="utf-8")
        self.setFormatter(logging.Formatter(FILE_FORMAT))

    def handleError(self, record: logging.LogRecord) -> None:
        pass


@contextlib.contextmanager
def stage_log(path: str) -> Iterator[str | None]:
    """For the block: every log record also goes to the log at `path` (written afresh), and
    so does what anything writes on file descriptor 2 (Beam's workers, lmplz), unless -v
    keeps that on the console. An exception leaving the block is written there with its
    traceback, then goes on. Yields the log's path, or None when it cannot be made (a run
    directory that cannot hold its log still runs)."""
    try:
        handler = LogFile(path)
    except OSError:
        yield None
        return
    root = logging.getLogger()
    root.addHandler(handler)
    redirect = contextlib.nullcontext() if _console_is_verbose() else _stderr_to(handler.stream)
    try:
        with redirect:
            yield path
    except BaseException:
        handler.handle(
            logging.makeLogRecord({
                "name": "fleece", "levelno": logging.ERROR, "levelname": "ERROR",
                "msg": "the stage failed:", "exc_info": sys.exc_info(),
            })
        )  # fmt: skip
        raise
    finally:
        root.removeHandler(handler)
        handler.close()


def _writes_to_descriptor_2(stream: TextIO) -> bool:
    try:
        return stream.fileno() == 2
    except (AttributeError, OSError, ValueError):  # a test runner's capture has none
        return False


@contextlib.contextmanager
def _stderr_to(log: TextIO) -> Iterator[None]:
    """Point file descriptor 2 at `log`: child processes (Beam's workers, lmplz) inherit it,
    and native code writes there. `sys.stderr`, when it is descriptor 2, is moved to a copy
    of the console for the block, so fleece's own lines still reach the user."""
    console = sys.stderr
    with contextlib.suppress(Exception):
        console.flush()
    log.flush()
    saved = os.dup(2)
    moved = _writes_to_descriptor_2(console)
    if moved:
        sys.stderr = open(  # closed in the finally below
            saved, "w", buffering=1, encoding=console.encoding, errors=console.errors,
            closefd=False,
        )  # fmt: skip
    os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        if moved:
            sys.stderr.close()
            sys.stderr = console
        os.dup2(saved, 2)
        os.close(saved)


def where_logged(path: str | None) -> str:
    """The end of a failure's one line: where its full log is."""
    return f"; full log: {path}" if path else ""
