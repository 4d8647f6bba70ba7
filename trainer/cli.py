"""`fleece train` and `fleece generate`. torch is imported inside the commands only, so
listing the CLI stays fast."""

from __future__ import annotations

import json
import logging

import click

from pipeline.environment import environment_error
from pipeline.lock import RunLockedError
from trainer.config import ConfigError, defaults_yaml, load_config


class _EchoHandler(logging.Handler):
    """Training progress on standard output (where click, and its test runner, write);
    warnings on standard error, so that `fleece generate`'s text stays clean."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=record.levelno >= logging.WARNING)


def configure_logging() -> None:
    log = logging.getLogger("fleece.trainer")
    if not any(isinstance(h, _EchoHandler) for h in log.handlers):
        log.addHandler(_EchoHandler())
    log.setLevel(logging.INFO)
    log.propagate = False


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Training YAML (manifests/train-*.yaml).",
)
@click.option(
    "-o",
    "--override",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a config key, e.g. -o steps=100 -o optim.lr=1e-3.",
)
@click.option(
    "--resume",
    default=None,
    help="auto (latest in run_dir), none, or a checkpoint directory; overrides checkpoint.resume.",
)
@click.option(
    "--init-from",
    default=None,
    metavar="CHECKPOINT",
    help="Start from this checkpoint's weights (step 0, fresh optimizer, its shape); "
    "overrides init_from. A run that resumes its own checkpoint ignores it.",
)
@click.option(
    "--defaults", is_flag=True, help="Print every option with its default and help, then exit."
)
def train(
    config_path: str | None,
    overrides: tuple[str, ...],
    resume: str | None,
    init_from: str | None,
    defaults: bool,
) -> None:
    """Train a LLaMA model from token shards (run under torchrun for several processes)."""
    if defaults:
        click.echo(defaults_yaml(), nl=False)
        return
    if config_path is None:
        raise click.UsageError("--config is required (or --defaults)")
    # Paths as JSON strings (valid YAML), so a folder named "123" or "on" stays a string.
    all_overrides = [*overrides]
    if resume is not None:
        all_overrides.append(f"checkpoint.resume={json.dumps(resume)}")
    if init_from is not None:
        all_overrides.append(f"init_from={json.dumps(init_from)}")
    try:
        config = load_config(config_path, all_overrides)
    except (ConfigError, OSError) as error:
        raise click.ClickException(str(error)) from None
    # lazy: torch (trainer.loop); `fleece train --help` and `--defaults` must not load it
    from trainer.loop import DivergenceError
    from trainer.loop import train as run_training

    configure_logging()
    try:
        run_training(config)
    except FileNotFoundError as error:
        hint = " (build the corpus first: `make corpus`)" if "shard manifest" in str(error) else ""
        raise click.ClickException(f"{error}{hint}") from None
    except (DivergenceError, ValueError) as error:  # bad data or settings, named in the message
        raise click.ClickException(str(error)) from None
    except RunLockedError as error:  # another trainer holds run_dir; the message names it
        raise click.ClickException(str(error)) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # DCP's CheckpointException is a BaseException
        # A full disk or a read-only run_dir, however torch wrapped it: one line, exit 1.
        line = environment_error(error, config.run_dir)
        if line is None:
            raise
        raise click.ClickException(line) from None


@click.command()
@click.option(
    "--checkpoint",
    required=True,
    type=click.Path(exists=True),
    help="A checkpoint directory, or a run directory (its latest).",
)
@click.option("--prompt", required=True, help="Text to continue.")
@click.option("--max-new-tokens", default=64, show_default=True, type=int)
@click.option("--temperature", default=0.8, show_default=True, type=float, help="0 = greedy.")
@click.option("--top-k", default=50, show_default=True, type=int)
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--device", default=None, help="cpu or cuda (default: cuda when available).")
def generate(
    checkpoint: str,
    prompt: str,
    max_new_tokens: int,
    temperature: float,
    top_k: int,
    seed: int,
    device: str | None,
) -> None:
    """Continue a prompt with a trained checkpoint, decoded with the corpus tokenizer."""
    # lazy: torch; `fleece generate --help` must not load it
    from trainer.generate import generate_text

    configure_logging()
    try:
        text = generate_text(checkpoint, prompt, max_new_tokens, temperature, top_k, seed, device)
    except (OSError, ValueError) as error:  # no checkpoint, or a damaged one: named in the message
        raise click.ClickException(str(error)) from None
    click.echo(text)
