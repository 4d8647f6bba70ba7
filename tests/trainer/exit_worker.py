"""`fleece` as one torchrun worker that records, at exit, the threads still alive in it.

Run as a script (`torchrun ... exit_worker.py DIR train --config ...`): its exit hook is
registered before fleece is imported, so it runs after every hook fleece registers (they run
last in, first out) and sees what the interpreter's finalization would meet. It writes
DIR/rank-<RANK>.txt: one line per kernel thread of the process after the main one, its name
(/proc/self/task/<tid>/comm: gloo names its threads gloo_tcp_loop and pt_gloo_runloop).
"""

from __future__ import annotations

import atexit
import os
import sys


def native_thread_names() -> list[str]:
    """Names of this process's kernel threads other than the main thread."""
    names = []
    for tid in os.listdir("/proc/self/task"):
        if int(tid) == os.getpid():
            continue
        try:
            with open(f"/proc/self/task/{tid}/comm", encoding="utf-8") as handle:
                names.append(handle.read().strip())
        except FileNotFoundError:  # the thread ended while we listed the others
            continue
    return sorted(names)


def record_threads(directory: str) -> None:
    path = os.path.join(directory, f"rank-{os.environ.get('RANK', '0')}.txt")
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines(f"{name}\n" for name in native_thread_names())


if __name__ == "__main__":
    atexit.register(record_threads, sys.argv[1])
    sys.argv = ["fleece", *sys.argv[2:]]
    # lazy: imported after the exit hook is registered, so that the hook runs last
    from pipeline.cli import main

    main()
