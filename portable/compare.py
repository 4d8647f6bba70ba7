"""Two runs of the same manifest compared file by file: the DirectRunner's on local disk and
the portable runner's on the object store. Every file is compared by sha256; a file that
differs is accepted only for a reason checked here (it names its run's own paths, or records
when and where it ran), never by its name alone."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.io import read_parquet

# Outputs that write a path of their run (checked on their own below), so their sizes differ
NAMING_PATHS = ("errors/", "manifest.json")


@dataclass(frozen=True)
class Difference:
    path: str
    reason: str  # why it differs, checked; "" when unexplained
    sha256_reference: str = ""
    sha256_portable: str = ""
    only_in: str = ""  # the run that has the file, when only one has it


def digests(root: Path) -> dict[str, str]:
    """sha256 of every file below `root`, by its path relative to `root`."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _success_reason(a: Path, b: Path) -> str:
    """_SUCCESS records when the stage ran and the checksums its store keeps (sha256 on
    disk, S3's ETag): the same outputs at the same sizes is what must hold."""
    one, two = json.loads(a.read_text()), json.loads(b.read_text())
    listed = [
        [
            (path, None if path.startswith(NAMING_PATHS) else size)
            for path, size, *_ in run["outputs"]
        ]
        for run in (one, two)
    ]
    if listed[0] != listed[1]:
        return ""
    return (
        "the same outputs at the same sizes (errors/ parts and the shards' manifest aside: "
        "they name paths); "
        "its timing, its store's checksums and its fingerprint (over the input paths) differ"
    )


def _without(text: str, run_dirs: Sequence[str]) -> str:
    """`text` with every spelling of either run's directory replaced by "RUN" (longest
    first: an absolute path holds its relative one)."""
    for run_dir in sorted(run_dirs, key=len, reverse=True):
        text = text.replace(run_dir, "RUN")
    return text


def _rows(path: Path, run_dirs: Sequence[str]) -> list[dict]:
    rows = read_parquet(str(path)).to_pylist()
    return [json.loads(_without(json.dumps(row, sort_keys=True), run_dirs)) for row in rows]


def _errors_reason(a: Path, b: Path, run_dirs: Sequence[str]) -> str:
    """An error row names its input file, under each run's own directory."""
    if _rows(a, run_dirs) == _rows(b, run_dirs):
        return "its rows name each run's input files; equal once the run directory is removed"
    return ""


def _manifest_reason(a: Path, b: Path, run_dirs: Sequence[str]) -> str:
    """The shards' manifest records the manifest it was built with, run_dir included, and
    its own checksum over that."""
    one, two = json.loads(a.read_text()), json.loads(b.read_text())
    for manifest in (one, two):
        manifest.pop("checksum", None)
    if _without(json.dumps(one, sort_keys=True), run_dirs) == _without(
        json.dumps(two, sort_keys=True), run_dirs
    ):
        return "records run_dir (and its checksum over it); equal once run_dir is removed"
    return ""


def _report_reason(a: Path, b: Path, run_dirs: Sequence[str]) -> str:
    """The report names its run directory and shows each stage's wall time."""
    pages = [
        _without(re.sub(r"<td data-timing>[^<]*", "<td data-timing>", p.read_text()), run_dirs)
        for p in (a, b)
    ]
    if pages[0] == pages[1]:
        return "names its run directory and each stage's wall time; equal without them"
    return ""


def explain(path: str, a: Path, b: Path, run_dirs: Sequence[str]) -> str:
    """Why the two copies of `path` differ, checked; "" when nothing explains it."""
    name = Path(path).name
    if name == "_SUCCESS":
        return _success_reason(a, b)
    if path.endswith(".parquet") and "/errors/" in f"/{path}":
        return _errors_reason(a, b, run_dirs)
    if path == "shards/manifest.json":
        return _manifest_reason(a, b, run_dirs)
    if path == "report.html":
        return _report_reason(a, b, run_dirs)
    return ""


def compare_runs(
    reference: Path, portable: Path, run_dirs: Sequence[str]
) -> tuple[dict[str, str], list[Difference]]:
    """(sha256 of every file identical in both, the differences). `run_dirs` are every
    spelling of either run's directory in its files (relative, absolute, s3://). The reference's logs/ are left out: a run on an
    object store logs in the launcher's temporary folder."""
    one = {k: v for k, v in digests(reference).items() if not k.startswith("logs/")}
    two = digests(portable)
    same = {path: one[path] for path in sorted(one) if two.get(path) == one[path]}
    differences = []
    for path in sorted(set(one) | set(two)):
        if path in same:
            continue
        if path not in one or path not in two:
            only = "the portable run" if path in two else "the DirectRunner run"
            differences.append(Difference(path, "", one.get(path, ""), two.get(path, ""), only))
            continue
        reason = explain(path, reference / path, portable / path, run_dirs)
        differences.append(Difference(path, reason, one[path], two[path]))
    return same, differences
