"""What the trainer checks before it trusts a shard directory.

On start, cheaply: manifest.json's fields have their types and ranges; each shard the run
reads has the size its entry records, opens as a valid Arrow stream (the reader validates
offsets and indices) and holds the entry's documents and tokens; the largest id any shard
records is below the model's vocabulary; the tokenizer copy has the sha256 the manifest
records (every checkpoint copies it, to decode with). Then, in a background thread, each
shard's sha256 is compared with its entry (`data.verify_sha256`, on by default): a window
is only served from a shard whose hash check has finished, and the run waits for the
remaining checks before it ends, so a corrupt shard stops training with its name whatever
the run's length.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from typing import Any

from pipeline.shards.format import (
    MANIFEST_NAME,
    TOKENIZER_NAME,
    file_sha256,
    join,
    load_manifest,
)
from pipeline.shards.manifest_schema import manifest_problems


class ShardCheckError(ValueError):
    """A shard directory the trainer must not read, with every reason found."""


def checked_manifest(directory: str) -> dict[str, Any]:
    """manifest.json of `directory`, its fields checked; ShardCheckError listing what is wrong."""
    manifest = load_manifest(directory)
    problems = manifest_problems(manifest)
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        raise ShardCheckError(
            f"{join(directory, MANIFEST_NAME)}: {shown} (run `fleece verify {directory}`)"
        )
    return manifest


def check_tokenizer_copy(directory: str, manifest: dict[str, Any]) -> None:
    """The shards' tokenizer.model has the sha256 manifest.json records (`fleece verify`
    checks the same): a damaged one would be copied into every checkpoint."""
    path = join(directory, TOKENIZER_NAME)
    expected = manifest["tokenizer"]["sha256"]
    actual = file_sha256(path)
    if actual != expected:
        raise ShardCheckError(
            f"{path}: sha256 {actual[:12]} differs from {MANIFEST_NAME}'s tokenizer.sha256 "
            f"{expected[:12]} (changed after the shards were encoded; run `fleece verify`)"
        )


def check_sizes(directory: str, entries: Iterable[dict[str, Any]]) -> None:
    """Each shard present with the size its entry records (a stat per shard, no read)."""
    for entry in entries:
        path = join(directory, entry["file"])
        try:
            size = os.stat(path).st_size if "://" not in path else None
        except FileNotFoundError:
            raise ShardCheckError(f"{path}: listed in {MANIFEST_NAME} but missing") from None
        if size is not None and size != entry["bytes"]:
            raise ShardCheckError(
                f"{path}: {size} bytes, {MANIFEST_NAME} says {entry['bytes']} "
                "(truncated or replaced; run `fleece verify`)"
            )


def check_vocabulary(directory: str, entries: Iterable[dict[str, Any]], vocab_size: int) -> None:
    """No shard records an id at or above the model's vocabulary (from the manifest: no scan)."""
    for entry in entries:
        if entry["documents"] and entry["max_id"] >= vocab_size:
            raise ShardCheckError(
                f"{join(directory, entry['file'])}: holds token id {entry['max_id']}, but the "
                f"model's vocabulary has {vocab_size} ids"
            )


class ShardHashes:
    """sha256 of each shard compared with its manifest entry, in a background thread, in the
    order the shards are listed; `ready(i)` waits for shard i's check and raises if it failed."""

    def __init__(self, directory: str, entries: list[dict[str, Any]], enabled: bool = True):
        self.directory = directory
        self.entries = entries
        self._done = [threading.Event() for _ in entries]
        self._errors: dict[int, str] = {}
        self._thread: threading.Thread | None = None
        if enabled:
            self._thread = threading.Thread(
                target=self._check_all, name="fleece-shard-sha256", daemon=True
            )
            self._thread.start()
        else:
            for event in self._done:
                event.set()

    def _check_all(self) -> None:
        for index, entry in enumerate(self.entries):
            path = join(self.directory, entry["file"])
            try:
                digest = file_sha256(path)
                if digest != entry["sha256"]:
                    self._errors[index] = (
                        f"{path}: sha256 {digest} differs from {MANIFEST_NAME}'s "
                        f"{entry['sha256']} (the shard changed after the mix; run `fleece verify`)"
                    )
            except OSError as error:
                self._errors[index] = f"{path}: cannot be read for its sha256 check: {error}"
            finally:
                self._done[index].set()

    def ready(self, index: int) -> None:
        """Return once shard `index` has passed its check; ShardCheckError if it failed."""
        self._done[index].wait()
        if index in self._errors:
            raise ShardCheckError(self._errors[index])

    def wait_all(self) -> None:
        """Every check finished and passed (called before a run ends)."""
        for index in range(len(self.entries)):
            self.ready(index)
