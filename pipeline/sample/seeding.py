"""Seeded random streams for the sample: one independent `random.Random` per (seed, label).

Every generator takes its own stream, named by what it makes, so adding a source or changing
one source's output never shifts the random numbers another source sees.
"""

from __future__ import annotations

import hashlib
import random


def rng_for(seed: int, *labels: object) -> random.Random:
    """A Random seeded from a hash of `seed` and `labels` (stable across Python versions)."""
    key = "/".join([str(seed), *map(str, labels)]).encode("utf-8")
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def uuid_from(rng: random.Random) -> str:
    """A version-4-shaped UUID string drawn from `rng` (no clock, no os entropy)."""
    value = rng.getrandbits(128)
    value = (value & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
    value = (value & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
    hexed = f"{value:032x}"
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"
