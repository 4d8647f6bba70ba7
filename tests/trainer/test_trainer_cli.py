"""The commands stay cheap to list: no torch import until a command runs (train, generate,
export, import)."""

import os
import subprocess
import sys

from click.testing import CliRunner

from trainer.cli import train

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_importing_the_commands_does_not_import_torch() -> None:
    code = "import sys, trainer.cli, trainer.hf_cli; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=REPO),
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


def test_defaults_lists_every_option_with_help() -> None:
    result = CliRunner().invoke(train, ["--defaults"])
    assert result.exit_code == 0
    assert (
        "  # tokens per optimizer step over all ranks (LLaMA: 4M)\n  global_tokens: 4194304\n"
        in (result.output)
    )
    assert "\n  activation_checkpointing: none\n" in result.output


def test_config_is_required() -> None:
    result = CliRunner().invoke(train, [])
    assert result.exit_code == 2 and "--config is required" in result.output
