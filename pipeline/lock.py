"""One run at a time per run directory: a lock file holding who holds it.

Two `fleece corpus` on one run_dir would delete each other's outputs mid-run. The first
takes `<run_dir>/.fleece.lock` (created exclusively; it holds host, pid, start time and
command); a second refuses and names the first. A lock whose process is gone (same host,
no such pid) is stale: it is taken over, and the log says so.

Limits: this works on local and shared POSIX filesystems (NFS included: exclusive create is
atomic there), where a pid can be checked only from the host that holds the lock. On object
stores (gs://, s3://) there is neither an atomic create nor a process to check, so runs on
a bucket run_dir are not locked: do not start two on one prefix.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger("fleece")

LOCK_NAME = ".fleece.lock"


class RunLockedError(RuntimeError):
    """Another live process holds the run directory."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _describe(holder: dict) -> str:
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(holder.get("started", 0)))
    return (f"pid {holder.get('pid')} on {holder.get('host')}, started {started}: "
            f"{holder.get('command', '?')}")  # fmt: skip


def _age(path: str) -> float:
    try:
        return time.time() - os.path.getmtime(path)
    except FileNotFoundError:
        return 0.0


def _take(path: str) -> bool:
    holder = {"host": socket.gethostname(), "pid": os.getpid(), "started": time.time(),
              "command": " ".join(sys.argv)}  # fmt: skip
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(holder, handle)
    return True


@contextmanager
def run_lock(run_dir: str) -> Iterator[None]:
    """Hold `run_dir`'s lock for the duration (a no-op for object-store run_dirs)."""
    if "://" in run_dir:
        yield
        return
    os.makedirs(run_dir, exist_ok=True)
    path = os.path.join(run_dir, LOCK_NAME)
    while not _take(path):
        try:
            with open(path, encoding="utf-8") as handle:
                holder = json.load(handle)
        except (OSError, ValueError):  # being written, or half written by a killed run
            holder = {}
            if _age(path) < 5:
                time.sleep(0.1)
                continue
        same_host = holder.get("host") == socket.gethostname()
        if holder and not (same_host and not _alive(int(holder.get("pid", 0)))):
            raise RunLockedError(
                f"{run_dir} is in use by {_describe(holder)}; wait for it to end, or, if "
                f"that process is gone, remove {path}"
            )
        log.warning("%s: taking over a stale lock (%s)", run_dir, _describe(holder))
        try:
            os.remove(path)
        except FileNotFoundError:
            pass  # another process took it over first; try again
    try:
        yield
    finally:
        os.remove(path)
