"""The click wiring: the options every stage command and `fleece corpus` share, logging
(pipeline/harness/logs.py: the console, and a log per stage under `<run_dir>/logs/`), the
manifest loaded or one usage line, `BeamCommand`, which hands its other flags to Beam and
refuses those Beam does not know, and `stage_command`, which makes `fleece <stage>` of a
Stage with its parameters in its --help.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable
from typing import Any

import click

from pipeline.config import RunConfig, load_manifest
from pipeline.harness.beam import beam_flag_names, unknown_beam_args
from pipeline.harness.completion import jsonable
from pipeline.harness.logs import configure_logging
from pipeline.harness.running import run_stages
from pipeline.harness.stage import Stage
from settings import ConfigError
from settings.loader import did_you_mean


def load_or_fail(manifest: str) -> RunConfig:
    try:
        run = load_manifest(manifest)
    except ConfigError as exc:  # one line, exit 1, as every refusal
        raise click.ClickException(str(exc)) from exc
    problem = beam_args_problem(run.runner.beam_args)
    if problem:
        raise click.ClickException(f"{manifest}: runner.beam_args: {problem}")
    return run


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


class UsageLine(click.ClickException):
    """A usage error told in one line, exit 2 (click's UsageError adds the usage and a hint)."""

    exit_code = 2


def beam_args_problem(args: list[str], own_flags: tuple[str, ...] = ()) -> str | None:
    """One line naming the first of `args` that Beam does not understand, with the closest
    flag of Beam's or of `own_flags`; None when Beam knows them all."""
    try:
        leftover = unknown_beam_args(args)
    except argparse.ArgumentError as exc:  # a Beam flag with a bad value
        return str(exc)
    if not leftover:
        return None
    first = leftover[0]
    if first == "--":
        return f"unexpected argument after --: {leftover[1]} (Beam's flags go before --)"
    if not first.startswith("-"):
        return f"unexpected argument: {first}"
    name = first.split("=", 1)[0]
    return f"no such option: {name}{did_you_mean(name, [*own_flags, *beam_flag_names()])}"


class BeamCommand(click.Command):
    """A command that hands the flags it does not declare to Beam, and refuses any Beam does
    not know either while parsing, before any stage runs: Beam would only log a warning
    (hidden on the console) and drop it, so `--limt 5` would run every record."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["context_settings"] = {**BEAM_CONTEXT, **(kwargs.get("context_settings") or {})}
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # click drops a `--` and keeps what follows it among the extra arguments; Beam's
        # parser leaves all of that over, so it is put back for the check
        after = args[args.index("--") + 1 :] if "--" in args else None
        extra = super().parse_args(ctx, args)
        checked = extra if after is None else [*extra[: len(extra) - len(after)], "--", *after]
        own = tuple(name for param in self.get_params(ctx) for name in param.opts)
        problem = beam_args_problem(checked, own)
        if problem:
            raise UsageLine(problem)
        return extra


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
    under the stage's `config_key`. Other flags go to Beam (BeamCommand)."""

    @click.command(
        name=stage.name,
        help=f"{stage.help}\n\nAny other --flag is passed to Beam unchanged "
        "(e.g. --runner=DataflowRunner --project=...).",
        epilog=parameters_help(config_section(RunConfig(), stage.config_key), stage.config_key),
        cls=BeamCommand,
    )
    @run_options
    @click.pass_context
    def command(ctx: click.Context, manifest: str, verbose: bool, **flags: Any) -> None:
        configure_logging(verbose)
        run_stages([stage], load_or_fail(manifest), extra_beam_args=list(ctx.args), **flags)

    return command
