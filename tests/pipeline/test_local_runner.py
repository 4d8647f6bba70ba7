"""The runner a local run uses (pipeline/harness/beam.py local_runner): Beam's FnApiRunner
directly, never the DirectRunner's first try, Prism, which downloads a binary at run time."""

from __future__ import annotations

import logging

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner.fn_runner import FnApiRunner
from apache_beam.testing.util import assert_that, equal_to

from pipeline.harness.beam import local_runner


@pytest.mark.parametrize("flags", [[], ["--runner=DirectRunner"], ["--runner", "direct"]])
def test_a_local_run_takes_the_fn_api_runner_without_trying_prism(
    flags: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    args = [*flags, "--direct_num_workers=1", "--direct_running_mode=in_memory"]
    options = PipelineOptions(args)
    runner = local_runner(args, options)
    assert isinstance(runner, FnApiRunner)
    caplog.set_level(logging.INFO)
    with beam.Pipeline(runner=runner, options=options) as pipeline:
        doubled = pipeline | beam.Create([1, 2, 3]) | beam.Map(lambda x: 2 * x)
        assert_that(doubled, equal_to([2, 4, 6]))
    assert not [r for r in caplog.records if "prism" in r.getMessage().lower()]


def test_another_runner_is_left_to_the_flags() -> None:
    args = ["--runner=PortableRunner", "--job_endpoint=embed"]
    assert local_runner(args, PipelineOptions(args)) is None
