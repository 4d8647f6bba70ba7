"""`fleece corpus`: run a manifest's stages in dependency order, like make."""

from __future__ import annotations

from typing import Any

import click

from pipeline import io
from pipeline.config import RunConfig
from pipeline.harness.commands import BeamCommand, configure_logging, load_or_fail, run_options
from pipeline.harness.completion import completion
from pipeline.harness.running import run_stages
from pipeline.harness.stage import all_stages, find_stage
from pipeline.report.html import write_report as write_page


@click.command(cls=BeamCommand)
@run_options
@click.option(
    "--only", default=None, help="comma-separated stages to run (others are left as they are)"
)
@click.option(
    "--verify",
    is_flag=True,
    help="re-hash every output file against its stage's _SUCCESS, parts too (the files a "
    "reader loads whole, models and cutoffs, are re-hashed always); a changed file's stage "
    "runs again",
)
@click.pass_context
def corpus(
    ctx: click.Context, manifest: str, verbose: bool, only: str | None, verify: bool, **flags: Any
) -> None:
    """Build the corpus a manifest describes: every stage in dependency order.

    A stage whose output is complete (its _SUCCESS matches its inputs and parameters) is
    skipped, and the command says so; a stage whose inputs or parameters changed, or one of
    whose files changed after it finished, runs again. Any other --flag is passed to Beam
    unchanged, e.g. --runner=FlinkRunner --flink_master=host:8081.
    """
    configure_logging(verbose)
    run = load_or_fail(manifest)
    stages = all_stages()
    selected = None
    if only:
        selected = {name.strip() for name in only.split(",") if name.strip()}
        unknown = selected - {stage.name for stage in stages}
        if unknown:
            raise click.UsageError(
                f"--only: unknown stage(s) {', '.join(sorted(unknown))}; "
                f"stages are {', '.join(s.name for s in stages)}"
            )
    ran = run_stages(
        stages, run, only=selected, extra_beam_args=list(ctx.args), verify=verify, **flags
    )
    click.echo(
        f"corpus: {len(ran)} stage(s) run{': ' + ', '.join(ran) if ran else ', all complete'}"
        f"; outputs under {run.resolve(run.run_dir)}"
    )
    write_report(run, flags.get("limit"))


def write_report(run: RunConfig, limit: int | None) -> None:
    """Once the shards are complete, the HTML report of the run beside its stages, and where
    it is (`fleece report RUN_DIR --html` writes it anywhere)."""
    complete, _, _ = completion(find_stage("shards"), run, limit)
    if complete:
        path = io.join(run.resolve(run.run_dir), "report.html")
        write_page(run.resolve(run.run_dir), path)
        click.echo(f"report: {path}")
