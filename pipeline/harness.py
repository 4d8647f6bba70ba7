"""The stage harness: what every stage shares.

A stage is a `Stage` subclass (its inputs, parameters, the outputs it writes and a `run`
that builds and runs one Beam pipeline) plus the click command `stage_command` makes for it.
The harness decides whether a stage is complete (its `_SUCCESS` records the fingerprint of
its code version, inputs, parameters and upstream stages), clears and reruns it when not,
collects the Beam counters into `_stats.json` (histogram bins apart), and writes `_SUCCESS`
last.

Stages find each other's files only through the context: `ctx.input("tokenizer", "model")`
is the path of an output the tokenizer stage declares, and asking for a stage that is not in
`requires` is an error, so a stage's fingerprint always covers everything it reads. The run
directory's layout (`<run_dir>/<stage>/`) is known here and nowhere else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from pipeline import histograms, io
from pipeline.config import RunConfig, load_manifest
from pipeline.environment import environment_error
from pipeline.lock import RunLockedError, run_lock
from pipeline.progress.display import ProgressOptions, StageProgress
from pipeline.records import BadInputError, ReadOptions
from settings import ConfigError, to_dict

log = logging.getLogger("fleece")

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
    config_key: str = ""  # the manifest section of its parameters (stage --help lists it)
    version: int = 1
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
    from pipeline.stages import stage

    return stage(name)


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


@functools.cache
def code_version() -> str:
    """The package version plus the git commit of the checkout, when there is one."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        base = version("fleece")
    except PackageNotFoundError:
        base = "unknown"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{base}+{commit}" if commit else base


def _jsonable(value: Any) -> Any:
    return to_dict(value) if dataclasses.is_dataclass(value) else value


def fingerprint(stage: Stage, run: RunConfig, limit: int | None) -> str:
    """What a stage's output depends on: its code version, its parameters, its input files
    (path, size, mtime), the fingerprints of the stages it reads, and --limit."""
    patterns = [run.resolve(p) for p in stage.input_patterns(run)]
    inputs = io.match_files(patterns) if patterns else []
    upstream = {}
    for name in stage.requires:
        marker = io.join(stage_dir(run, name), SUCCESS)
        success = io.read_json(marker) if io.exists(marker) else {}
        # what the stage built and how large each file is: a rebuild that gives the same
        # files leaves its dependents complete
        upstream[name] = {
            "fingerprint": success.get("fingerprint"),
            "outputs": [[path, size] for path, size, _ in success.get("outputs", [])],
        }
    payload = {
        "stage": stage.name,
        "version": stage.version,
        "parameters": _jsonable(stage.parameters(run)),
        "inputs": [[f.path, f.size, f.mtime] for f in inputs],
        "upstream": upstream,
        "limit": limit,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def output_listing(out_dir: str) -> list[list[Any]]:
    """[path, size, mtime_ns] of every file a stage wrote (its _SUCCESS aside)."""
    return [[path, size, mtime] for path, size, mtime in io.list_tree(out_dir) if path != SUCCESS]


def changed_outputs(out_dir: str, success: dict[str, Any]) -> str | None:
    """Why the files a stage's _SUCCESS lists are no longer what it wrote, or None."""
    listed = success.get("outputs")
    if listed is None:
        return "its _SUCCESS lists no output files (older code wrote it)"
    now = {path: [size, mtime] for path, size, mtime in output_listing(out_dir)}
    for path, size, mtime in listed:
        if path not in now:
            return f"output file {path} is missing"
        if now[path] != [size, mtime]:
            return f"output file {path} changed after the stage finished"
    return None


def completion(stage: Stage, run: RunConfig, limit: int | None) -> tuple[bool, str, str]:
    """(complete?, why, current fingerprint) for a stage's output under the run directory:
    a _SUCCESS of this code version and fingerprint whose listed output files are all there,
    unchanged. The fingerprint lists every input, so it is computed once and handed on."""
    current = fingerprint(stage, run, limit)
    marker = io.join(stage_dir(run, stage.name), SUCCESS)
    if not io.exists(marker):
        return False, "no _SUCCESS", current
    success = io.read_json(marker)
    recorded = success.get("fingerprint")
    if success.get("version", 1) != stage.version:
        change = f"{success.get('version', 1)} -> {stage.version}"
        return False, f"the stage's code changed since the last run (version {change})", current
    if recorded != current:
        return False, "inputs or parameters changed since the last run", current
    problem = changed_outputs(stage_dir(run, stage.name), success)
    if problem is not None:
        return False, problem, current
    return True, f"complete (fingerprint {recorded[:12]} unchanged)", current


def upstream_problem(
    stage: Stage, run: RunConfig, limit: int | None, known_complete: set[str]
) -> str | None:
    """Why `stage` cannot read its inputs yet: a required, enabled stage that is not
    complete (never built, killed, an output file deleted, built from other inputs).
    Stages in `known_complete` (checked or built earlier in this run) are not checked again;
    those found complete are added."""
    for name in stage.requires:
        upstream = find_stage(name)
        if name in known_complete or not upstream.enabled(run):
            continue
        complete, why, _ = completion(upstream, run, limit)
        if not complete:
            return (
                f"needs {name}, which is not complete ({why}); build it first: "
                f"`fleece {name} --manifest ...` or `fleece corpus`"
            )
        known_complete.add(name)
    return None


def beam_args_for(run: RunConfig, extra: list[str]) -> list[str]:
    runner = run.runner
    return [
        f"--direct_num_workers={runner.direct_num_workers}",
        f"--direct_running_mode={runner.direct_running_mode}",
        # Beam's workers log every bundle at INFO; keep the console for what users act on
        "--default_sdk_harness_log_level=ERROR",
        *runner.beam_args,
        *extra,
    ]


def set_filesystem_options(beam_args: list[str]) -> None:
    """Give this process's FileSystems the same options (s3 endpoint, credentials, ...) the
    workers get, so the harness itself can list inputs and write markers anywhere."""
    from apache_beam.io.filesystems import FileSystems
    from apache_beam.options.pipeline_options import PipelineOptions

    FileSystems.set_options(PipelineOptions(beam_args))


# The folder holding the packages this process runs (pipeline/, tokenizer/, settings/...).
CODE_ROOT = str(Path(__file__).resolve().parent.parent)


@contextlib.contextmanager
def workers_import_this_code() -> Iterator[None]:
    """Beam's local workers are `python -m ...` subprocesses, which put their current folder
    first on sys.path: one holding another `pipeline/` would run that code, not the code this
    run records in _SUCCESS. They inherit the environment, so for the run's duration it tells
    Python to add no such folder (PYTHONSAFEPATH) and to look in this code's root first."""
    saved = {key: os.environ.get(key) for key in ("PYTHONSAFEPATH", "PYTHONPATH")}
    os.environ["PYTHONSAFEPATH"] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (CODE_ROOT, saved["PYTHONPATH"]) if p)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_beam(ctx: StageContext, build: Callable[[Any], None]) -> dict[str, int]:
    """Build a pipeline with `build(pipeline)`, run it to completion, return its counters
    (the Beam metrics of namespace `ctx.name`, summed over steps)."""
    import apache_beam as beam
    from apache_beam.metrics.metric import MetricsFilter
    from apache_beam.options.pipeline_options import PipelineOptions

    options = PipelineOptions(ctx.beam_args)
    pipeline = beam.Pipeline(options=options)
    build(pipeline)
    with workers_import_this_code():
        result = pipeline.run()
        result.wait_until_finish()
    counters: dict[str, int] = {}
    for counter in result.metrics().query(MetricsFilter().with_namespace(ctx.name))["counters"]:
        try:
            value = counter.committed
        except Exception:  # some runners only report attempted values
            value = None
        if value is None:
            value = counter.attempted
        counters[counter.key.metric.name] = counters.get(counter.key.metric.name, 0) + int(value)
    return dict(sorted(counters.items()))


def beam_runner(beam_args: list[str]) -> str:
    """The runner the flags choose (the last --runner wins), DirectRunner by default."""
    runner = "DirectRunner"
    for index, arg in enumerate(beam_args):
        if arg.startswith("--runner="):
            runner = arg.split("=", 1)[1]
        elif arg == "--runner" and index + 1 < len(beam_args):
            runner = beam_args[index + 1]
    return runner


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
) -> dict[str, int]:
    """Run one stage unconditionally: clear its output, run it, write _stats.json, _SUCCESS.
    Returns its counters, the histogram bins aside.

    On a local run_dir the stage writes into a hidden `.<name>.inprogress/` beside its folder,
    renamed to `<name>/` once _SUCCESS is written: a killed stage leaves no folder a reader
    could take for its output, and its next run clears what the killed one left. On an object
    store (where a rename is a copy) the stage writes in place and _SUCCESS, written last over
    the listing of its files, is what commits them."""
    out_dir = stage_dir(run, stage.name)
    work_dir = in_progress_dir(out_dir)
    if stage_fingerprint is None:
        stage_fingerprint = fingerprint(stage, run, limit)
    io.remove_tree(out_dir)
    io.remove_tree(work_dir)
    io.make_dirs(work_dir)
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
    with display.running(work_dir):
        counters = stage.run(ctx)
    # histogram bins (hist.*) get a section of their own: `counters` stays short to read
    counters, bins = histograms.split(counters)
    stats: dict[str, Any] = {"stage": stage.name, "counters": counters}
    if bins:
        stats["histograms"] = bins
    if ctx.figures:
        stats["figures"] = dict(sorted(ctx.figures.items()))
    io.write_json(io.join(work_dir, STATS), stats)
    io.write_json(
        io.join(work_dir, SUCCESS),
        {
            "fingerprint": stage_fingerprint,
            "version": stage.version,
            "code_version": code_version(),
            "outputs": output_listing(work_dir),
        },
    )
    if work_dir != out_dir:
        os.replace(work_dir, out_dir.removeprefix("file://"))
    return counters


def _bad_input(exc: BaseException, where: str | None = None) -> str | None:
    """The one-line reason of a failure the user must act on (a missing input, a bad record
    under --strict, a full or read-only disk), dug out of the runner's wrapping; None for
    anything else. `where` names the path of a disk failure whose error names none."""
    environment = environment_error(exc, where)
    if environment is not None:
        return environment
    if isinstance(exc, FileNotFoundError | StageCannotRun):
        return str(exc)
    text = str(exc)
    marker = f"{BadInputError.__name__}: "
    if isinstance(exc, BadInputError):
        return f"--strict: {text}"
    if marker in text:
        return "--strict: " + text.split(marker, 1)[1].splitlines()[0].strip(" \"'")
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
) -> list[str]:
    """Run `stages` in order, skipping complete ones (and saying why), holding the run
    directory's lock (pipeline/lock.py) throughout. Returns the names run. While a stage
    runs, its progress goes to standard error (`progress` says how; tests set a clock)."""
    beam_args = beam_args_for(run, list(extra_beam_args or []))
    set_filesystem_options(beam_args)
    try:
        with run_lock(run.resolve(run.run_dir)):
            return _run_in_order(
                stages, run, only, force, limit, strict, keep_dropped, beam_args, echo, progress
            )
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
) -> list[str]:
    ran = []
    complete_now: set[str] = set()  # stages built or found complete in this run
    for stage in stages:
        if only is not None and stage.name not in only:
            continue
        if not stage.enabled(run):
            echo(f"{stage.name}: skipped (not configured in this manifest)")
            continue
        try:
            problem = upstream_problem(stage, run, limit, complete_now)
            if problem is not None:
                raise click.ClickException(f"{stage.name}: {problem}")
            complete, why, current = completion(stage, run, limit)
            if complete and not force:
                echo(f"{stage.name}: {why}; nothing to do")
                complete_now.add(stage.name)
                continue
            echo(f"{stage.name}: running ({'--force' if complete else why})")
            counters = run_stage(
                stage,
                run,
                limit=limit,
                strict=strict,
                keep_dropped=keep_dropped,
                beam_args=beam_args,
                stage_fingerprint=current,
                progress=progress,
            )
        except Exception as exc:
            reason = _bad_input(exc, run.resolve(run.run_dir))
            if reason is None:
                raise
            raise click.ClickException(f"{stage.name}: {reason}") from exc
        summary = ", ".join(f"{k}={v}" for k, v in counters.items() if not k.startswith("bytes"))
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
    from pipeline.documents import read_documents

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


def configure_logging(verbose: bool) -> None:
    """fleece's own warnings (bad records) always show; Beam's chatter only with -v."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        logging.getLogger("apache_beam").setLevel(logging.ERROR)
        # Beam also logs through the root logger ("apitools not found", type hints it
        # ignores): its files, not its logger name, say whose those records are.
        for handler in logging.getLogger().handlers:
            handler.addFilter(_not_from_beam)


def _not_from_beam(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.ERROR or f"{os.sep}apache_beam{os.sep}" not in record.pathname


def load_or_fail(manifest: str) -> RunConfig:
    try:
        return load_manifest(manifest)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def run_options(func: Callable) -> Callable:
    """The options every stage command and `fleece corpus` share: --manifest and -v, and the
    flags run_stages takes as they are (--force, --limit, --strict, --keep-dropped)."""
    options = [
        click.option(
            "--manifest",
            "-m",
            default="manifests/sample.yaml",
            show_default=True,
            help="run manifest (YAML)",
        ),
        click.option("--force", is_flag=True, help="rerun even if the output is complete"),
        click.option("--limit", type=int, default=None, help="records per input file (quick try)"),
        click.option("--strict", is_flag=True, help="fail on the first bad record or file"),
        click.option(
            "--keep-dropped",
            is_flag=True,
            help="also write dropped documents with their reason under <stage>/dropped/",
        ),
        click.option("-v", "--verbose", is_flag=True, help="log at INFO level"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


BEAM_CONTEXT = {"ignore_unknown_options": True, "allow_extra_args": True}


def parameters_help(config: Any, prefix: str) -> str:
    """The epilog of a stage's --help: each parameter, its default and what it means."""
    if config is None:
        return ""
    lines = ["\b", f"Parameters (manifest keys under {prefix}):"]
    for f in dataclasses.fields(config):
        value = json.dumps(_jsonable(getattr(config, f.name)), ensure_ascii=False)
        if len(value) > 60:
            value = value[:57] + "..."
        lines.append(f"  {f.name} = {value}")
        lines.append(f"      {f.metadata.get('help', '')}")
    return "\n".join(lines)


def config_section(run: RunConfig, key: str) -> Any:
    """The configuration dataclass at a dotted manifest key, e.g. `sources.wikipedia`."""
    section: Any = run
    for part in key.split("."):
        section = getattr(section, part)
    return section


def stage_command(stage: Stage) -> click.Command:
    """`fleece <stage name>`: run this one stage of a manifest; its help lists the parameters
    under the stage's `config_key`. Unknown flags go to Beam."""

    @click.command(
        name=stage.name,
        help=f"{stage.help}\n\nAny other --flag is passed to Beam unchanged "
        "(e.g. --runner=DataflowRunner --project=...).",
        epilog=parameters_help(config_section(RunConfig(), stage.config_key), stage.config_key),
        context_settings=BEAM_CONTEXT,
    )
    @run_options
    @click.pass_context
    def command(ctx: click.Context, manifest: str, verbose: bool, **flags: Any) -> None:
        configure_logging(verbose)
        run_stages([stage], load_or_fail(manifest), extra_beam_args=list(ctx.args), **flags)

    return command
