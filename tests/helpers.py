"""Shared test helpers: write a manifest, run `fleece` in-process, digest output trees."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from click.testing import CliRunner

from pipeline.cli import main


def run_fleece(*args: str, expect_ok: bool = True):
    result = CliRunner().invoke(main, list(args), catch_exceptions=not expect_ok)
    if expect_ok:
        assert result.exit_code == 0, result.output
    return result


def write_manifest(path: Path, manifest: dict) -> Path:
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    return path


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under root, by relative path; `_SUCCESS` markers aside, since
    they record when each output file was written (identical rebuilds differ there)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "_SUCCESS"
    }
