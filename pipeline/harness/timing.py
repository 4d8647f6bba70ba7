"""How long a stage took: wall time and core-seconds, `timing` in its `_SUCCESS` (which
records when the stage ran; `_stats.json` stays the same for the same inputs).

Core-seconds are the CPU time (user + system) of this process and of the child processes
it waited for while the stage ran: the DirectRunner's worker processes and the programs a
stage runs (lmplz, build_binary). Workers of a runner on other machines are not seen here,
so on a cluster the figure covers the launcher only; the runner's own console has theirs.
"""

from __future__ import annotations

import contextlib
import resource
import time
from collections.abc import Iterator


def _cpu_seconds() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


@contextlib.contextmanager
def stage_timing() -> Iterator[dict[str, float]]:
    """A dict filled, once the block ends, with `wall_seconds` and `core_seconds`."""
    timing: dict[str, float] = {}
    wall, cpu = time.monotonic(), _cpu_seconds()
    try:
        yield timing
    finally:
        timing["wall_seconds"] = round(time.monotonic() - wall, 3)
        timing["core_seconds"] = round(_cpu_seconds() - cpu, 3)
