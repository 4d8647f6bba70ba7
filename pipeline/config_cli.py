"""`fleece config`: the manifest reference, or a manifest with its defaults filled in."""

from __future__ import annotations

import click
import yaml

from pipeline.config import RunConfig, load_manifest
from settings import ConfigError, defaults_yaml, to_dict


@click.command()
@click.option(
    "--defaults",
    "show_defaults",
    is_flag=True,
    help="print the complete manifest with every default and a comment per key",
)
@click.option(
    "--manifest", "-m", default=None, help="print this manifest, validated, with defaults filled in"
)
def config(show_defaults: bool, manifest: str | None) -> None:
    """Print the run manifest reference (--defaults) or a resolved manifest (--manifest)."""
    if manifest:
        try:
            run = load_manifest(manifest)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(yaml.safe_dump(to_dict(run), sort_keys=False, allow_unicode=True), nl=False)
        return
    if not show_defaults:
        raise click.UsageError("give --defaults or --manifest PATH")
    click.echo(defaults_yaml(RunConfig), nl=False)
