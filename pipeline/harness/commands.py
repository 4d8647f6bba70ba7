"""The click wiring: the options every stage command and `fleece corpus` share, logging
(pipeline/harness/logs.py: the console, and a log per stage under `<run_dir>/logs/`), the
manifest loaded or one usage line, and `stage_command`, which makes `fleece <stage>`
of a Stage with its parameters in its --help.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import click

from pipeline.config import RunConfig, load_manifest
from pipeline.harness.completion import jsonable
from pipeline.harness.logs import configure_logging
from pipeline.harness.running import run_stages
from pipeline.harness.stage import Stage
from settings import ConfigError


def load_or_fail(manifest: str) -> RunConfig:
    try:
        return load_manifest(manifest)
    except ConfigError as exc:  # one line, exit 1, as every refusal
        raise click.ClickException(str(exc)) from exc


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
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            help="also show INFO and Beam's logs on the console (they always go to "
            "<run_dir>/logs/<stage>.log)",
        ),
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
        value = json.dumps(jsonable(getattr(config, f.name)), ensure_ascii=False)
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
