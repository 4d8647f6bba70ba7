"""A fault for tests only: a DoFn raises once in a chosen bundle, or its worker process is
killed there, so that tests can show what a stage does when a worker fails on a runner with
separate worker processes (the portable path's external pool).

The launcher arms it from its environment, `FLEECE_FAULT=<DoFn class>:<bundle>:<raise|kill>`
(bundle 1 is the first that DoFn starts in a worker), and every DoFn of that class carries
it to its workers (pipeline/io.py, StoreFn), which do not inherit the launcher's
environment. It fires where it first wins a race to create its marker file, with O_EXCL, in
the run directory (local disk): once per run, however many workers or bundle attempts reach
it, and never again while the marker is there.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

ENVIRONMENT = "FLEECE_FAULT"
ACTIONS = ("raise", "kill")


class InjectedFault(RuntimeError):
    """The exception a fault armed with `raise` raises."""


@dataclass(frozen=True)
class Fault:
    fn: str  # the DoFn's class name
    bundle: int  # the bundle, counted per DoFn instance in a worker, from 1
    action: str  # "raise" or "kill"
    marker: str  # the file whose creation fires it

    def fire_at(self, bundle: int) -> None:
        """Fire if this is the chosen bundle and no worker fired it before."""
        if bundle != self.bundle:
            return
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            return
        if self.action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise InjectedFault(f"{ENVIRONMENT}: {self.fn} failed in bundle {bundle} as asked")


_armed: Fault | None = None


def arm(run_dir: str) -> Fault | None:
    """Arm the fault `FLEECE_FAULT` names, if any, its marker in `run_dir` (a local run
    directory: O_EXCL is a local filesystem's); the one armed, or None."""
    global _armed
    spec = os.environ.get(ENVIRONMENT, "")
    if not spec:
        _armed = None
        return None
    fn, bundle, action = (spec.split(":") + ["", ""])[:3]
    if not fn or not bundle.isdigit() or action not in ACTIONS:
        raise ValueError(f"{ENVIRONMENT}={spec!r}: expected <DoFn class>:<bundle>:raise|kill")
    if "://" in run_dir and not run_dir.startswith("file://"):
        raise ValueError(f"{ENVIRONMENT} needs a local run directory, not {run_dir}")
    marker = os.path.join(run_dir.removeprefix("file://"), f".fault-{fn}-{bundle}-{action}")
    _armed = Fault(fn, int(bundle), action, os.path.abspath(marker))
    return _armed


def armed_for(fn: str) -> Fault | None:
    """The armed fault if it is for DoFn class `fn`."""
    return _armed if _armed is not None and _armed.fn == fn else None
