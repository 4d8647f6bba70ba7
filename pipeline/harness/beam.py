"""The Beam launcher: the runner flags of a run, the flags Beam would not understand, the
filesystem options the harness itself uses, and `run_beam`, which runs a stage's pipeline
with this checkout's code and returns its counters. Like every harness module it imports
Beam; `fleece --help` imports no harness module (pipeline/cli.py).
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser

from pipeline.config import RunConfig
from pipeline.harness.stage import StageContext


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


def set_filesystem_options(beam_args: list[str]) -> None:
    """Give this process's FileSystems the same options (s3 endpoint, credentials, ...) the
    workers get, so the harness itself can list inputs and write markers anywhere."""
    FileSystems.set_options(PipelineOptions(beam_args))


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


def run_beam(ctx: StageContext, build: Callable[[Any], None]) -> dict[str, int]:
    """Build a pipeline with `build(pipeline)`, run it to completion, return its counters
    (the Beam metrics of namespace `ctx.name`, summed over steps)."""
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
