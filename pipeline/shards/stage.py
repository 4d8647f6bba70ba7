"""The `shards` stage: encoded documents -> mixed train/val Arrow token shards + manifest.json.

One Beam pipeline applies DESIGN.md's Mix rule (pipeline/shards/quotas.py) at any scale:

  read encoded parts' sizes (id, source, token count; no ids)
        ─► validation keys ─► k smallest per source ─► val thresholds (side input)
        └─► split train / val
  train ─► per-source tokens + histogram of tokens over repeat-key buckets ─► plan (quotas)
        └─► documents of each source's boundary bucket ─► exact remainder threshold
  read encoded parts again, with their ids ─► place (validation row, or training copies
        full + remainder) ─► placement hash ─► shard ─► sort ─► ShardWriter
  shard entries + plan ─► manifest.json (+ tokenizer.model copy, empty shards filled in)

The ids go through one shuffle, into their shard, and only for the documents placed: every
step before works on sizes, so no worker's memory follows the corpus (issue 27).

Beside the shards lies tokenizer.json, the Hugging Face tokenizer that `fleece export hf`
builds from the same tokenizer.model (tokenizer/hf.py, byte for byte), so that the shards
decode with the `tokenizers` library alone.

Output lands in <run>/shards/ (`fleece shards`, or its alias `fleece mix`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
import numpy as np
from apache_beam.pvalue import AsDict, AsList, AsSingleton

from pipeline import io
from pipeline.config import RunConfig
from pipeline.counters import BeamCounters, per_source
from pipeline.documents import ReadParquetTables
from pipeline.harness.beam import run_beam
from pipeline.harness.commands import stage_command
from pipeline.harness.completion import code_version
from pipeline.harness.stage import Stage, StageCannotRun, StageContext
from pipeline.present import warn_missing
from pipeline.progress import note_part
from pipeline.shards import quotas
from pipeline.shards.config import ShardsConfig
from pipeline.shards.format import (
    BOS_ID,
    EOS_ID,
    HF_TOKENIZER_NAME,
    MANIFEST_NAME,
    TOKENIZER_NAME,
    ShardWriter,
    shard_name,
    token_dtype,
)
from pipeline.shards.manifest import build_manifest, shard_entry
from pipeline.stages import source_stages
from settings import to_dict
from tokenizer import model_proto
from tokenizer.hf import tokenizer_json

log = logging.getLogger("fleece")

# A document as the plan sees it: (source, id, its number of ids, text bytes). Only the
# last step carries the ids themselves (see build_pipeline).
Doc = tuple[str, str, int, int]
# A document with its ids (without BOS/EOS): (source, id, ids, text bytes).
EncodedDoc = tuple[str, str, np.ndarray, int]


@dataclasses.dataclass
class ShardsParameters:
    """What the shards depend on besides the encoded documents."""

    shards: ShardsConfig
    seed: int


def encoded_sources(ctx: StageContext) -> dict[str, str]:
    """source -> the glob of its encoded parts, for every source the encode stage wrote."""
    present: dict[str, str] = {}
    for source in source_stages():
        pattern = ctx.input("encode", source)
        try:
            io.match_files([pattern])
        except FileNotFoundError:
            continue
        present[source] = pattern
    return present


def check_feasible(encoded: dict[str, int], shares: dict[str, float], mix: ShardsConfig) -> None:
    """Refuse, before any reading, a token target or epoch limit that the encoded tokens
    cannot meet even with no document held out for validation (the encode stage counted
    them); the plan checks again on the training tokens once the split is known. Without
    encode's counts (its _stats.json absent) only that later check runs."""
    if not any(per_source("tokens", s) in encoded for s in shares):
        return
    rows = {
        s: encoded.get(per_source("tokens", s), 0)
        + quotas.SPECIAL_TOKENS * encoded.get(per_source("documents", s), 0)
        for s in shares
    }
    try:
        quotas.plan_quotas(rows, {}, shares, mix.token_target, mix.max_epochs)
    except quotas.InfeasibleMix as exc:
        raise StageCannotRun(str(exc)) from exc


def document_sizes(table: Any) -> Iterator[Doc]:
    """Rows of an encoded-parts Arrow table as Docs: their token counts, not their ids."""
    for batch in table.to_batches():
        counts = np.diff(batch.column("tokens").offsets.to_numpy()).tolist()
        yield from zip(
            batch.column("source").to_pylist(),
            batch.column("id").to_pylist(),
            counts,
            batch.column("bytes").to_pylist(),
            strict=True,
        )


def encoded_documents(table: Any) -> Iterator[EncodedDoc]:
    """Rows of an encoded-parts Arrow table with their ids (copied out per row)."""
    for batch in table.to_batches():
        ids = batch.column("id").to_pylist()
        sources = batch.column("source").to_pylist()
        sizes = batch.column("bytes").to_pylist()
        tokens = batch.column("tokens")
        offsets = tokens.offsets.to_numpy()
        values = tokens.values.to_numpy()
        for row, (doc_id, source, size) in enumerate(zip(ids, sources, sizes, strict=True)):
            yield source, doc_id, values[offsets[row] : offsets[row + 1]].copy(), size


def _rows(doc: Doc) -> int:
    return quotas.row_tokens(doc[2])


def in_validation(source: str, doc_id: str, thresholds: dict[str, int], split_seed: int) -> bool:
    return quotas.validation_key(doc_id, split_seed) < thresholds[source]


def split_document(doc: Doc, thresholds: dict[str, int], split_seed: int) -> Iterator[Any]:
    if in_validation(doc[0], doc[1], thresholds, split_seed):
        yield beam.pvalue.TaggedOutput("val", doc)
    else:
        yield doc


def make_plan(
    stats: dict[str, tuple[int, int, int]],
    histogram: list[tuple[tuple[str, int], int]],
    mix: ShardsConfig,
    itemsize: int,
) -> dict[str, Any]:
    """Quotas, boundary buckets and the train shard count from per-source training stats."""
    present = sorted(s for s, (documents, _, _) in stats.items() if documents)
    shares, missing = quotas.target_shares(mix.ratios, present)
    try:
        plan = quotas.plan_quotas(
            {s: stats[s][1] for s in present},
            {s: stats[s][0] for s in present},
            shares,
            mix.token_target,
            mix.max_epochs,
        )
    except quotas.InfeasibleMix as exc:  # the validation split took what tipped it
        raise StageCannotRun(str(exc)) from exc
    per_source: dict[str, dict[int, int]] = {}
    for (source, bucket_index), tokens in histogram:
        per_source.setdefault(source, {})[bucket_index] = tokens
    boundaries = {
        s: quotas.find_boundary(per_source.get(s, {}), q.remainder) for s, q in plan.items()
    }
    target = sum(q.quota for q in plan.values())
    return {
        "shares": shares,
        "missing": missing,
        "quotas": plan,
        "boundaries": boundaries,
        "target": target,
        "train_shards": quotas.shard_count(target, itemsize, mix.shard_bytes),
    }


def placed_rows(
    doc: EncodedDoc,
    thresholds: dict[str, int],
    plan: dict[str, Any],
    repeat_thresholds: dict[str, quotas.RepeatOrder],
    val_shards: int,
    split_seed: int,
    seed: int,
) -> Iterator[tuple[tuple[str, int], tuple[int, str, int, str, np.ndarray]]]:
    """A document's rows in the shards, keyed by (split, shard index): its validation row,
    or its training copies (none for most documents of a large corpus)."""
    source, doc_id, ids = doc[0], doc[1], doc[2]
    if in_validation(source, doc_id, thresholds, split_seed):
        key = quotas.placement_key(doc_id, 0, seed)
        yield ("val", key % val_shards), (key, doc_id, 0, source, ids)
        return
    quota = plan["quotas"].get(source)
    if quota is None:
        return
    count = quotas.copies(doc_id, quota.full_copies, repeat_thresholds.get(source))
    for copy in range(count):
        key = quotas.placement_key(doc_id, copy, seed)
        yield ("train", key % plan["train_shards"]), (key, doc_id, copy, source, ids)


class WriteShardFn(io.StoreFn):
    """Sorts one shard's rows by placement key and writes it; yields its manifest entry."""

    def __init__(self, stage: str, out_dir: str, vocab_size: int) -> None:
        super().__init__()
        self.out_dir, self.vocab_size = out_dir, vocab_size
        self.count = BeamCounters(stage)

    def process(self, element: Any) -> Iterator[dict[str, Any]]:
        (split, index), rows = element
        ordered = sorted(rows, key=lambda r: (r[0], r[1], r[2]))
        yield write_shard(
            self.out_dir, split, index, ordered, self.vocab_size, token_dtype(self.vocab_size)
        )
        self.count(f"{split}.shards")
        note_part()
        for _, _, _, source, ids in ordered:
            self.count(per_source(f"{split}.documents", source))
            self.count(per_source(f"{split}.tokens", source), ids.size + 2)


def write_shard(
    out_dir: str, split: str, index: int, rows: list[Any], vocab_size: int, dtype: np.dtype
) -> dict[str, Any]:
    """Write rows (placement key, id, copy, source, ids) in order; return the manifest entry."""
    name = shard_name(split, index)
    path = io.join(out_dir, name)
    bos, eos = np.array([BOS_ID], dtype=dtype), np.array([EOS_ID], dtype=dtype)
    with io.open_write(path) as sink:
        writer = ShardWriter(path, vocab_size, sink=sink)
        for _, doc_id, _, source, ids in rows:
            writer.write(np.concatenate([bos, ids.astype(dtype, copy=False), eos]), source, doc_id)
        info = writer.close()
    return shard_entry(info, split)


class WriteManifestFn(io.StoreFn):
    """The last step, once every shard is written: `finish` with the collected entries."""

    def __init__(self, **settings: Any) -> None:
        super().__init__()
        self.settings = settings

    def process(
        self,
        entries: list[dict[str, Any]],
        plan: dict[str, Any],
        train_stats: list[tuple[str, tuple[int, int, int]]],
        val_stats: list[tuple[str, tuple[int, int, int]]],
        val_shards: int,
    ) -> Iterator[None]:
        finish(list(entries), plan, dict(train_stats), dict(val_stats), val_shards, **self.settings)
        return iter(())


def finish(
    entries: list[dict[str, Any]],
    plan: dict[str, Any],
    train_stats: dict[str, tuple[int, int, int]],
    val_stats: dict[str, tuple[int, int, int]],
    val_shards: int,
    *,
    out_dir: str,
    run: RunConfig,
    vocab_size: int,
    tokenizer_path: str,
    hf_tokenizer: bytes | None,
    code_version: str,
) -> None:
    """Fill in empty shards, copy the tokenizer, write tokenizer.json and manifest.json."""
    written = {(e["split"], e["file"]) for e in entries}
    dtype = token_dtype(vocab_size)
    for split, count in (("train", plan["train_shards"]), ("val", val_shards)):
        for index in range(count):
            if (split, shard_name(split, index)) not in written:
                entries.append(write_shard(out_dir, split, index, [], vocab_size, dtype))
    model = io.read_bytes(tokenizer_path)
    io.write_bytes(io.join(out_dir, TOKENIZER_NAME), model)
    hf_sha256 = write_hf_tokenizer_json(out_dir, hf_tokenizer)
    sources: dict[str, dict[str, int]] = {}
    for source in sorted(set(train_stats) | set(val_stats)):
        train_docs, train_tokens, train_bytes = train_stats.get(source, (0, 0, 0))
        val_docs, val_tokens, val_bytes = val_stats.get(source, (0, 0, 0))
        sources[source] = {
            "source_documents": train_docs,
            "source_tokens": train_tokens,
            "val_documents": val_docs,
            "val_tokens": val_tokens,
            "bytes": train_bytes + val_bytes,
        }
    manifest = build_manifest(
        shards=entries,
        vocab_size=vocab_size,
        tokenizer_sha256=hashlib.sha256(model).hexdigest(),
        shares=plan["shares"],
        sources=sources,
        missing_sources=plan["missing"],
        token_target=plan["target"],
        seed=run.seed,
        split_seed=run.shards.split_seed,
        tolerance=run.shards.tolerance,
        run_manifest=to_dict(run),
        code_version=code_version,
        hf_tokenizer_sha256=hf_sha256,
    )
    io.write_json(io.join(out_dir, MANIFEST_NAME), manifest)


def exact_hf_tokenizer(model: bytes) -> bytes | None:
    """tokenizer.json for the shards' tokenizer.model, as `fleece export hf` writes it; None,
    with a warning, for a model it cannot reproduce exactly (an existing non-BPE
    tokenizer.model_path, say): the shards are as good without it."""
    try:
        return tokenizer_json(model)
    except ValueError as error:  # "tokenizer.model: <setting>; cannot export ..."
        log.warning("shards: no %s written: %s", HF_TOKENIZER_NAME, error)
        return None


def write_hf_tokenizer_json(out_dir: str, content: bytes | None) -> str | None:
    """Write tokenizer.json into out_dir; its sha256 for the manifest (None: none written)."""
    if content is None:
        return None
    io.write_bytes(io.join(out_dir, HF_TOKENIZER_NAME), content)
    return hashlib.sha256(content).hexdigest()


def sum_figures(values: Any) -> tuple[int, int, int]:
    """Element-wise sum of (documents, tokens, bytes) triples (a Beam combiner)."""
    documents = tokens = size = 0
    for d, t, b in values:
        documents, tokens, size = documents + d, tokens + t, size + b
    return documents, tokens, size


class ShardsStage(Stage):
    name = "shards"
    # 2: each shard entry records its largest token id, manifest.json its own checksum.
    # 3: tokenizer.json beside the shards.
    version = 3
    requires = ("tokenizer", "encode")
    outputs = {
        "manifest": MANIFEST_NAME,
        "tokenizer": TOKENIZER_NAME,
        "hf_tokenizer": HF_TOKENIZER_NAME,
        "train": "train-*.arrow",
        "val": "val-*.arrow",
    }
    loaded_whole = ("manifest", "tokenizer", "hf_tokenizer")
    config_key = "shards"
    help = "Mix encoded documents into train/val Arrow token shards with manifest.json."

    def parameters(self, run: RunConfig) -> ShardsParameters:
        return ShardsParameters(run.shards, run.seed)

    def run(self, ctx: StageContext) -> dict[str, int]:
        run = ctx.run
        present = encoded_sources(ctx)
        if not present:
            raise FileNotFoundError(f"no encoded documents under {run.run_dir}/encode")
        shares, missing = quotas.target_shares(run.shards.ratios, present)
        warn_missing(self.name, missing, sorted(s for s, share in shares.items() if share == 0))
        check_feasible(ctx.counters("encode"), shares, run.shards)
        model = io.read_bytes(ctx.input("tokenizer", "model"))
        vocab_size = len(model_proto.parse(model).pieces)
        # built before the pipeline, so that a refused model is said once, up front
        hf_tokenizer = exact_hf_tokenizer(model)
        counters = run_beam(
            ctx, lambda p: build_pipeline(p, ctx, present, vocab_size, hf_tokenizer)
        )
        counters["vocab_size"] = vocab_size
        return counters


def build_pipeline(
    pipeline: Any,
    ctx: StageContext,
    present: dict[str, str],
    vocab_size: int,
    hf_tokenizer: bytes | None,
) -> None:
    run, mix, stage, out_dir = ctx.run, ctx.run.shards, ctx.name, ctx.out_dir
    tokenizer_path = ctx.input("tokenizer", "model")
    itemsize = token_dtype(vocab_size).itemsize

    # The plan (validation split, quotas, repeat thresholds) needs only each document's
    # id, source and size: the ids are read a second time, by the one step that places them,
    # so that they pass through one shuffle (into their shard), not through every step.
    patterns = list(present.values())
    docs = (
        pipeline
        | "Read sizes" >> ReadParquetTables(patterns, columns=["id", "source", "tokens", "bytes"])
        | "Sizes" >> beam.FlatMap(document_sizes)
    )

    # Validation split: per source the k smallest validation keys and the document count.
    keys = docs | "Validation keys" >> beam.Map(
        lambda d: (d[0], quotas.validation_key(d[1], mix.split_seed))
    )
    smallest = keys | "Smallest keys" >> beam.combiners.Top.SmallestPerKey(
        max(1, mix.val_min_documents)
    )
    counts = keys | "Count per source" >> beam.combiners.Count.PerKey()
    thresholds = (
        {"smallest": smallest, "count": counts}
        | "Join for threshold" >> beam.CoGroupByKey()
        | "Val thresholds"
        >> beam.Map(
            lambda kv: (
                kv[0],
                quotas.validation_threshold(
                    kv[1]["count"][0], kv[1]["smallest"][0], mix.val_fraction, mix.val_min_documents
                ),
            )
        )
    )
    split = docs | "Split" >> beam.FlatMap(
        split_document, AsDict(thresholds), mix.split_seed
    ).with_outputs("val", main="train")
    train, val = split.train, split.val

    def stats(pcoll: Any, label: str) -> Any:
        return (
            pcoll
            | f"{label} figures" >> beam.Map(lambda d: (d[0], (1, _rows(d), d[3])))
            | f"{label} sums" >> beam.CombinePerKey(sum_figures)
        )

    train_stats = stats(train, "Train")
    val_stats = stats(val, "Val")
    histogram = (
        train
        | "Bucket tokens"
        >> beam.Map(lambda d: ((d[0], quotas.bucket(quotas.repeat_key(d[1]))), _rows(d)))
        | "Bucket sums" >> beam.CombinePerKey(sum)
    )
    plan = (
        pipeline
        | "Plan seed" >> beam.Create([None])
        | "Plan"
        >> beam.Map(
            lambda _, s, h: make_plan(dict(s), h, mix, itemsize),
            AsList(train_stats),
            AsList(histogram),
        )
    )

    def boundary_candidates(doc: Doc, plan: dict[str, Any]) -> Iterator[Any]:
        boundary = plan["boundaries"].get(doc[0])
        if boundary is None:
            return
        key = quotas.repeat_key(doc[1])
        if quotas.bucket(key) == boundary.bucket:
            yield doc[0], (key, doc[1], _rows(doc))

    repeat_thresholds = (
        train
        | "Boundary candidates" >> beam.FlatMap(boundary_candidates, AsSingleton(plan))
        | "Group boundary" >> beam.GroupByKey()
        | "Repeat threshold"
        >> beam.Map(
            lambda kv, plan: (
                kv[0],
                quotas.find_threshold(kv[1], plan["boundaries"][kv[0]].needed),
            ),
            AsSingleton(plan),
        )
    )

    val_shards = (
        pipeline
        | "Val shards seed" >> beam.Create([None])
        | "Val shard count"
        >> beam.Map(
            lambda _, s: quotas.shard_count(
                sum(t for _, (_, t, _) in s), itemsize, mix.shard_bytes
            ),
            AsList(val_stats),
        )
    )
    rows = (
        pipeline
        | "Read documents" >> ReadParquetTables(patterns)
        | "Documents" >> beam.FlatMap(encoded_documents)
        | "Place"
        >> beam.FlatMap(
            placed_rows,
            AsDict(thresholds),
            AsSingleton(plan),
            AsDict(repeat_thresholds),
            AsSingleton(val_shards),
            mix.split_seed,
            run.seed,
        )
    )
    entries = (
        rows
        | "Group shard" >> beam.GroupByKey()
        | "Write shard" >> beam.ParDo(WriteShardFn(stage, out_dir, vocab_size))
    )
    _ = (
        entries
        | "Collect entries" >> beam.combiners.ToList()
        | "Write manifest"
        >> beam.ParDo(
            WriteManifestFn(
                out_dir=out_dir,
                run=run,
                vocab_size=vocab_size,
                tokenizer_path=tokenizer_path,
                hf_tokenizer=hf_tokenizer,
                code_version=code_version(),  # the launcher's: a worker may run a wheel
            ),
            AsSingleton(plan),
            AsList(train_stats),
            AsList(val_stats),
            AsSingleton(val_shards),
        )
    )


STAGE = ShardsStage()
command = stage_command(STAGE)
