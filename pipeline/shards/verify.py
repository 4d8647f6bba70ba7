"""`fleece verify DIR`: re-check a shard directory against its manifest.json.

Nothing is trusted before it is checked, so verify ends with a list of problems (exit 1) on
any bytes, never a traceback:

1. manifest.json parses, carries its format tag and its checksum, and every field has its
   type and range (`manifest_schema`); otherwise nothing else is read.
2. Its fields obey the rules: dtype from the vocabulary, BOS/EOS ids, shard file names,
   per-source sums, tolerance within the run manifest's, seeds and targets from the run
   manifest (which must itself load as a run manifest), the sources missing.
3. Each shard's size and sha256 equal its entry; Arrow validates the whole stream before a
   value is read; rows are BOS + ids + EOS with ids below the vocabulary and the entry's
   max_id; counts per source equal the entry's; no file is missing or unlisted; no
   validation id appears in a training shard; the tokenizer copy matches, and so does
   tokenizer.json (the Hugging Face tokenizer) where the manifest lists one: it loads with
   `tokenizers` and has the vocabulary's size.
4. The split totals and the mixture (achieved share, epochs, counts per source, validation
   counts) are recomputed from the shard entries and compared; achieved shares must lie
   within the tolerance of their targets.

With --deep, DIR may also be a run directory (a shard directory's run is its parent): each
stage folder of the run must hold its `_SUCCESS` as the stage wrote it, and every file that
lists is re-hashed against the checksum recorded there, parts and all; the first damaged
file is named, with how many there are. A shard directory is verified as above as well.
"""

from __future__ import annotations

import hashlib
import json
import math
import posixpath
from collections.abc import Iterator
from typing import Any

import click
import numpy as np
import pyarrow as pa
import pyarrow.fs as pafs
from tokenizers import Tokenizer

from pipeline.config import RunConfig
from pipeline.shards import quotas
from pipeline.shards.format import (
    BOS_ID,
    EOS_ID,
    FORMAT,
    HF_TOKENIZER_NAME,
    MANIFEST_NAME,
    TOKENIZER_NAME,
    ShardReader,
    file_sha256,
    join,
    read_bytes,
    shard_name,
    token_dtype,
)
from pipeline.shards.manifest import (
    CHECKSUM_FIELD,
    manifest_checksum,
    per_source,
    split_totals,
)
from pipeline.shards.manifest_schema import manifest_problems
from settings import ConfigError, from_mapping
from tokenizer import model_proto


def _filesystem(directory: str) -> tuple[pafs.FileSystem, str]:
    if "://" in directory:
        return pafs.FileSystem.from_uri(directory)
    return pafs.LocalFileSystem(), directory


def _listed_files(directory: str) -> dict[str, int]:
    """file name -> size, for the plain files of the directory."""
    fs, inner = _filesystem(directory)
    infos = fs.get_file_info(pafs.FileSelector(inner, recursive=False))
    return {i.base_name: i.size for i in infos if i.type == pafs.FileType.File}


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


def read_manifest(directory: str) -> tuple[dict[str, Any] | None, list[str]]:
    """(manifest, problems): the parsed manifest.json when its bytes, format tag, checksum
    and field types are sound enough to compare with the shards, else None."""
    path = join(directory, MANIFEST_NAME)
    try:
        raw = read_bytes(path)
    except FileNotFoundError:
        return None, [f"{MANIFEST_NAME}: missing (no shard manifest in {directory})"]
    try:
        manifest = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        return None, [f"{MANIFEST_NAME}: not valid JSON: {error}"]
    if not isinstance(manifest, dict):
        return None, [f"{MANIFEST_NAME}: expected a JSON object, got {type(manifest).__name__}"]
    if manifest.get("format") != FORMAT:
        return None, [f"{MANIFEST_NAME}: format {manifest.get('format')!r}, expected {FORMAT!r}"]
    problems = []
    if manifest.get(CHECKSUM_FIELD) != manifest_checksum(manifest):
        problems.append(
            f"{MANIFEST_NAME}: its content does not match its checksum (edited after the mix "
            "wrote it, or damaged)"
        )
    schema = manifest_problems(manifest)
    problems += [f"{MANIFEST_NAME}: {p}" for p in schema]
    return (None if schema else manifest), problems


def _run_manifest_problems(manifest: dict[str, Any]) -> Iterator[str]:
    """The fields the mix copied from the run manifest, compared with it."""
    try:
        run = from_mapping(RunConfig, manifest["run_manifest"], "run_manifest")
    except (ConfigError, ValueError, TypeError) as error:
        yield f"{MANIFEST_NAME}: {error} (run_manifest does not load as a run manifest)"
        return
    for field, expected in (
        ("seed", run.seed),
        ("split_seed", run.shards.split_seed),
    ):
        if manifest[field] != expected:
            yield f"{MANIFEST_NAME}: {field} {manifest[field]} != run_manifest's {expected}"
    if manifest["tolerance"] != run.shards.tolerance:
        # the mix copies it; a looser one would let a mixture off target pass
        yield (
            f"{MANIFEST_NAME}: tolerance {manifest['tolerance']} != {run.shards.tolerance}, "
            "the run manifest's shards.tolerance"
        )
    present = sorted(manifest["mixture"])
    try:
        shares, missing = quotas.target_shares(run.shards.ratios, present)
    except ValueError as error:
        yield f"{MANIFEST_NAME}: mixture sources {present}: {error}"
        return
    unique = {s: manifest["mixture"][s]["source_tokens"] for s in present}
    if run.shards.token_target:
        target, why = run.shards.token_target, "the run manifest's shards.token_target"
    elif all(unique[s] for s, share in shares.items() if share > 0):
        target, why = quotas.automatic_target(unique, shares), "automatic (one epoch at most)"
    else:
        target, why = None, ""
    if target is not None and manifest["token_target"] != target:
        yield f"{MANIFEST_NAME}: token_target {manifest['token_target']} != {target}, {why}"
    if manifest["missing_sources"] != missing:
        yield f"{MANIFEST_NAME}: missing_sources {manifest['missing_sources']} != {missing} from the ratios"
    for source, share in shares.items():
        target = manifest["mixture"][source]["target"]
        if not math.isclose(target, share, rel_tol=1e-9, abs_tol=1e-12):
            yield f"{MANIFEST_NAME}: mixture.{source}.target {target} != {share} from the ratios"
        epochs = manifest["mixture"][source]["epochs"]
        if epochs > run.shards.max_epochs:
            yield (
                f"{MANIFEST_NAME}: mixture.{source}.epochs {epochs} above the run manifest's "
                f"max_epochs {run.shards.max_epochs}"
            )


def _header_problems(manifest: dict[str, Any]) -> Iterator[str]:
    vocab_size = manifest["vocab_size"]
    if manifest["dtype"] != token_dtype(vocab_size).name:
        yield (
            f"{MANIFEST_NAME}: dtype {manifest['dtype']} does not fit vocab_size {vocab_size} "
            f"(expected {token_dtype(vocab_size).name})"
        )
    for field, expected in (("bos_id", BOS_ID), ("eos_id", EOS_ID)):
        if manifest[field] != expected:
            yield f"{MANIFEST_NAME}: {field} {manifest[field]}, fleece shards use {expected}"
    if manifest["tokenizer"]["file"] != TOKENIZER_NAME:
        yield f"{MANIFEST_NAME}: tokenizer.file {manifest['tokenizer']['file']!r}, expected {TOKENIZER_NAME!r}"
    seen: set[str] = set()
    index = {split: 0 for split in ("train", "val")}
    for position, entry in enumerate(manifest["shards"]):
        where = f"{MANIFEST_NAME}: shards[{position}]"
        expected = shard_name(entry["split"], index[entry["split"]])
        index[entry["split"]] += 1
        if entry["file"] != expected:
            yield f"{where}.file {entry['file']!r}, expected {expected!r} (split {entry['split']}, in order)"
        if entry["file"] in seen:
            yield f"{where}.file {entry['file']!r} is listed twice"
        seen.add(entry["file"])
        for field, per in (("tokens", "tokens_per_source"), ("documents", "documents_per_source")):
            if sum(entry[per].values()) != entry[field]:
                yield f"{where}.{per} sums to {sum(entry[per].values())}, not its {field} {entry[field]}"
        if entry["documents"] and entry["max_id"] >= vocab_size:
            yield f"{where}.max_id {entry['max_id']} >= vocab_size {vocab_size}"
    yield from _run_manifest_problems(manifest)


def _tokenizer_problems(directory: str, manifest: dict[str, Any]) -> Iterator[str]:
    tokenizer = manifest["tokenizer"]
    name = tokenizer["file"]
    try:
        model = read_bytes(join(directory, name))
    except FileNotFoundError:
        yield f"{name}: missing"
        return
    if hashlib.sha256(model).hexdigest() != tokenizer["sha256"]:
        yield f"{name}: sha256 differs from the manifest's tokenizer.sha256"
        return
    try:
        pieces = len(model_proto.parse(model).pieces)
    except Exception as error:  # noqa: BLE001 - any parse failure of foreign bytes is a problem
        yield f"{name}: not a SentencePiece model: {error}"
        return
    if pieces != manifest["vocab_size"]:
        yield f"{name}: {pieces} pieces, manifest vocab_size {manifest['vocab_size']}"


def _hf_tokenizer_problems(directory: str, manifest: dict[str, Any]) -> Iterator[str]:
    """tokenizer.json, when the manifest lists it: its sha256, and that it loads as a
    Hugging Face tokenizer of the manifest's vocabulary."""
    if "hf_tokenizer" not in manifest:  # shards written before it was, or a refused model
        return
    name = manifest["hf_tokenizer"]["file"]
    if name != HF_TOKENIZER_NAME:
        yield f"{MANIFEST_NAME}: hf_tokenizer.file {name!r}, expected {HF_TOKENIZER_NAME!r}"
        return
    try:
        content = read_bytes(join(directory, name))
    except FileNotFoundError:
        yield f"{name}: missing"
        return
    if hashlib.sha256(content).hexdigest() != manifest["hf_tokenizer"]["sha256"]:
        yield f"{name}: sha256 differs from the manifest's hf_tokenizer.sha256"
        return
    try:
        size = Tokenizer.from_str(content.decode("utf-8")).get_vocab_size()
    except Exception as error:  # noqa: BLE001 - any load failure of foreign bytes is a problem
        first_line = (str(error).splitlines() or [type(error).__name__])[0]
        yield f"{name}: not a Hugging Face tokenizer: {first_line}"
        return
    if size != manifest["vocab_size"]:
        yield f"{name}: {size} tokens, manifest vocab_size {manifest['vocab_size']}"


def _shard_problems(
    directory: str, entry: dict[str, Any], size: int, manifest: dict[str, Any], ids: list[str]
) -> Iterator[str]:
    """The problems of one shard; its document ids are appended to `ids` when it reads (so
    the leak check needs no second read)."""
    name = entry["file"]
    if size != entry["bytes"]:
        yield f"{name}: {size} bytes, manifest says {entry['bytes']}"
    path = join(directory, name)
    digest = file_sha256(path)
    if digest != entry["sha256"]:
        yield f"{name}: sha256 {digest} != manifest {entry['sha256']}"
    try:
        reader = ShardReader(path)
    except (ValueError, OSError) as error:
        yield f"{name}: cannot be read: {str(error).removeprefix(path + ': ')}"
        return
    with reader:
        if reader.tokens.dtype != np.dtype(manifest["dtype"]):
            yield f"{name}: tokens are {reader.tokens.dtype}, manifest says {manifest['dtype']}"
        for field, actual in (("documents", reader.num_documents), ("tokens", reader.num_tokens)):
            if actual != entry[field]:
                yield f"{name}: {actual} {field}, manifest says {entry[field]}"
        actual_max = int(reader.tokens.max()) if reader.num_tokens else 0
        if actual_max != entry["max_id"]:
            yield f"{name}: largest token id {actual_max}, manifest's max_id {entry['max_id']}"
        ids.extend(reader.ids())
        sources = reader.sources()
        tokens_per_source: dict[str, int] = {}
        for source, length in zip(sources, np.diff(reader.offsets).tolist(), strict=True):
            tokens_per_source[source] = tokens_per_source.get(source, 0) + length
        if dict(sorted(tokens_per_source.items())) != entry["tokens_per_source"]:
            yield f"{name}: tokens per source {tokens_per_source} != manifest {entry['tokens_per_source']}"
        if _counts(sources) != entry["documents_per_source"]:
            yield f"{name}: documents per source {_counts(sources)} != manifest {entry['documents_per_source']}"
        for problem in check_rows(reader, manifest["vocab_size"]):
            yield f"{name}: {problem}"


def _leak_problems(shards: list[dict[str, Any]], ids: dict[str, list[str]]) -> list[str]:
    val_ids = {i for entry in shards if entry["split"] == "val" for i in ids.get(entry["file"], [])}
    problems = []
    for entry in shards:
        if entry["split"] == "train":
            leaked = val_ids.intersection(ids.get(entry["file"], []))
            if leaked:
                problems.append(
                    f"{entry['file']}: {len(leaked)} validation documents in training, e.g. {sorted(leaked)[0]}"
                )
    return problems


def verify_directory(
    directory: str, tolerance: float | None = None
) -> tuple[list[str], dict[str, Any]]:
    """(problems, manifest) for a shard directory; no problems means it verifies."""
    manifest, problems = read_manifest(directory)
    if manifest is None:
        return problems, {}
    problems += _header_problems(manifest)
    problems += _tokenizer_problems(directory, manifest)
    problems += _hf_tokenizer_problems(directory, manifest)

    shards = manifest["shards"]
    listed = {s["file"] for s in shards}
    sizes = _listed_files(directory)
    for name in sorted(listed - set(sizes)):
        problems.append(f"{name}: listed in {MANIFEST_NAME} but missing")
    for name in sorted(set(sizes) - listed):
        if name.endswith(".arrow"):
            problems.append(f"{name}: shard file not listed in {MANIFEST_NAME}")
    ids: dict[str, list[str]] = {}
    for entry in shards:
        if entry["file"] in sizes:
            shard_ids = ids.setdefault(entry["file"], [])
            problems.extend(
                _shard_problems(directory, entry, sizes[entry["file"]], manifest, shard_ids)
            )
    problems += _leak_problems(shards, ids)

    if split_totals(shards) != manifest["splits"]:
        problems.append(
            f"{MANIFEST_NAME}: splits {manifest['splits']} != sum of shard entries {split_totals(shards)}"
        )
    problems += check_mixture(manifest, tolerance)
    return problems, manifest


def check_mixture(manifest: dict[str, Any], tolerance: float | None = None) -> list[str]:
    """The mixture recomputed from the shard entries, and compared with the targets."""
    problems = []
    limit = manifest["tolerance"] if tolerance is None else tolerance
    shards = manifest["shards"]
    train = per_source(shards, "train")
    train_documents = per_source(shards, "train", "documents_per_source")
    val = per_source(shards, "val")
    val_documents = per_source(shards, "val", "documents_per_source")
    total = sum(train.values())
    mixture = manifest["mixture"]
    where = f"{MANIFEST_NAME}: mixture"
    for source in sorted(set(mixture) | set(train) | set(val)):
        figures = mixture.get(source)
        if figures is None:
            problems.append(f"{where}: source {source} has tokens in the shards but no entry")
            continue
        for field, actual in (
            ("tokens", train.get(source, 0)),
            ("documents", train_documents.get(source, 0)),
            ("val_tokens", val.get(source, 0)),
            ("val_documents", val_documents.get(source, 0)),
        ):
            if figures[field] != actual:
                problems.append(
                    f"{where}.{source}.{field} {figures[field]} != {actual} in the shards"
                )
        tokens = train.get(source, 0)
        achieved = tokens / total if total else 0.0
        if not math.isclose(figures["achieved"], achieved, rel_tol=1e-9, abs_tol=1e-12):
            problems.append(
                f"{where}.{source}.achieved {figures['achieved']} != {achieved} recomputed"
            )
        unique = figures["source_tokens"]
        epochs = tokens / unique if unique else 0.0
        if not math.isclose(figures["epochs"], epochs, rel_tol=1e-9, abs_tol=1e-12):
            problems.append(f"{where}.{source}.epochs {figures['epochs']} != {epochs} recomputed")
        if abs(achieved - figures["target"]) > limit:
            problems.append(
                f"{where}.{source}: achieved {achieved:.4f} vs target {figures['target']:.4f} "
                f"differs by more than {limit}"
            )
    return problems


def deep_problems(run_dir: str) -> list[str]:
    """--deep: the first file of the run's stage outputs that is no longer what its stage
    wrote, and how many there are (one line, or none)."""
    # lazy: Beam's filesystems and the harness, which plain `fleece verify` does not load
    from pipeline.harness.completion import damaged_outputs

    try:
        damaged = damaged_outputs(run_dir)
    except FileNotFoundError as error:
        return [str(error)]
    if not damaged:
        return []
    return [f"{damaged[0]}; {len(damaged)} damaged output file(s) under {run_dir}"]


@click.command()
@click.argument("directory")
@click.option(
    "--tolerance",
    type=float,
    default=None,
    help="Largest allowed |achieved - target| share (default: the manifest's).",
)
@click.option(
    "--deep",
    is_flag=True,
    help="Also re-hash every output file of the run's stages (DIRECTORY: a shard directory "
    "or a run directory) against its stage's _SUCCESS.",
)
def verify(directory: str, tolerance: float | None, deep: bool) -> None:
    """Re-hash every shard in DIRECTORY and check manifest.json's fields, counts and mixture."""
    try:
        # with --deep, a run directory is checked against its stages' _SUCCESS only; a
        # shard directory's run is its parent
        a_shard_directory = not deep or MANIFEST_NAME in _listed_files(directory)
        problems, manifest = (
            verify_directory(directory, tolerance) if a_shard_directory else ([], {})
        )
        if deep:
            run_dir = posixpath.dirname(directory.rstrip("/")) or "."
            problems += deep_problems(run_dir if a_shard_directory else directory)
    except OSError as error:
        # The directory itself cannot be read (permissions, a vanished mount): one line.
        problems, manifest = [f"{directory}: {error.strerror or error}"], {}
    except pa.ArrowException as error:
        problems, manifest = [f"{directory}: {error}"], {}
    if problems:
        for problem in problems:
            click.echo(f"FAIL {problem}", err=True)
        click.echo(f"{directory}: {len(problems)} problem(s)", err=True)
        raise SystemExit(1)
    if not manifest:
        click.echo(f"OK {directory}: every stage output matches its checksum")
        return
    splits = manifest["splits"]
    deep_note = "; every stage output matches its checksum" if deep else ""
    click.echo(
        f"OK {directory}: {len(manifest['shards'])} shards, "
        f"train {splits['train']['documents']:,} documents / {splits['train']['tokens']:,} tokens, "
        f"val {splits['val']['documents']:,} / {splits['val']['tokens']:,}; mixture within "
        f"{manifest['tolerance'] if tolerance is None else tolerance} of its targets{deep_note}"
    )
