"""Tokenizer training time and single-core encoding speed, fleece's encoder beside SentencePiece.

    python -m bench.bench_tokenizer [--megabytes 16] [--vocab 32000] [--model PATH]

Trains a LLaMA-settings tokenizer on generated multilingual text (or loads --model), then
encodes the same held-out documents, in the same process and on one thread, three ways:
SentencePiece on whole documents (the reference), SentencePiece line by line (not exact, for
scale) and fleece's FastEncoder (exact; ids compared with the reference). The fast encoder
caches fragment ids, so it is measured from a cold cache (a fresh encoder) and again warm, and
its hit rate is reported. Text sets: words drawn by a Zipf law from the tokenizer's training
vocabulary (30k word types; synthetic text repeats more than real text), from a 300k-type
vocabulary (a long tail the tokenizer never saw), and one 1 MB document. Times are the best of
--repeats runs. One JSON line per measurement.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence

import sentencepiece as spm

from tokenizer.config import TokenizerConfig
from tokenizer.encoder import FastEncoder
from tokenizer.sample_text import TextGenerator
from tokenizer.train import train_model


def generated(megabytes: float, seed: int, vocabulary: int) -> list[str]:
    generator = TextGenerator(seed=seed, vocabulary=vocabulary)
    documents, size = [], 0
    while size < megabytes * 1e6:
        document = generator.document()
        documents.append(document)
        size += len(document.encode())
    return documents


def timed(function: Callable[[], object], repeats: int = 1) -> tuple[object, float]:
    """The result and the best wall time of `repeats` calls."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return result, best


def _hit_rate(encoder: FastEncoder, seen: int, encoded: int) -> float:
    """Hit rate over the fragments met since the counters read (seen, encoded)."""
    met = encoder.fragments_seen - seen
    return round(1 - (encoder.fragments_encoded - encoded) / met, 4) if met else 0.0


def encoding_records(
    model: bytes, name: str, documents: list[str], warmup: list[str], repeats: int
) -> list[dict[str, object]]:
    megabytes = sum(len(d.encode()) for d in documents) / 1e6
    whole = spm.SentencePieceProcessor(model_proto=model)
    # The reference returns numpy arrays, as the fast encoder does: neither builds Python ints.
    reference_arrays, whole_s = timed(
        lambda: [whole.encode(d, out_type="numpy") for d in documents], repeats
    )
    reference = [ids.tolist() for ids in reference_arrays]  # type: ignore[union-attr]
    tokens = sum(len(ids) for ids in reference)
    _, lines_s = timed(
        lambda: [whole.encode(d.split("\n"), num_threads=1) for d in documents], repeats
    )
    base = {
        "bench": "tokenizer",
        "measure": "encode",
        "text": name,
        "documents": len(documents),
        "megabytes": round(megabytes, 2),
        "tokens": tokens,
        "threads": 1,
    }
    records: list[dict[str, object]] = [
        {
            **base,
            "encoder": "sentencepiece-whole-document",
            "mb_per_s": round(megabytes / whole_s, 2),
            "tokens_per_s": round(tokens / whole_s),
        },
        {
            **base,
            "encoder": "sentencepiece-per-line (not exact)",
            "mb_per_s": round(megabytes / lines_s, 2),
        },
    ]
    # Encoders are built (and warmed) outside the timed region: loading is a once-per-worker
    # cost, and a worker's cache is warm after its first megabytes of a source.
    warm_up_megabytes = sum(len(d.encode()) for d in warmup) / 1e6
    settings = {
        "fleece-fast (cold cache)": [],
        f"fleece-fast (cache warmed on {warm_up_megabytes:.0f} MB of other documents)": warmup,
    }
    for label, warm_documents in settings.items():
        fresh = []
        for _ in range(repeats):
            encoder = FastEncoder(model)
            for document in warm_documents:
                encoder.encode_array(document)
            fresh.append(encoder)
        used: list[tuple[FastEncoder, int, int]] = []

        def run(fresh: list[FastEncoder] = fresh, used: list = used) -> list[object]:
            encoder = fresh.pop()
            used.append((encoder, encoder.fragments_seen, encoder.fragments_encoded))
            return [encoder.encode_array(d) for d in documents]

        arrays, seconds = timed(run, repeats)
        encoder, seen, encoded = used[-1]
        records.append(
            {
                **base,
                "encoder": label,
                "mb_per_s": round(megabytes / seconds, 2),
                "tokens_per_s": round(tokens / seconds),
                "speedup": round(whole_s / seconds, 2),
                "identical_ids": [a.tolist() for a in arrays] == reference,  # type: ignore[union-attr]
                "cache_hit_rate": _hit_rate(encoder, seen, encoded),
                "exact_fragments": encoder.exact_fragments,
            }
        )
    return records


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_tokenizer", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--megabytes", type=float, default=16.0, help="training text (MB)")
    parser.add_argument(
        "--encode-megabytes", type=float, default=8.0, help="text encoded per set (MB)"
    )
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--model", help="use this tokenizer.model instead of training one")
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed runs per measurement (best kept)"
    )
    args = parser.parse_args(argv)

    if args.model:
        with open(args.model, "rb") as f:
            model = f.read()
    else:
        training = generated(args.megabytes, seed=1, vocabulary=30_000)
        config = TokenizerConfig(vocab_size=args.vocab, num_threads=1)
        (model, stats), seconds = timed(
            lambda: train_model((("c4", d) for d in training), config, seed=0)
        )
        print(
            json.dumps(
                {
                    "bench": "tokenizer",
                    "measure": "train",
                    "vocab_size": args.vocab,
                    "megabytes": round(sum(len(d.encode()) for d in training) / 1e6, 2),
                    "lines": stats.lines,
                    "threads": 1,
                    "seconds": round(seconds, 2),
                }
            ),
            flush=True,
        )
    # (documents, warm-up documents): the warm-up set is other documents of the same kind.
    sets = {
        "zipf-30k-word-types": (
            generated(args.encode_megabytes, seed=2, vocabulary=30_000),
            generated(2 * args.encode_megabytes, seed=12, vocabulary=30_000),
        ),
        "zipf-300k-word-types": (
            generated(args.encode_megabytes, seed=3, vocabulary=300_000),
            generated(2 * args.encode_megabytes, seed=13, vocabulary=300_000),
        ),
        "one-1MB-document": (
            ["\n".join(generated(1.0, seed=4, vocabulary=30_000))],
            generated(2 * args.encode_megabytes, seed=14, vocabulary=30_000),
        ),
    }
    for name, (documents, warmup) in sets.items():
        for record in encoding_records(model, name, documents, warmup, args.repeats):
            print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
