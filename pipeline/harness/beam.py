"""The Beam launcher: the runner flags of a run, the flags Beam would not understand, the
filesystem options the harness itself uses, and `run_beam`, which runs a stage's pipeline
with this checkout's code and returns its counters. Like every harness module it imports
Beam; `fleece --help` imports no harness module (pipeline/cli.py).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import (
    AzureOptions,
    GoogleCloudOptions,
    HadoopFileSystemOptions,
    PipelineOptions,
    S3Options,
    _BeamArgumentParser,
)

from pipeline import fault_switch, io
from pipeline.config import RunConfig
from pipeline.harness.stage import StageContext
from pipeline.shards import format as shard_format


def beam_args_for(run: RunConfig, extra: list[str]) -> list[str]:
    runner = run.runner
    return [
        f"--direct_num_workers={runner.direct_num_workers}",
        f"--direct_running_mode={runner.direct_running_mode}",
        # Beam's workers log every bundle at INFO: the stage's log (harness/logs.py) keeps
        # their errors, the tracebacks a failure line points to
        "--default_sdk_harness_log_level=ERROR",
        *runner.beam_args,
        *extra,
    ]


def beam_option_parser() -> argparse.ArgumentParser:
    """The parser Beam reads its flags with (`PipelineOptions.get_all_options`): every
    PipelineOptions subclass's flags, no abbreviations. Beam's own parser class, because some
    classes declare value-provider flags; a bad value raises argparse.ArgumentError."""
    parser = _BeamArgumentParser(allow_abbrev=False, add_help=False, exit_on_error=False)
    # one class per name, as Beam does: a class defined twice (main session) would clash
    classes = {str(cls): cls for cls in PipelineOptions.__subclasses__()}
    for cls in classes.values():
        cls._add_argparse_args(parser)
    return parser


def unknown_beam_args(args: list[str]) -> list[str]:
    """The arguments Beam would log as unparseable and drop: those its parser leaves over,
    everything after a `--` included. Raises argparse.ArgumentError for a Beam flag given a
    bad value (`--direct_num_workers=two`)."""
    leftover = beam_option_parser().parse_known_args(args)[1]
    return [] if leftover == ["--"] else leftover  # a bare trailing `--` ends nothing


def beam_flag_names() -> list[str]:
    """Every flag Beam knows, e.g. `--runner` (for "did you mean")."""
    return [name for action in beam_option_parser()._actions for name in action.option_strings]


# The option classes Beam's filesystems read (s3://, gs://, azfs://, hdfs://).
FILESYSTEM_OPTION_CLASSES = (S3Options, GoogleCloudOptions, AzureOptions, HadoopFileSystemOptions)


def filesystem_options(beam_args: list[str]) -> dict[str, Any]:
    """The flags of `beam_args` that Beam's filesystems read (S3's endpoint and credentials,
    GCS's project...), as option names to values."""
    parser = _BeamArgumentParser(allow_abbrev=False, add_help=False, exit_on_error=False)
    for cls in FILESYSTEM_OPTION_CLASSES:
        cls._add_argparse_args(parser)
    names = {action.dest for action in parser._actions}
    given = PipelineOptions(beam_args).get_all_options(drop_default=True)
    return {name: value for name, value in sorted(given.items()) if name in names}


def set_filesystem_options(beam_args: list[str]) -> None:
    """Give this process's FileSystems the object-store options of the flags (s3 endpoint,
    credentials, ...), so the harness itself can list inputs and write markers anywhere;
    every DoFn that opens files (`io.StoreFn`) carries them to its workers."""
    options = filesystem_options(beam_args)
    io.use_store_options(options)
    shard_format.use_s3(  # the shard reader's own (pyarrow) filesystem
        endpoint_url=options.get("s3_endpoint_url"),
        access_key=options.get("s3_access_key_id"),
        secret_key=options.get("s3_secret_access_key"),
        region=options.get("s3_region_name"),
    )


# The folder holding the packages this process runs (pipeline/, tokenizer/, settings/...).
CODE_ROOT = str(Path(__file__).resolve().parents[2])  # pipeline/harness/beam.py -> root


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


# What a runner reports of a counter: its value over the bundles that committed (a retried
# bundle counted once), or over every attempt (a retried bundle counted again). Dataflow
# reports both; some runners only attempted values.
COMMITTED, ATTEMPTED = "committed", "attempted"


@contextlib.contextmanager
def thread_errors_logged() -> Iterator[None]:
    """For the block, an exception that ends one of the runner's threads (its gRPC streams,
    when a worker dies) goes to the stage's log, not as a traceback over the console: the
    stage's own failure is the one line the user reads."""
    saved = threading.excepthook

    def log_it(args: threading.ExceptHookArgs) -> None:
        logging.getLogger("fleece").debug(
            "thread %s ended by %r",
            getattr(args.thread, "name", "?"),
            args.exc_value,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    threading.excepthook = log_it
    try:
        yield
    finally:
        threading.excepthook = saved


def run_beam(ctx: StageContext, build: Callable[[Any], None]) -> dict[str, int]:
    """Build a pipeline with `build(pipeline)`, run it to completion, return its counters
    (the Beam metrics of namespace `ctx.name`, summed over steps)."""
    options = PipelineOptions(ctx.beam_args)
    pipeline = beam.Pipeline(runner=local_runner(ctx.beam_args, options), options=options)
    build(pipeline)
    with workers_import_this_code(), thread_errors_logged():
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
            ctx.counter_values = ATTEMPTED
        elif ctx.counter_values is None:
            ctx.counter_values = COMMITTED
        counters[counter.key.metric.name] = counters.get(counter.key.metric.name, 0) + int(value)
    return dict(sorted(counters.items()))


def local_runner(beam_args: list[str], options: PipelineOptions) -> Any:
    """The runner object for the DirectRunner: the FnApiRunner, which Beam's DirectRunner
    picks for a batch pipeline once its first choice, Prism, fails. Prism is a Go binary that
    Beam downloads from GitHub when a pipeline starts: fleece downloads nothing at run time,
    and offline each pipeline lost 2 to 4 s to the attempt. None for any other runner (the
    flags name it)."""
    if beam_runner(beam_args) not in ("DirectRunner", "direct"):
        return None
    # lazy: the FnApiRunner and its protos load only for a local run
    from apache_beam.portability.api import beam_provision_api_pb2
    from apache_beam.runners.portability.fn_api_runner import fn_runner
    from apache_beam.runners.portability.portable_runner import JobServiceHandle

    # as the DirectRunner does: the workers receive the pipeline's options
    encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
    provision = beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded)
    return fn_runner.FnApiRunner(provision_info=fn_runner.ExtendedProvisionInfo(provision))


def beam_runner(beam_args: list[str]) -> str:
    """The runner the flags choose (the last --runner wins), DirectRunner by default."""
    runner = "DirectRunner"
    for index, arg in enumerate(beam_args):
        if arg.startswith("--runner="):
            runner = arg.split("=", 1)[1]
        elif arg == "--runner" and index + 1 < len(beam_args):
            runner = beam_args[index + 1]
    return runner


# What the runner raises when a worker process it sent a bundle to goes away: the data
# channel (FnApiRunner over the Fn API) or the control stream (gRPC) closes under it.
WORKER_LOST = ("Channel closed prematurely", "Socket closed", "StatusCode.UNAVAILABLE")


def worker_failure(exc: BaseException) -> str | None:
    """The one-line reason of a failure of the runner's workers rather than of the stage's
    input: a worker process that died (killed, out of memory), or a fault a test armed
    (pipeline/fault_switch.py); None for anything else."""
    text = str(exc)
    if any(marker in text for marker in WORKER_LOST):
        return (
            "a Beam worker process died while running the stage (killed, or out of memory); "
            "nothing was committed: run the stage again"
        )
    marker = f"{fault_switch.InjectedFault.__name__}: "
    if isinstance(exc, fault_switch.InjectedFault) or marker in text:
        line = text.split(marker, 1)[-1].splitlines()[0]
        return re.sub(r" \[while running '[^']*'\]$", "", line).strip(" \"'")
    return None
