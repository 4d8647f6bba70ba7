"""The time left to the last step, for the progress line ("eta 3m12s").

Estimated from the mean wall time per step since this process's first step ended: the first
step pays for warm-up (kernel selection and compilation, allocator growth, the first shard
reads; a resumed run's checkpoint load), which later steps do not. Wall time rather than the
step's own time, so validation and checkpoint saves, which recur, count in the estimate.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class TimeLeft:
    """`update(step)` after each step returns the seconds left to `total` (None until a
    second step has ended). The clock is injectable so tests need not wait."""

    def __init__(self, total: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.clock = clock
        self._first: tuple[int, float] | None = None  # (step, time) when the first step ended

    def update(self, step: int) -> float | None:
        now = self.clock()
        if self._first is None:
            self._first = (step, now)
            return None
        first_step, first_time = self._first
        if step <= first_step:
            return None
        per_step = (now - first_time) / (step - first_step)
        return per_step * max(self.total - step, 0)


def format_duration(seconds: float) -> str:
    """42s, 3m12s, 2h05m, 3d04h: two units at most, the larger first."""
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"
