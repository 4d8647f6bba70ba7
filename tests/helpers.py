"""Shared test helpers: write a manifest, run `fleece` in-process, digest output trees."""

from __future__ import annotations

import hashlib
import io
import tarfile
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
    """sha256 of every file under root, by relative path; `_SUCCESS` markers and a run's
    `logs/` aside, since they record when each output file was written and when each stage
    ran (identical rebuilds differ there)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "_SUCCESS" and p.relative_to(root).parts[0] != "logs"
    }


def tar_of(
    entries: list[tuple[str, bytes]], links: tuple[str, ...] = (), folder: bool = False
) -> bytes:
    """A tar (GNU format) of `entries` in order, then a directory entry `dir` if `folder`,
    then a symlink to /etc/passwd under each name of `links`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if folder:
            directory = tarfile.TarInfo("dir")
            directory.type = tarfile.DIRTYPE
            tar.addfile(directory)
        for name in links:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
    return buffer.getvalue()
