"""`fleece tokenizer ...`: the tokenizer's commands, imported only when used.

`train` is the manifest-driven `tokenizer` stage; it lives in pipeline/tokenizer_stage.py
because reading a run's documents is the pipeline's business (pipeline -> tokenizer), so it
is looked up lazily here rather than imported.
"""

from __future__ import annotations

import importlib

import click

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "train": (
        "pipeline.tokenizer_stage:command",
        "Train tokenizer.model on a seeded sample of a run's documents at the mixture ratios.",
    ),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = SUBCOMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr = entry[0].split(":")
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, text) for name, (_, text) in SUBCOMMANDS.items()])


@click.group(cls=_LazyGroup)
def tokenizer() -> None:
    """SentencePiece BPE tokenizer with LLaMA's settings."""
