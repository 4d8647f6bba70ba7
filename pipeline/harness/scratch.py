"""Where a stage's temporary files go: `<in-progress folder>/_tmp/`, removed with it.

Temporary folders are made in many places while a stage runs: fleece's own (a model copied
for a worker, the text lmplz trains on), the libraries' (SentencePiece), Beam's (its job
server's `beam-temp*`, its stager's cache, its workers' `tmp*`). Rather than hand each a
folder, `stage_temp_dir` makes the stage's temporary folder the process's and its child
processes' (`tempfile.tempdir`, `TMPDIR`) for as long as the stage runs: every one of them
lands there, on the disk of the run rather than in a /tmp a large run could outgrow, and a
killed run's are cleared with the rest of its in-progress folder by the next run.

A run_dir on an object store gets a fresh folder in the system temp folder instead, removed
when the stage ends. A worker of a remote runner does not inherit TMPDIR: what a DoFn makes
in `setup` (in that worker's system temp) it removes in `teardown`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator

TMP = "_tmp"


@contextlib.contextmanager
def stage_temp_dir(work_dir: str, stage: str) -> Iterator[str]:
    """For the block, the temporary folder of this process and of the processes it starts
    is `<work_dir>/_tmp` (work_dir on local disk) or a fresh `fleece-<stage>-*` folder in
    the system temp folder (work_dir on an object store); removed when the block ends."""
    if "://" in work_dir and not work_dir.startswith("file://"):
        folder = tempfile.mkdtemp(prefix=f"fleece-{stage}-")
    else:
        folder = os.path.join(work_dir.removeprefix("file://"), TMP)
        os.makedirs(folder, exist_ok=True)
    saved_tempdir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = os.environ["TMPDIR"] = folder
    try:
        yield folder
    finally:
        tempfile.tempdir = saved_tempdir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        shutil.rmtree(folder, ignore_errors=True)
