"""`fleece verify DIR`: re-check a shard directory against its manifest.json.

Every shard is re-hashed and re-read: its counts, tokens per source and documents per source
must equal the manifest's; every row must be BOS + ids + EOS with ids below the vocabulary
size; no file may be missing or unlisted; no validation id may appear in a training shard;
the tokenizer copy must match its sha256; the split totals and the mixture (achieved share,
epochs, tokens per source) are recomputed and the achieved shares compared with the targets
within the manifest's tolerance. All problems are listed; the exit status is 1 if any.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import click
import numpy as np
import pyarrow.fs as pafs

from pipeline.shards.format import (
    BOS_ID,
    EOS_ID,
    MANIFEST_NAME,
    ShardReader,
    file_sha256,
    join,
    load_manifest,
    read_bytes,
    token_dtype,
)
from pipeline.shards.manifest import per_source, split_totals


def _listed_files(directory: str) -> list[str]:
    fs, inner = (
        pafs.FileSystem.from_uri(directory)
        if "://" in directory
        else (pafs.LocalFileSystem(), directory)
    )
    infos = fs.get_file_info(pafs.FileSelector(inner, recursive=False))
    return sorted(i.base_name for i in infos if i.type == pafs.FileType.File)


def check_rows(reader: ShardReader, vocab_size: int) -> list[str]:
    """Each row BOS + ids + EOS, BOS/EOS nowhere else, every id below vocab_size."""
    problems = []
    tokens, offsets = reader.tokens, reader.offsets
    if reader.num_documents == 0:
        return problems
    lengths = np.diff(offsets)
    if (lengths < 2).any():
        problems.append(f"{int((lengths < 2).sum())} rows are shorter than BOS + EOS")
        return problems
    if (tokens[offsets[:-1]] != BOS_ID).any():
        problems.append(f"{int((tokens[offsets[:-1]] != BOS_ID).sum())} rows do not start with BOS")
    if (tokens[offsets[1:] - 1] != EOS_ID).any():
        problems.append(
            f"{int((tokens[offsets[1:] - 1] != EOS_ID).sum())} rows do not end with EOS"
        )
    for name, special in (("BOS", BOS_ID), ("EOS", EOS_ID)):
        count = int(np.count_nonzero(tokens == special))
        if count != reader.num_documents:
            problems.append(f"{name} appears {count} times for {reader.num_documents} rows")
    if tokens.size and int(tokens.max()) >= vocab_size:
        problems.append(f"token id {int(tokens.max())} >= vocab_size {vocab_size}")
    return problems


def _counts(values: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


def _check_shard(directory: str, entry: dict[str, Any], manifest: dict[str, Any]) -> Iterator[str]:
    name = entry["file"]
    path = join(directory, name)
    digest = file_sha256(path)
    if digest != entry["sha256"]:
        yield f"{name}: sha256 {digest} != manifest {entry['sha256']}"
    try:
        reader = ShardReader(path)
    except (ValueError, OSError) as error:
        yield f"{name}: cannot be read: {error}"
        return
    with reader:
        if reader.tokens.dtype != np.dtype(manifest["dtype"]):
            yield f"{name}: tokens are {reader.tokens.dtype}, manifest says {manifest['dtype']}"
        for field, actual in (("documents", reader.num_documents), ("tokens", reader.num_tokens)):
            if actual != entry[field]:
                yield f"{name}: {actual} {field}, manifest says {entry[field]}"
        sources = reader.sources()
        lengths = np.diff(reader.offsets)
        tokens_per_source: dict[str, int] = {}
        for source, length in zip(sources, lengths.tolist(), strict=True):
            tokens_per_source[source] = tokens_per_source.get(source, 0) + length
        if dict(sorted(tokens_per_source.items())) != entry["tokens_per_source"]:
            yield f"{name}: tokens per source {tokens_per_source} != manifest {entry['tokens_per_source']}"
        if "documents_per_source" in entry and _counts(sources) != entry["documents_per_source"]:
            yield f"{name}: documents per source {_counts(sources)} != manifest {entry['documents_per_source']}"
        for problem in check_rows(reader, manifest["vocab_size"]):
            yield f"{name}: {problem}"


def verify_directory(
    directory: str, tolerance: float | None = None
) -> tuple[list[str], dict[str, Any]]:
    """(problems, manifest) for a shard directory; no problems means it verifies."""
    try:
        manifest = load_manifest(directory)
    except (FileNotFoundError, ValueError) as error:
        return [str(error)], {}
    problems: list[str] = []
    vocab_size = manifest["vocab_size"]
    if manifest["dtype"] != token_dtype(vocab_size).name:
        problems.append(f"dtype {manifest['dtype']} does not fit vocab_size {vocab_size}")

    tokenizer = manifest["tokenizer"]
    import hashlib

    try:
        model = read_bytes(join(directory, tokenizer["file"]))
        if hashlib.sha256(model).hexdigest() != tokenizer["sha256"]:
            problems.append(f"{tokenizer['file']}: sha256 differs from the manifest")
        from tokenizer.model_proto import parse

        pieces = len(parse(model).pieces)
        if pieces != vocab_size:
            problems.append(
                f"{tokenizer['file']}: {pieces} pieces, manifest vocab_size {vocab_size}"
            )
    except FileNotFoundError:
        problems.append(f"{tokenizer['file']}: missing")

    shards = manifest["shards"]
    listed = {s["file"] for s in shards}
    present = set(_listed_files(directory))
    for name in sorted(listed - present):
        problems.append(f"{name}: listed in {MANIFEST_NAME} but missing")
    for name in sorted(present - listed):
        if name.endswith(".arrow"):
            problems.append(f"{name}: shard file not listed in {MANIFEST_NAME}")
    for entry in shards:
        if entry["file"] in present:
            problems.extend(_check_shard(directory, entry, manifest))

    val_ids: set[str] = set()
    for entry in shards:
        if entry["split"] == "val" and entry["file"] in present:
            with ShardReader(join(directory, entry["file"])) as reader:
                val_ids.update(reader.ids())
    for entry in shards:
        if entry["split"] == "train" and entry["file"] in present:
            with ShardReader(join(directory, entry["file"])) as reader:
                leaked = val_ids.intersection(reader.ids())
            if leaked:
                problems.append(
                    f"{entry['file']}: {len(leaked)} validation documents in training, e.g. {sorted(leaked)[0]}"
                )

    if split_totals(shards) != manifest["splits"]:
        problems.append(
            f"splits {manifest['splits']} != sum of shard entries {split_totals(shards)}"
        )
    problems.extend(check_mixture(manifest, tolerance))
    return problems, manifest


def check_mixture(manifest: dict[str, Any], tolerance: float | None = None) -> list[str]:
    """The mixture recomputed from the shard entries, and compared with the targets."""
    problems = []
    limit = manifest.get("tolerance", 0.01) if tolerance is None else tolerance
    train = per_source(manifest["shards"], "train")
    total = sum(train.values())
    mixture = manifest["mixture"]
    for source in sorted(set(mixture) | set(train)):
        figures = mixture.get(source)
        if figures is None:
            problems.append(f"mixture: source {source} has training tokens but no mixture entry")
            continue
        tokens = train.get(source, 0)
        if figures["tokens"] != tokens:
            problems.append(
                f"mixture.{source}.tokens {figures['tokens']} != {tokens} in the shards"
            )
        achieved = tokens / total if total else 0.0
        if not math.isclose(figures["achieved"], achieved, rel_tol=1e-9, abs_tol=1e-12):
            problems.append(
                f"mixture.{source}.achieved {figures['achieved']} != {achieved} recomputed"
            )
        unique = figures.get("source_tokens", 0)
        epochs = tokens / unique if unique else 0.0
        if not math.isclose(figures["epochs"], epochs, rel_tol=1e-9, abs_tol=1e-12):
            problems.append(f"mixture.{source}.epochs {figures['epochs']} != {epochs} recomputed")
        if abs(achieved - figures["target"]) > limit:
            problems.append(
                f"mixture.{source}: achieved {achieved:.4f} vs target {figures['target']:.4f} "
                f"differs by more than {limit}"
            )
    return problems


@click.command()
@click.argument("directory")
@click.option(
    "--tolerance",
    type=float,
    default=None,
    help="Largest allowed |achieved - target| share (default: the manifest's).",
)
def verify(directory: str, tolerance: float | None) -> None:
    """Re-hash every shard in DIRECTORY and check manifest.json's counts and mixture."""
    problems, manifest = verify_directory(directory, tolerance)
    if problems:
        for problem in problems:
            click.echo(f"FAIL {problem}", err=True)
        raise SystemExit(1)
    splits = manifest["splits"]
    click.echo(
        f"OK {directory}: {len(manifest['shards'])} shards, "
        f"train {splits['train']['documents']:,} documents / {splits['train']['tokens']:,} tokens, "
        f"val {splits['val']['documents']:,} / {splits['val']['tokens']:,}; mixture within "
        f"{manifest.get('tolerance', 0.01) if tolerance is None else tolerance} of its targets"
    )
