"""A checkpoint's checksums: what its COMPLETE marker records, and the check before a load.

COMPLETE, written last, is JSON naming every other file of the checkpoint with its size
and sha256:

    {"format": "fleece-checkpoint/1",
     "files": {"rng-00000.pt": {"bytes": 1491, "sha256": "..."},
               "state/.metadata": {...}, "state/__0_0.distcp": {...}, "trainer.json": {...}}}

A resume, `--init-from`, `fleece generate` and `fleece export hf` check every recorded file
before they load anything: a file missing, of another size or with another sha256 is one
line naming it (`DamagedCheckpoint`), where a damaged file would otherwise fail deep in
DCP's or pickle's parser, or, flipped weight bytes, load silently. A marker holding the
"ok" of older fleece versions records nothing: such a checkpoint loads unchecked, with a
warning.

Cost: every byte of a checkpoint is read and hashed once more on save (mostly from the
page cache, right after it was written) and once on load. sha256 runs at 0.7 GB/s on one
core of the 2-core test machine (1-2 GB/s on a server core); each rank hashes the files it
wrote, and the files to check are dealt among the ranks, each hashing its share in
parallel threads (hashlib releases the GIL), so a save of a 7B model with AdamW state
(~84 GB) over 8 ranks adds seconds, not minutes. The weights-only readers also hash the
optimizer state that shares the model's files: a check cheaper than the load it guards
would have to skip bytes it cannot tell apart.
"""

from __future__ import annotations

import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import torch.distributed as dist

from pipeline.shards.format import file_sha256
from trainer.parallel import Topology

log = logging.getLogger("fleece.trainer")

COMPLETE = "COMPLETE"
MARKER_FORMAT = "fleece-checkpoint/1"
LEGACY_MARKER = "ok"  # what COMPLETE held before it recorded checksums
_PARTIAL_MARKER = COMPLETE + ".partial"
_HASH_THREADS = 8


class DamagedCheckpoint(ValueError):
    """A checkpoint file is missing, truncated or changed since it was written."""


class FileSum(NamedTuple):
    bytes: int
    sha256: str


def file_sum(path: str) -> FileSum:
    return FileSum(os.path.getsize(path), file_sha256(path))


def checkpoint_files(folder: str) -> list[str]:
    """Every file of the checkpoint but its marker, as sorted paths relative to `folder`."""
    found = []
    for parent, _, names in os.walk(folder):
        for name in names:
            relative = os.path.relpath(os.path.join(parent, name), folder)
            if relative not in (COMPLETE, _PARTIAL_MARKER):
                found.append(relative)
    return sorted(found)


def rank_files(folder: str, rank: int) -> list[str]:
    """The files rank `rank` writes itself: its DCP data files (DCP names them __<rank>_<n>)
    and its RNG state."""
    state = os.path.join(folder, "state")
    mine = [os.path.join("state", n) for n in os.listdir(state) if n.startswith(f"__{rank}_")]
    rng = f"rng-{rank:05d}.pt"
    return sorted(mine + ([rng] if os.path.exists(os.path.join(folder, rng)) else []))


def file_sums(folder: str, names: list[str]) -> dict[str, FileSum]:
    """Size and sha256 of each named file, hashed in parallel threads."""
    if not names:
        return {}
    with ThreadPoolExecutor(min(_HASH_THREADS, len(names))) as pool:
        sums = pool.map(lambda name: file_sum(os.path.join(folder, name)), names)
        return dict(zip(names, sums, strict=True))


def write_marker(folder: str, sums: dict[str, FileSum]) -> None:
    """COMPLETE with the checksums, renamed into place: a kill never leaves half a list."""
    record = {
        "format": MARKER_FORMAT,
        "files": {name: s._asdict() for name, s in sorted(sums.items())},
    }
    partial = os.path.join(folder, _PARTIAL_MARKER)
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=1)
        handle.write("\n")
    os.replace(partial, os.path.join(folder, COMPLETE))


def recorded_sums(folder: str) -> dict[str, FileSum] | None:
    """The checksums COMPLETE records; None for an older marker that records none."""
    marker = os.path.join(folder, COMPLETE)
    try:
        with open(marker, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise DamagedCheckpoint(f"{folder}: not a complete checkpoint (no {COMPLETE})") from None
    if raw.strip() == LEGACY_MARKER.encode():
        return None
    try:
        record = json.loads(raw)
        if record["format"] != MARKER_FORMAT:
            raise ValueError(f"format {record['format']!r}, expected {MARKER_FORMAT!r}")
        return {
            name: FileSum(int(s["bytes"]), str(s["sha256"])) for name, s in record["files"].items()
        }
    except (ValueError, KeyError, TypeError, AttributeError) as error:  # any foreign bytes
        raise DamagedCheckpoint(
            f"{marker}: not a checksum list ({type(error).__name__}: {error}); "
            "the checkpoint cannot be checked"
        ) from None


def file_damage(folder: str, name: str, expected: FileSum) -> str | None:
    """What is wrong with one recorded file, in one line naming it; None when intact."""
    path = os.path.join(folder, name)
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        return f"{path}: missing ({COMPLETE} records {expected.bytes} bytes)"
    if size != expected.bytes:
        return (
            f"{path}: {size} bytes, {COMPLETE} records {expected.bytes} (truncated or overwritten)"
        )
    try:
        actual = file_sum(path)
    except OSError as error:
        return f"{path}: cannot be read for its sha256 check ({error.strerror or error})"
    if actual.sha256 != expected.sha256:
        return (
            f"{path}: sha256 {actual.sha256[:12]} differs from {COMPLETE}'s "
            f"{expected.sha256[:12]} (changed since the checkpoint was written)"
        )
    return None


def _first_damage(folder: str, recorded: dict[str, FileSum], names: list[str]) -> str | None:
    if not names:
        return None
    with ThreadPoolExecutor(min(_HASH_THREADS, len(names))) as pool:
        found = pool.map(lambda name: file_damage(folder, name, recorded[name]), names)
        return next((problem for problem in found if problem is not None), None)


def verify_checkpoint(folder: str, topology: Topology | None = None) -> None:
    """DamagedCheckpoint, in one line naming the file, unless every file that checkpoint
    `folder` records is intact; a warning when it records none (an older fleece wrote it).
    Under several ranks (collective then) each rank hashes its share of the files, and
    every rank raises the same error."""
    recorded = recorded_sums(folder)
    if recorded is None:
        if topology is None or topology.is_main:
            log.warning(
                "%s: its %s holds no checksums (written by an older fleece): loaded unchecked",
                folder,
                COMPLETE,
            )
        return
    names = sorted(recorded)
    if topology is None or topology.world_size == 1:
        problem = _first_damage(folder, recorded, names)
    else:
        mine = _first_damage(folder, recorded, names[topology.rank :: topology.world_size])
        every: list[str | None] = [None] * topology.world_size
        dist.all_gather_object(every, mine)
        problem = min((p for p in every if p is not None), default=None)
    if problem is not None:
        raise DamagedCheckpoint(problem)
