"""`fleece export hf` and `fleece import hf`: checkpoints to and from Hugging Face's Llama
folders. Groups, so other formats can join them; torch is imported inside the commands
only, so listing the CLI stays fast. Every failure is one line, never a traceback."""

from __future__ import annotations

import click

from trainer.cli import configure_logging


@click.group("export")
def export() -> None:
    """Write a checkpoint in another format."""


@click.group("import")
def import_() -> None:
    """Read a model from another format into a fleece checkpoint."""


@export.command(
    "hf", short_help="A checkpoint as a Hugging Face Llama folder (transformers, vLLM, lm-eval)."
)
@click.argument("checkpoint", type=click.Path(exists=True, file_okay=False))
@click.argument("out", type=click.Path())
@click.option(
    "--max-shard-size",
    default="5GB",
    show_default=True,
    help="Cut the weights into model-0000k-of-0000n.safetensors files of at most this size "
    "(5GB = 5·10⁹ bytes; KiB/MiB/GiB are binary).",
)
@click.option("--force", is_flag=True, help="Replace OUT if it exists and is not empty.")
def export_hf_command(checkpoint: str, out: str, max_shard_size: str, force: bool) -> None:
    """Write CHECKPOINT (a checkpoint, or a run: its latest) as a Hugging Face Llama folder
    OUT that transformers loads without fleece (config, safetensors, tokenizer)."""
    # lazy: torch; `fleece export hf --help` must not load it
    from trainer.hf_export import export_hf

    configure_logging()
    try:
        done = export_hf(checkpoint, out, max_shard_size, force)
    except (OSError, ValueError) as error:  # FileExistsError, FileNotFoundError included
        raise click.ClickException(str(error)) from None
    click.echo(
        f"exported {done.checkpoint} to {done.folder}: {done.weight_bytes / 1e6:,.1f} MB of "
        f"{done.dtype} weights; {', '.join(done.files)}"
    )


@import_.command("hf", short_help="A Hugging Face Llama folder as a fleece checkpoint.")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("out", type=click.Path())
@click.option("--force", is_flag=True, help="Replace OUT if it exists and is not empty.")
def import_hf_command(directory: str, out: str, force: bool) -> None:
    """Write the Hugging Face Llama folder DIRECTORY (safetensors or pytorch_model*.bin) as
    the fleece checkpoint OUT, for `fleece train --init-from OUT` and `fleece generate`."""
    # lazy: torch; `fleece import hf --help` must not load it
    from trainer.hf_import import import_hf

    configure_logging()
    try:
        config = import_hf(directory, out, force)
    except (OSError, ValueError) as error:  # each names its file (or config field)
        raise click.ClickException(str(error)) from None
    click.echo(
        f"imported {directory} to {out}: dim {config.dim}, {config.n_layers} layers, "
        f"{config.n_heads} heads, vocabulary {config.vocab_size}, context {config.max_seq_len}"
    )
