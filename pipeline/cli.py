"""The `fleece` command: a click group whose subcommands are imported only when used.

`fleece --help` must answer in well under a second, so neither Beam nor torch may be
imported to list the commands: each entry below carries its one-line help, and the
module is imported only when that command runs (or its own --help is asked for).
"""

from __future__ import annotations

import importlib

import click

from pipeline.stages import ALIASES, entry, table

# name -> (module:attribute of the click command, one-line help), in the order shown: the
# tools around the stages, the stages from the stage table (the sources' from their
# declarations), then the rest.
COMMANDS: dict[str, tuple[str, str]] = {
    "corpus": ("pipeline.corpus:corpus", "Run every stage of a manifest in dependency order, skipping complete ones."),
    **{e.name: (f"{e.module}:command", e.summary) for e in table()},
    **{alias: (f"{entry(name).module}:command", f"Alias of `fleece {name}`.") for alias, name in ALIASES.items()},
    "verify": ("pipeline.shards.verify:verify", "Re-hash shards and check manifest.json counts and mixture."),
    "report": ("pipeline.report.cli:report", "Print LLaMA's Table 1 for a built corpus beside the paper's figures."),
    "plan": ("pipeline.plan:plan", "Estimate stages, tokens, shards, epochs and cost of a manifest from file listings."),
    "show": ("pipeline.show:show", "Print documents (Parquet) or decoded shard rows (Arrow) readably."),
    "config": ("pipeline.config_cli:config", "Print the complete manifest with every default and a comment per key."),
    "train": ("trainer.cli:train", "Train a LLaMA model from token shards."),
    "generate": ("trainer.cli:generate", "Generate text from a training checkpoint."),
    "export": ("trainer.hf_cli:export", "Write a checkpoint as a Hugging Face Llama folder (`fleece export hf`)."),
    "import": ("trainer.hf_cli:import_", "Read a Hugging Face Llama folder into a checkpoint (`fleece import hf`)."),
}  # fmt: skip


class LazyGroup(click.Group):
    """A group that lists commands from COMMANDS and imports one only when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr = entry[0].split(":")
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`fleece --version`: the package version and the checkout's git commit, as _SUCCESS
    files record them."""
    if not value or ctx.resilient_parsing:
        return
    # lazy: Beam (pipeline.harness.completion); `fleece --help` must not load it
    from pipeline.harness.completion import code_version

    click.echo(f"fleece {code_version()}")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=print_version,
    help="Print the version (package+commit) and exit.",
)
def main() -> None:
    """fleece: build a LLaMA-recipe pre-training corpus from raw public dumps and train on it.

    Quick start: `fleece corpus --manifest manifests/sample.yaml`.

    Exit codes: 0 done; 1 the user's input or environment (a bad manifest, a missing file,
    a full disk); 2 usage (an unknown command or option).
    """


if __name__ == "__main__":
    main()
