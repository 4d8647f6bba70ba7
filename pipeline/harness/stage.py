"""The stage model: a `Stage` (its inputs, parameters, the outputs it writes and a `run`
that builds and runs its pipeline) and the `StageContext` it runs in.

Stages find each other's files only through the context: `ctx.input("tokenizer", "model")`
is the path of an output the tokenizer stage declares, and asking for a stage that is not in
`requires` is an error, so a stage's fingerprint always covers everything it reads. The run
directory's layout (`<run_dir>/<stage>/`) is known here and nowhere else.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from typing import Any

from pipeline import io
from pipeline.config import RunConfig
from pipeline.records import ReadOptions
from pipeline.stages import entry, table

SUCCESS = "_SUCCESS"


STATS = "_stats.json"


class StageError(RuntimeError):
    """A stage that breaks the harness's rules (reads a stage it does not require)."""


class StageCannotRun(RuntimeError):
    """A stage that cannot do its work with these inputs and settings; the message says
    what to set. Shown as one line, exit 1."""


def stage_dir(run: RunConfig, name: str) -> str:
    """`<run_dir>/<name>`: where stage `name` writes."""
    return io.join(run.resolve(run.run_dir), name)


def in_progress_dir(out_dir: str) -> str:
    """Where a stage writes before its output is committed: `.<name>.inprogress` beside
    `out_dir` on local disk; `out_dir` itself on an object store."""
    if "://" in out_dir and not out_dir.startswith("file://"):
        return out_dir
    parent, name = os.path.split(out_dir.removeprefix("file://").rstrip("/"))
    return os.path.join(parent, f".{name}.inprogress")


class Stage:
    """Base of every stage. Subclasses set `name`, `requires`, `outputs`, `config_key` and
    implement `run`; `version` is bumped whenever the stage's output changes for the same
    inputs, so runs made by older code are not reported complete."""

    name: str = ""
    requires: tuple[str, ...] = ()
    # output name -> path (a glob for parts) under <run_dir>/<name>/
    outputs: dict[str, str] = {}
    # outputs a reader loads whole (models, cutoffs, the tokenizer): re-hashed at every
    # check of the stage's completion, so bit rot is seen before they are used; parts are
    # re-hashed only under --verify
    loaded_whole: tuple[str, ...] = ()
    config_key: str = ""  # the manifest section of its parameters (stage --help lists it)
    version: int = 1
    # commits its work per group of input files (harness/groups.py): a rerun of a killed
    # run keeps the committed groups instead of starting from scratch
    resumable: bool = False
    help: str = ""

    def enabled(self, run: RunConfig) -> bool:
        return True

    def input_patterns(self, run: RunConfig) -> list[str]:
        return []

    def parameters(self, run: RunConfig) -> Any:
        return None

    def run(self, ctx: StageContext) -> dict[str, int]:
        raise NotImplementedError


def find_stage(name: str) -> Stage:
    """The Stage object of `name`, from the module the stage table names (imported now, not
    before: the table itself imports no stage)."""
    return importlib.import_module(entry(name).module).STAGE


def all_stages() -> list[Stage]:
    """Every stage, in the order they run (pipeline/stages.py)."""
    return [find_stage(e.name) for e in table()]


@dataclasses.dataclass
class StageContext:
    """What a running stage knows: the run, where it writes, the flags, and the way to its
    upstream stages' outputs."""

    run: RunConfig
    stage: Stage
    out_dir: str
    limit: int | None = None
    strict: bool = False
    keep_dropped: bool = False
    beam_args: list[str] = dataclasses.field(default_factory=list)
    # measurements that are not counts (cutoffs, precision, AUC): `figures` in _stats.json
    figures: dict[str, float] = dataclasses.field(default_factory=dict)
    # whether the runner's counters were committed or attempted values (harness/beam.py);
    # None when the stage ran no Beam pipeline
    counter_values: str | None = None
    # what a resumable stage's run read (harness/groups.py): `resumed` in its _SUCCESS
    resumed: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self.stage.name

    @property
    def read_options(self) -> ReadOptions:
        return ReadOptions(limit=self.limit, strict=self.strict)

    def output(self, name: str) -> str:
        """The path of one of this stage's declared outputs."""
        return io.join(self.out_dir, self.stage.outputs[name])

    def _upstream(self, stage: str) -> Stage:
        if stage not in self.stage.requires:
            raise StageError(
                f"{self.name} reads from {stage} but does not list it in `requires`, so its "
                "fingerprint would not see that stage change"
            )
        return find_stage(stage)

    def input(self, stage: str, output: str) -> str:
        """The path (or glob) of output `output` of the required stage `stage`."""
        upstream = self._upstream(stage)
        if output not in upstream.outputs:
            raise StageError(
                f"{stage} has no output {output!r}; it declares {sorted(upstream.outputs)}"
            )
        return io.join(stage_dir(self.run, stage), upstream.outputs[output])

    def finished(self, stage: str) -> bool:
        """Whether the required stage `stage` has a `_SUCCESS` in this run."""
        self._upstream(stage)
        return io.exists(io.join(stage_dir(self.run, stage), SUCCESS))

    def counters(self, stage: str) -> dict[str, int]:
        """The counters the required stage `stage` recorded (empty if it has not run)."""
        self._upstream(stage)
        stats = io.join(stage_dir(self.run, stage), STATS)
        return io.read_json(stats).get("counters", {}) if io.exists(stats) else {}
