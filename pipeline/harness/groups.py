"""Resume within a stage: a two-pass stage over many input files commits its work per group
of `commit_files` consecutive files (in the stage's sorted order), as cc_net commits per
shard, and a rerun after a failure or a kill reads only the groups not yet committed.

The stages it serves (ccnet, github, wikipedia) share one shape: pass 1 reads each file
for keys (hashes, ids), a global decision (dedup across every file) turns all the keys into
a verdict per file, and pass 2 reads each file again to write that file's own parts. Here
each step is its own Beam run, and each leaves its results in the in-progress folder, under
`_groups/`:

  pass 1, per group: what the stage's pass-1 DoFn yields, per file (`keys/<file>.pickle`)
  decide, once:      the verdict of each file (`verdicts/<file>.pickle`), from the stored
                     keys alone: it reads no input file
  pass 2, per group: the file's parts, where they always go; what the DoFn yields (error
                     rows) per file (`rows/<file>.pickle`)

A group (or the decision) is committed by its marker `<step>-g<group>.json`, written last
and holding the Beam counters of that run: a rerun skips every committed group, and the
stage's counters are the sum over the markers, the same as an uninterrupted run's. The error
part is written at the end from the stored error rows, as `WriteErrors` writes it. A stage
whose inputs fit one group runs its one pipeline as before (`make corpus` at scale 1).

What this run read (groups committed before it, files it read per pass) is `resumed` in
the stage's `_SUCCESS`, not in `_stats.json`, which stays that of an uninterrupted run.
`run_stage` keeps the in-progress folder of a killed run only when its `_groups/resume.json`
names the same fingerprint, code and flags (pipeline/harness/running.py).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from typing import Any

import apache_beam as beam
import pyarrow.parquet as pq

from pipeline import io
from pipeline.documents import ERROR_SCHEMA, part_name, sorted_table
from pipeline.harness.beam import ATTEMPTED, run_beam
from pipeline.harness.stage import StageContext

GROUPS = "_groups"
RESUME_KEY = "resume.json"
PASS1, DECIDE, PASS2 = "pass1", "decide", "pass2"
ERRORS = "errors"  # the tag of stored error rows


def group_ranges(count: int, group_files: int) -> list[range]:
    """The file indices of each group: `group_files` consecutive files, the last one short."""
    return [range(start, min(start + group_files, count)) for start in range(0, count, group_files)]


def marker_path(work_dir: str, step: str, group: int) -> str:
    return io.join(work_dir, GROUPS, f"{step}-g{group:05d}.json")


def store_path(work_dir: str, kind: str, index: int) -> str:
    return io.join(work_dir, GROUPS, kind, f"{index:05d}.pickle")


def committed_any(work_dir: str) -> bool:
    """Whether a killed run left a committed group (or decision) in `work_dir`: only then
    is there anything to resume."""
    listed = io.list_tree(io.join(work_dir, GROUPS))
    return any(path.endswith(".json") and path != RESUME_KEY for path, _, _ in listed)


def add_counters(total: dict[str, int], more: dict[str, int]) -> None:
    for name, value in more.items():
        total[name] = total.get(name, 0) + value


def read_stored(path: str) -> Iterator[tuple[str, Any]]:
    """The (tag, value) pairs of one stored file, in the order they were written."""
    return io.read_pickles(path)


class StoreOutputsFn(io.StoreFn):
    """Runs a stage's DoFn over one element `(file index, ...)` and streams what it yields
    to `<kind>/<file index>.pickle` as (tag, value): `main` for its main output, a
    TaggedOutput's tag for the others. The stage's counters are counted as they would be."""

    def __init__(self, inner: beam.DoFn, work_dir: str, kind: str, main: str) -> None:
        super().__init__()
        self.inner, self.work_dir, self.kind, self.main = inner, work_dir, kind, main

    def setup(self) -> None:
        super().setup()
        self.inner.setup()

    def start_bundle(self) -> None:
        super().start_bundle()
        self.inner.start_bundle()  # a fault a test arms for the stage's DoFn fires as before

    def teardown(self) -> None:
        self.inner.teardown()

    def process(self, element: tuple[int, Any], *side: Any) -> Iterator[int]:
        index = element[0]
        with io.open_write(store_path(self.work_dir, self.kind, index)) as f:
            for item in self.inner.process(element, *side) or ():
                if isinstance(item, beam.pvalue.TaggedOutput):
                    pickle.dump((item.tag, item.value), f)
                else:
                    pickle.dump((self.main, item), f)
        yield index


class _ReadStoredFn(io.StoreFn):
    def __init__(self, work_dir: str, kind: str, tag: str) -> None:
        super().__init__()
        self.work_dir, self.kind, self.tag = work_dir, kind, tag

    def process(self, index: int) -> Iterator[Any]:
        for tag, value in read_stored(store_path(self.work_dir, self.kind, index)):
            if tag == self.tag:
                yield value


class _StoreVerdictFn(io.StoreFn):
    def __init__(self, work_dir: str) -> None:
        super().__init__()
        self.work_dir = work_dir

    def process(self, element: tuple[int, Any]) -> Iterator[int]:
        index, verdict = element
        io.write_bytes(store_path(self.work_dir, "verdicts", index), pickle.dumps(verdict))
        yield index


class _LoadVerdictFn(io.StoreFn):
    def __init__(self, work_dir: str) -> None:
        super().__init__()
        self.work_dir = work_dir

    def process(self, index: int) -> Iterator[tuple[int, Any]]:
        yield index, pickle.loads(io.read_bytes(store_path(self.work_dir, "verdicts", index)))


# decide(pass-1 values, listed (index, file)) -> (file index, verdict) for every file
Decide = Callable[[beam.PCollection, beam.PCollection], beam.PCollection]


class GroupedRun:
    """One resumable run of a two-pass stage over `files` (see the module docstring)."""

    def __init__(self, ctx: StageContext, files: list[io.InputFile], group_files: int) -> None:
        self.ctx, self.files = ctx, files
        self.groups = group_ranges(len(files), group_files)
        self.counters: dict[str, int] = {}
        # per step: groups committed by an earlier run, and the files this run read
        self.resumed: dict[str, dict[str, int]] = {}

    @property
    def work_dir(self) -> str:
        return self.ctx.out_dir

    def _step(
        self, step: str, groups: list[range], run_group: Callable[[range], dict], reads: bool
    ) -> None:
        committed = read = 0
        for number, group in enumerate(groups):
            marker = marker_path(self.work_dir, step, number)
            if io.exists(marker):
                done = io.read_json(marker)
                counters = done["counters"]
                self._counter_values(done.get("counter_values"))
                committed += 1
            else:
                counters = run_group(group)
                done = {
                    "files": [group.start, group.stop],
                    "counters": counters,
                    "counter_values": self.ctx.counter_values,
                }
                # written last: the group's stored results and parts are all there
                io.write_json(marker, done)
                read += len(group) if reads else 0
            add_counters(self.counters, counters)
        self.resumed[step] = {"groups": len(groups), "committed": committed}
        if reads:
            self.resumed[step]["files_read"] = read

    def _counter_values(self, values: str | None) -> None:
        """Whether the counters are committed or attempted values, as run_beam says of the
        runs it made: a committed group's runs count too (_stats.json's `counter_values`)."""
        if values == ATTEMPTED or (values is not None and self.ctx.counter_values is None):
            self.ctx.counter_values = values

    def _indexed(self, group: range) -> list[tuple[int, io.InputFile]]:
        return [(index, self.files[index]) for index in group]

    def run(self, pass1: beam.DoFn, decide: Decide, pass2: beam.DoFn) -> dict[str, int]:
        """Pass 1 per group, the decision once, pass 2 per group, then the error part;
        returns the stage's counters, summed over every step and group."""
        ctx, work_dir = self.ctx, self.work_dir

        def first(group: range) -> dict[str, int]:
            def build(p: beam.Pipeline) -> None:
                _ = (
                    p
                    | "List files" >> beam.Create(self._indexed(group))
                    | "Spread files" >> beam.Reshuffle()
                    | "Pass 1" >> beam.ParDo(StoreOutputsFn(pass1, work_dir, "keys", "keys"))
                )

            return run_beam(ctx, build)

        def decision(everything: range) -> dict[str, int]:
            def build(p: beam.Pipeline) -> None:
                keys = (
                    p
                    | "List stored" >> beam.Create(list(everything))
                    | "Spread stored" >> beam.Reshuffle()
                    | "Read keys" >> beam.ParDo(_ReadStoredFn(work_dir, "keys", "keys"))
                )
                listed = p | "List files" >> beam.Create(self._indexed(everything))
                _ = decide(keys, listed) | "Store verdicts" >> beam.ParDo(_StoreVerdictFn(work_dir))

            return run_beam(ctx, build)

        def second(group: range) -> dict[str, int]:
            def build(p: beam.Pipeline) -> None:
                _ = (
                    p
                    | "List files" >> beam.Create(list(group))
                    | "Spread files" >> beam.Reshuffle()
                    | "Load verdicts" >> beam.ParDo(_LoadVerdictFn(work_dir))
                    | "Pass 2" >> beam.ParDo(StoreOutputsFn(pass2, work_dir, "rows", ERRORS))
                )

            return run_beam(ctx, build)

        self._step(PASS1, self.groups, first, reads=True)
        # from the stored keys alone: redone unless committed, it reads no input file
        self._step(DECIDE, [range(len(self.files))], decision, reads=False)
        self._step(PASS2, self.groups, second, reads=True)
        write_error_part(ctx.out_dir, self._error_rows())
        return dict(sorted(self.counters.items()))

    def _error_rows(self) -> list[dict[str, Any]]:
        rows = []
        for kind in ("keys", "rows"):
            for index in range(len(self.files)):
                path = store_path(self.work_dir, kind, index)
                rows += [value for tag, value in read_stored(path) if tag == ERRORS]
        return rows

    def summary(self) -> dict[str, Any]:
        """What this run read, for `_SUCCESS`'s `resumed`."""
        return {"files": len(self.files), "steps": self.resumed}


def write_error_part(out_dir: str, rows: list[dict[str, Any]]) -> None:
    """The error part as `WriteErrors` (one part, sorted by record) writes it; none when no
    row came, as there."""
    if not rows:
        return
    path = io.join(out_dir, ERRORS, part_name(0))
    with io.open_write(path) as f:
        pq.write_table(sorted_table(rows, ERROR_SCHEMA, "record"), f, compression="zstd")


def resumed_line(stage: str, summary: dict[str, Any]) -> str | None:
    """The console line of a run that found groups committed, None for a fresh run."""
    steps = summary["steps"]
    if not any(step["committed"] for step in steps.values()):
        return None
    files = summary["files"]
    parts = [
        f"{name} {step['committed']} of {step['groups']} group(s) committed, read "
        f"{step['files_read']} of {files} file(s)"
        for name, step in steps.items()
        if name != DECIDE
    ]
    return f"{stage}: resumed: " + "; ".join(parts)
