"""The `sample` stage: writes the synthetic inputs a sample manifest reads.

Files are generated in a scratch folder and only those whose bytes changed replace the
ones in place, so regenerating an identical sample keeps the inputs' modification times
and does not make every downstream stage look stale.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile

from pipeline.config import RunConfig
from pipeline.harness.stage import Stage, StageContext
from pipeline.sample import write_sample
from pipeline.sample.cli import sample


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
        if "://" in out:
            raise ValueError(f"sample.out must be a local directory, got {out}")
        written = unchanged = size = 0
        # scratch inside the stage's own folder (a local run_dir): a killed run leaves it
        # there, and the next run of the stage clears that folder first
        scratch_root = ctx.out_dir if "://" not in ctx.out_dir else os.path.dirname(out)
        with tempfile.TemporaryDirectory(dir=scratch_root) as scratch:
            write_sample(scratch, scale=config.scale, seed=config.seed)
            for root, _, files in os.walk(scratch):
                for name in sorted(files):
                    fresh = os.path.join(root, name)
                    target = os.path.join(out, os.path.relpath(fresh, scratch))
                    size += os.path.getsize(fresh)
                    if os.path.exists(target) and filecmp.cmp(fresh, target, shallow=False):
                        unchanged += 1
                        continue
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.move(fresh, target)
                    written += 1
        return {"bytes.written": size, "files.unchanged": unchanged, "files.written": written}


STAGE = SampleStage()
# `fleece sample OUT` writes the same sample anywhere; in a manifest this stage writes it to
# sample.out (`fleece corpus --only sample`).
command = sample
