"""Running stages: one unconditionally (`run_stage`: clear, run, `_stats.json`, `_SUCCESS`,
commit), or a list in order skipping the complete ones (`run_stages`, what `fleece corpus`
and every stage command call), holding the run directory's lock, with the progress display
while a stage runs and the first bad records it met after it. A stage's `_stats.json` holds
its counters, and its funnel is checked as it is written (harness/funnel.py); its wall time
and core-seconds (harness/timing.py) go to its `_SUCCESS`. A stage runs with its own temporary folder
(harness/scratch.py) and log (harness/logs.py); a failure fleece recognises is one line
naming that log.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from typing import Any

import click

from pipeline import fault_switch, histograms, io
from pipeline.config import RunConfig, run_dir_problem
from pipeline.counters import folded
from pipeline.documents import read_documents
from pipeline.environment import environment_error
from pipeline.harness.beam import (
    beam_args_for,
    beam_runner,
    set_filesystem_options,
    worker_failure,
)
from pipeline.harness.completion import (
    code_version,
    completion,
    fingerprint,
    output_listing,
    upstream_problem,
    write_success,
)
from pipeline.harness.funnel import FunnelGapError, funnel_gap, gaps_fail
from pipeline.harness.groups import GROUPS, RESUME_KEY, committed_any, resumed_line
from pipeline.harness.logs import log_file, stage_log, where_logged
from pipeline.harness.scratch import stage_temp_dir
from pipeline.harness.stage import (
    STATS,
    Stage,
    StageCannotRun,
    StageContext,
    in_progress_dir,
    stage_dir,
)
from pipeline.harness.timing import stage_timing
from pipeline.lock import RunLockedError, run_lock
from pipeline.progress.display import ProgressOptions, StageProgress
from pipeline.records import BadInputError


def watch_progress(
    stage: Stage, run: RunConfig, beam_args: list[str], options: ProgressOptions
) -> StageProgress:
    """The progress display of one stage: its listed inputs are the totals; workers of a
    runner on other machines cannot reach the channel, so only the time is shown for them."""
    runner = beam_runner(beam_args)
    local = runner in ("DirectRunner", "direct", "BundleBasedDirectRunner", "SwitchingDirectRunner")
    patterns = [run.resolve(p) for p in stage.input_patterns(run)] if local else []
    try:
        inputs = io.match_files(patterns) if patterns else []
    except FileNotFoundError:  # the stage itself reports it
        inputs = []
    return StageProgress(
        stage.name,
        len(inputs),
        sum(f.size for f in inputs),
        options,
        runner=None if local else runner,
    )


def run_stage(
    stage: Stage,
    run: RunConfig,
    *,
    limit: int | None = None,
    strict: bool = False,
    keep_dropped: bool = False,
    beam_args: list[str] | None = None,
    stage_fingerprint: str | None = None,
    progress: ProgressOptions | None = None,
    echo: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Run one stage unconditionally: clear its output, run it, write _stats.json, _SUCCESS.
    Returns its counters, the histogram bins aside.

    A resumable stage (harness/groups.py) keeps the in-progress folder a failed or killed
    run left when that run had the same fingerprint, code and flags (its
    `_groups/resume.json`), and goes on from the groups it committed; `echo` gets the line
    saying what this run read.

    On a local run_dir the stage writes into a hidden `.<name>.inprogress/` beside its folder,
    renamed to `<name>/` once _SUCCESS is written: a killed stage leaves no folder a reader
    could take for its output, and its next run clears what the killed one left. On an object
    store (where a rename is a copy) the stage writes in place and _SUCCESS, written last over
    the listing of its files, is what commits them."""
    out_dir = stage_dir(run, stage.name)
    work_dir = in_progress_dir(out_dir)
    if stage_fingerprint is None:
        stage_fingerprint = fingerprint(stage, run, limit)
    resume_key = io.join(work_dir, GROUPS, RESUME_KEY)
    # what a killed run's groups depend on beyond the fingerprint: the code that pickled
    # them, and the flags that change what a part holds
    key = {
        "fingerprint": stage_fingerprint,
        "code_version": code_version(),
        "keep_dropped": keep_dropped,
        "strict": strict,
    }
    resuming = (
        stage.resumable
        and io.exists(resume_key)
        and _same_key(resume_key, key)
        and committed_any(work_dir)  # else a clean start clears what the killed run left
    )
    if work_dir != out_dir:
        io.remove_tree(out_dir)
    if not resuming:
        io.remove_tree(work_dir)
    io.make_dirs(work_dir)
    if stage.resumable and not resuming:
        io.make_dirs(io.join(work_dir, GROUPS))
        io.write_json(resume_key, key)
    ctx = StageContext(
        run=run,
        stage=stage,
        out_dir=work_dir,
        limit=limit,
        strict=strict,
        keep_dropped=keep_dropped,
        beam_args=list(beam_args or []),
    )
    display = watch_progress(stage, run, ctx.beam_args, progress or ProgressOptions())
    with stage_timing() as timing:
        with stage_temp_dir(work_dir, stage.name), display.running(work_dir):
            counters = stage.run(ctx)
    # histogram bins (hist.*) get a section of their own: `counters` stays short to read
    counters, bins = histograms.split(counters)
    io.remove_tree(io.join(work_dir, GROUPS))  # what resuming needed; no output
    stats: dict[str, Any] = {"stage": stage.name, "counters": counters}
    if bins:
        stats["histograms"] = bins
    if ctx.figures:
        stats["figures"] = dict(sorted(ctx.figures.items()))
    if ctx.counter_values is not None:
        stats["counter_values"] = ctx.counter_values
    io.write_json(io.join(work_dir, STATS), stats)
    check_funnel(stage.name, counters)
    write_success(
        work_dir,
        {
            "fingerprint": stage_fingerprint,
            "version": stage.version,
            "code_version": code_version(),
            "outputs": output_listing(work_dir),
            # here, not in _stats.json: _SUCCESS records when the stage ran, _stats.json
            # what it did (the same for the same inputs)
            "timing": timing,
            # what this run read (not what the stage did): groups an earlier run committed
            **({"resumed": ctx.resumed} if ctx.resumed is not None else {}),
        },
    )
    line = resumed_line(stage.name, ctx.resumed) if ctx.resumed is not None else None
    if line is not None and echo is not None:
        echo(line)
    if work_dir != out_dir:
        os.replace(work_dir, out_dir.removeprefix("file://"))
    return counters


def _same_key(path: str, key: dict[str, Any]) -> bool:
    try:
        return io.read_json(path) == key
    except ValueError:  # cut short by the kill: not the key of anything
        return False


def check_funnel(stage: str, counters: dict[str, int]) -> None:
    """Warn (or, under FLEECE_FUNNEL_GAPS=fail, fail) when the stage's funnel does not add
    up (harness/funnel.py)."""
    gap = funnel_gap(stage, counters)
    if gap is None:
        return
    if gaps_fail():
        raise FunnelGapError(gap)
    logging.getLogger("fleece").warning("%s", gap)


def _bad_input(exc: BaseException, where: str | None = None) -> str | None:
    """The one-line reason of a failure the user must act on (a missing input, a bad record
    under --strict, a full or read-only disk), dug out of the runner's wrapping; None for
    anything else. `where` names the path of a disk failure whose error names none."""
    environment = environment_error(exc, where)
    if environment is not None:
        return environment
    worker = worker_failure(exc)
    if worker is not None:
        return worker
    if isinstance(exc, FileNotFoundError | StageCannotRun):
        return str(exc)
    text = str(exc)
    marker = f"{BadInputError.__name__}: "
    if isinstance(exc, BadInputError):
        return f"--strict: {text}"
    if marker in text:
        return "--strict: " + text.split(marker, 1)[1].splitlines()[0].strip(" \"'")
    cannot = f"{StageCannotRun.__name__}: "
    if cannot in text:  # raised in a Beam worker, handed back as text
        line = text.split(cannot, 1)[1].splitlines()[0]
        return re.sub(r" \[while running '[^']*'\]$", "", line).strip(" \"'")
    return None


def run_stages(
    stages: list[Stage],
    run: RunConfig,
    *,
    only: set[str] | None = None,
    force: bool = False,
    limit: int | None = None,
    strict: bool = False,
    keep_dropped: bool = False,
    extra_beam_args: list[str] | None = None,
    echo: Callable[[str], None] = click.echo,
    progress: ProgressOptions | None = None,
    verify: bool = False,
) -> list[str]:
    """Run `stages` in order, skipping complete ones (and saying why), holding the run
    directory's lock (pipeline/lock.py) throughout. Returns the names run. While a stage
    runs, its progress goes to standard error (`progress` says how; tests set a clock).
    `verify` re-hashes every output file of the stages checked, not only the small ones."""
    problem = run_dir_problem(run)
    if problem is not None:  # before anything is written, the lock included
        raise click.ClickException(problem)
    beam_args = beam_args_for(run, list(extra_beam_args or []))
    set_filesystem_options(beam_args)
    fault_switch.arm(run.resolve(run.run_dir))  # tests only: FLEECE_FAULT
    try:
        with run_lock(run.resolve(run.run_dir)):
            return _run_in_order(
                stages, run, only, force, limit, strict, keep_dropped, beam_args, echo, progress,
                verify,
            )  # fmt: skip
    except RunLockedError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:  # the run directory itself cannot be made or locked
        reason = environment_error(exc)
        if reason is None:
            raise
        raise click.ClickException(reason) from exc


def _run_in_order(
    stages: list[Stage],
    run: RunConfig,
    only: set[str] | None,
    force: bool,
    limit: int | None,
    strict: bool,
    keep_dropped: bool,
    beam_args: list[str],
    echo: Callable[[str], None],
    progress: ProgressOptions | None,
    verify: bool,
) -> list[str]:
    ran = []
    complete_now: set[str] = set()  # stages built or found complete in this run
    for stage in stages:
        if only is not None and stage.name not in only:
            continue
        if not stage.enabled(run):
            echo(f"{stage.name}: skipped (not configured in this manifest)")
            continue
        log: str | None = None  # the stage's log, once it runs
        try:
            problem = upstream_problem(stage, run, limit, complete_now, verify)
            if problem is not None:
                raise click.ClickException(f"{stage.name}: {problem}")
            complete, why, current = completion(stage, run, limit, verify)
            if complete and not force:
                echo(f"{stage.name}: {why}; nothing to do")
                complete_now.add(stage.name)
                continue
            echo(f"{stage.name}: running ({'--force' if complete else why})")
            with stage_log(log_file(run, stage.name)) as log:
                counters = run_stage(
                    stage,
                    run,
                    limit=limit,
                    strict=strict,
                    keep_dropped=keep_dropped,
                    beam_args=beam_args,
                    stage_fingerprint=current,
                    progress=progress,
                    echo=echo,
                )
        except Exception as exc:
            reason = _bad_input(exc, run.resolve(run.run_dir))
            if reason is None:
                raise  # a bug: its traceback, which the stage's log holds too
            raise click.ClickException(f"{stage.name}: {reason}{where_logged(log)}") from exc
        summary = ", ".join(
            f"{k}={v}" for k, v in folded(counters).items() if not k.startswith("bytes")
        )
        echo(f"{stage.name}: done ({summary})")
        for line in error_summary(stage, run):
            echo(line)
        ran.append(stage.name)
        complete_now.add(stage.name)
    return ran


def _position(record: str) -> tuple[Any, ...]:
    """A record's place for sorting: the numbers in "page #12 ... at character 345" compare
    as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", record))


def error_summary(stage: Stage, run: RunConfig, first: int = 5) -> list[str]:
    """The first bad records a stage met, in (file, position) order, then how many more and
    where they all are: what a user reads on the console after the stage."""
    if "errors" not in stage.outputs:
        return []
    pattern = io.join(stage_dir(run, stage.name), stage.outputs["errors"])
    try:
        parts = io.match_files([pattern])
    except FileNotFoundError:
        return []
    rows = sorted(
        (row for part in parts for row in read_documents(part.path)),
        key=lambda r: (r["file"], _position(r["record"])),
    )
    if not rows:
        return []
    lines = [f"{stage.name}: {len(rows)} bad record(s):"]
    lines += [f"  {r['file']}: {r['record']}: {r['reason']}: {r['message']}" for r in rows[:first]]
    where = io.join(stage_dir(run, stage.name), "errors")
    more = f"and {len(rows) - first:,} more; " if len(rows) > first else ""
    lines.append(f"  {more}see {where}/")
    return lines
