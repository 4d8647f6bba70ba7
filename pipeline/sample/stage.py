"""The `sample` stage: writes the synthetic inputs a sample manifest reads.

Files are generated in a scratch folder and only those whose bytes changed replace the
ones in place, so regenerating an identical sample keeps the inputs' modification times
and does not make every downstream stage look stale. Each file replaces its old one in one
step (a rename; across two filesystems, a copy to a hidden name beside it, then a rename),
so no input is ever half written. A kill between two files still leaves a mix of old and new
inputs: a stage that reads under `sample.out` refuses to run until this stage is complete
again (the harness asks `reads_sample` in pipeline/harness/completion.py).
"""

from __future__ import annotations

import errno
import filecmp
import os
import shutil
import tempfile

from pipeline import io
from pipeline.config import RunConfig
from pipeline.harness.stage import Stage, StageContext
from pipeline.sample import write_sample
from pipeline.sample.cli import sample

PARTIAL = ".partial"  # the suffix of a copy not yet renamed into place: no input glob ends so


def replace_file(fresh: str, target: str) -> None:
    """Put `fresh` at `target` in one step: a reader, or a kill, sees the old file or the new
    one, never part of one."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.replace(fresh, target)
        return
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
    # another filesystem: copy beside the target, then rename there
    handle, partial = tempfile.mkstemp(
        dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.", suffix=PARTIAL
    )
    os.close(handle)
    try:
        shutil.copy2(fresh, partial)
        os.replace(partial, target)
    except BaseException:
        os.remove(partial)
        raise


def replace_if_changed(fresh: str, target: str) -> bool:
    """Put `fresh` at `target` unless `target` holds the same bytes; whether it did."""
    if os.path.exists(target) and filecmp.cmp(fresh, target, shallow=False):
        return False
    replace_file(fresh, target)
    return True


def upload_if_changed(fresh: str, target: str) -> bool:
    """Copy `fresh` to the object `target` of an object store unless it holds the same
    bytes; whether it did."""
    with open(fresh, "rb") as f:
        data = f.read()
    if io.exists(target):
        with io.open_read(target) as f:
            if f.read() == data:
                return False
    io.write_bytes(target, data)
    return True


def remove_partial_copies(out: str) -> None:
    """What a killed run's copies across filesystems left (replace_file)."""
    for root, _, files in os.walk(out):
        for name in files:
            if name.startswith(".") and name.endswith(PARTIAL):
                os.remove(os.path.join(root, name))


class SampleStage(Stage):
    name = "sample"
    config_key = "sample"
    version = 2  # 2: "<s>" planted as text in GitHub code and StackExchange answers
    help = "Write the synthetic sample inputs (all seven sources) and their ground truth."

    def enabled(self, run: RunConfig) -> bool:
        return run.sample.enabled

    def parameters(self, run: RunConfig) -> object:
        return run.sample

    def run(self, ctx: StageContext) -> dict[str, int]:
        config = ctx.run.sample
        out = ctx.run.resolve(config.out)
        remote = "://" in out and not out.startswith("file://")
        if not remote:
            remove_partial_copies(out)
        written = unchanged = size = 0
        # in the stage's temporary folder (pipeline/harness/scratch.py): on the run's disk,
        # cleared with its in-progress folder if the run is killed
        with tempfile.TemporaryDirectory() as scratch:
            write_sample(scratch, scale=config.scale, seed=config.seed)
            for root, dirs, files in os.walk(scratch):
                dirs.sort()
                for name in sorted(files):
                    fresh = os.path.join(root, name)
                    relative = os.path.relpath(fresh, scratch)
                    size += os.path.getsize(fresh)
                    if remote:  # an object is replaced whole by one put
                        changed = upload_if_changed(fresh, io.join(out, relative))
                    else:
                        changed = replace_if_changed(fresh, os.path.join(out, relative))
                    written += changed
                    unchanged += not changed
        return {"bytes.written": size, "files.unchanged": unchanged, "files.written": written}


STAGE = SampleStage()
# `fleece sample OUT` writes the same sample anywhere; in a manifest this stage writes it to
# sample.out (`fleece corpus --only sample`).
command = sample
