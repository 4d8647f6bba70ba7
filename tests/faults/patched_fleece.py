"""`fleece ARGS` in a fresh interpreter with fastText's save_model patched to write as a full
disk or a damaged library would:

    python -m tests.faults.patched_fleece short|no-label ARGS...

fastText trains in a process of its own, as it does for a user: in a test worker that has
run hundreds of tests before, its training once stopped with "Encountered NaN." on the same
data that trains cleanly in a fresh process.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import fasttext

from pipeline.cli import main

_save = fasttext.FastText._FastText.save_model


def save_short(self: fasttext.FastText._FastText, path: str) -> None:
    """What a full disk left of a 40.6 MB model: 3/40 of it, and no error."""
    _save(self, path)
    with open(path, "r+b") as handle:
        handle.truncate(os.path.getsize(path) * 3 // 40)


def save_without_a_label(self: fasttext.FastText._FastText, path: str) -> None:
    """A model of the right size that is not the classifier trained: its label renamed."""
    _save(self, path)
    data = Path(path).read_bytes()
    Path(path).write_bytes(data.replace(b"__label__wiki", b"__label__wika"))


PATCHES = {"short": save_short, "no-label": save_without_a_label}

if __name__ == "__main__":
    fasttext.FastText._FastText.save_model = PATCHES[sys.argv[1]]
    main(sys.argv[2:], prog_name="fleece")
