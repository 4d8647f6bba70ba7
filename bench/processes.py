"""A stage in a child process, timed, with the peak RSS of its Beam workers and of the
DirectRunner's own process told apart (read from /proc while they live)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, NamedTuple


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _peak_kib(pid: int) -> tuple[bool, int] | None:
    """(is a Beam SDK worker, VmHWM in KiB) of a live process, or None."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return b"sdk_worker_main" in command, int(line.split()[1])
    return None


class ChildRun(NamedTuple):
    """One stage run in a child process."""

    seconds: float
    runner_kib: int  # peak RSS of the launching process (the DirectRunner's own)
    worker_kib: int  # the largest peak RSS of its Beam SDK workers (0: none ran)
    cpu_seconds: float  # user + system of the child and of the processes it waited for


def run_fleece_child(args: list[str]) -> ChildRun:
    """Run `fleece ARGS...` in a child process: each process's VmHWM read every 50 ms while
    it lives, the CPU time from the child's rusage once it ends (os.wait4)."""
    start = time.perf_counter()
    # stderr to a file, not a pipe: nothing reads it before the child ends, and a pipe's
    # buffer filled by progress lines would stop the child
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", *args], stdout=subprocess.DEVNULL, stderr=errors
        )
        runner = worker = 0
        while not (ended := os.wait4(child.pid, os.WNOHANG))[0]:
            for pid in _descendants(child.pid):
                peak = _peak_kib(pid)
                if peak is not None and peak[0]:
                    worker = max(worker, peak[1])
                elif peak is not None:
                    runner = max(runner, peak[1])
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        _, status, usage = ended
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if child.returncode:
            errors.seek(0)
            raise RuntimeError(f"fleece {' '.join(args)} failed: {errors.read().decode()[-2000:]}")
    return ChildRun(seconds, runner, worker, usage.ru_utime + usage.ru_stime)


def run_child(stage: str, manifest_path: Path) -> tuple[float, int, int]:
    """(seconds, peak RSS in KiB of the launching process (the DirectRunner's), the largest
    peak RSS of its Beam workers) of one stage in a child process."""
    run = run_fleece_child([stage, "--manifest", str(manifest_path), "--force"])
    return run.seconds, run.runner_kib, run.worker_kib


def decompressed_size(paths: list[Path], opener: Callable[[Path], IO[bytes]]) -> int:
    """Bytes of the files once decompressed (`opener`: gzip.open, bz2.open, ...)."""
    total = 0
    for path in paths:
        with opener(path) as f:
            while chunk := f.read(1 << 20):
                total += len(chunk)
    return total


def marginal_mb_per_s_per_core(small: dict, large: dict, mb_key: str) -> float | None:
    """MB/s per core of the input the larger run adds over the smaller one: the rate with
    the stage's fixed cost (Beam starting its workers, some 5 s on the DirectRunner) left
    out, which is what a crawl-sized input sees. None when the larger run is not slower."""
    seconds = large["seconds"] - small["seconds"]
    if seconds <= 0:
        return None
    return round((large[mb_key] - small[mb_key]) / seconds / large["workers"], 3)


TARGET_RSS_RATIO = 1.5


def scaling_checks(small: dict, large: dict, mb_key: str, marginal_key: str = "") -> dict:
    """What every stage bench checks between its smallest and largest scale: the largest
    Beam worker's peak RSS ratio (target TARGET_RSS_RATIO: groupings carry keys, not text)
    and the marginal MB/s per core."""
    ratio = large["peak_rss_mb_worker"] / small["peak_rss_mb_worker"]
    return {
        "worker_peak_rss_ratio": round(ratio, 3),
        "worker_peak_rss_within_1_5x": ratio <= TARGET_RSS_RATIO,
        marginal_key or "marginal_mb_per_s_per_core": marginal_mb_per_s_per_core(
            small, large, mb_key
        ),
    }
