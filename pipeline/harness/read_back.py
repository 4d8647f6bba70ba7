"""A file a library wrote for a stage, read back and loaded once before the stage's `_SUCCESS`
is written. fastText's `save_model` does not report a short write: on a full disk it left a
3.1 MB model of 40.6 MB, the stage was marked complete, and the next run built another corpus
from it (issue 24). KenLM's programs and SentencePiece may fail as quietly; a file that is
short, or that its library cannot load, stops the stage in one line naming it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import TypeVar

from pipeline import io
from pipeline.harness.stage import StageCannotRun

T = TypeVar("T")


def read_back(path: str, load: Callable[[str], T], size: int | None = None) -> T:
    """What `load(path)` gives, once the file at `path` is known to be `size` bytes (when the
    writer's model says how many); StageCannotRun naming the file otherwise. The size comes
    first: fastText reads a short model's garbage lengths and allocates them."""
    written = io.file_size(path)
    if size is not None and written < size:
        raise StageCannotRun(f"{path}: written short ({written:,} of {size:,} bytes; disk full?)")
    if size is not None and written != size:
        raise StageCannotRun(f"{path}: written with {written:,} bytes, {size:,} expected")
    try:
        if "://" not in path or path.startswith("file://"):
            return load(path)
        with tempfile.TemporaryDirectory() as local:  # the libraries open local paths only
            return load(io.local_copy(path, local))
    except Exception as error:  # noqa: BLE001 - whatever a library raises on bytes it cannot read
        text = str(error).strip()
        reason = text.splitlines()[0].removeprefix(f"{path}: ") if text else repr(error)
        raise StageCannotRun(f"{path}: cannot be loaded back: {reason}") from None
