"""Folders that `fleece export` and `fleece import` write: all or nothing, never over data.

The files are written into a hidden sibling (`.NAME.partial`) and renamed into place when
every one of them is there, so an interrupted export leaves no half folder that a loader
could mistake for a model. An existing non-empty folder is refused unless `force`, which
replaces it whole (stale shards of an earlier, larger export must not survive beside the
new ones). A folder that holds the source is refused even then: replacing it would delete
what is being read.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager


class OutputExists(FileExistsError):
    """The output folder exists and is not empty (and --force was not given)."""


def _inside(path: str, folder: str) -> bool:
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


@contextmanager
def written_folder(out: str, force: bool, source: str) -> Iterator[str]:
    """Yield a fresh staging folder; on success it becomes `out`, on failure it is removed."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise OutputExists(f"{out}: exists and is not a folder")
    if os.path.isdir(out) and os.listdir(out):
        if _inside(source, out):
            raise OutputExists(f"{out}: holds the input {source}; choose another output folder")
        if not force:
            raise OutputExists(f"{out}: exists and is not empty (--force replaces it)")
    parent, name = os.path.split(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    staging = os.path.join(parent, f".{name}.partial")
    shutil.rmtree(staging, ignore_errors=True)  # left by an interrupted earlier attempt
    os.makedirs(staging)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.rename(staging, out)
