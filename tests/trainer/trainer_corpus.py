"""Generated shard directories for the trainer tests (no downloads).

`markov_documents` draws token ids from a fixed sparse bigram chain: each token has three
likely successors, so a small model's loss falls from ln(vocab) to about ln(3) — a
learnable stream. `sentence_documents` is template English for a real SentencePiece model.
"""

from __future__ import annotations

import hashlib
import json
import os
import random

import numpy as np
import sentencepiece as spm

from pipeline.config import RunConfig
from pipeline.shards.config import ShardsConfig
from pipeline.shards.format import (
    BOS_ID,
    EOS_ID,
    MANIFEST_NAME,
    TOKENIZER_NAME,
    ShardWriter,
    shard_name,
)
from pipeline.shards.manifest import build_manifest, shard_entry
from settings import to_dict
from tokenizer.config import TokenizerConfig


def markov_documents(
    count: int, vocab_size: int, seed: int, min_len: int = 20, max_len: int = 120
) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    chain = np.random.default_rng(1234)  # the chain itself is fixed: train and val share it
    successors = chain.integers(3, vocab_size, size=(vocab_size, 3))
    docs = []
    for _ in range(count):
        length = int(rng.integers(min_len, max_len))
        token = int(rng.integers(3, vocab_size))
        body = [token]
        for _ in range(length - 1):
            token = int(successors[token, rng.integers(0, 3)])
            body.append(token)
        docs.append([BOS_ID, *body, EOS_ID])
    return docs


WORDS = {
    "det": ["the", "a", "one", "every"],
    "adj": ["small", "red", "quiet", "old", "bright", "woollen"],
    "noun": ["sheep", "farmer", "dog", "field", "fleece", "river", "barn"],
    "verb": ["sees", "follows", "guards", "crosses", "finds", "shears"],
}


def sentence_documents(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    docs = []
    for _ in range(count):
        sentences = []
        for _ in range(rng.randint(2, 6)):
            words = [
                rng.choice(WORDS[k]) for k in ("det", "adj", "noun", "verb", "det", "adj", "noun")
            ]
            sentences.append(" ".join(words).capitalize() + ".")
        docs.append(" ".join(sentences))
    return docs


def train_sentencepiece(texts: list[str], prefix: str, vocab_size: int = 100) -> str:
    """A small BPE model with LLaMA's ids (unk 0, bos 1, eos 2). No byte fallback: its 256
    byte pieces would not fit a vocabulary this small."""
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts),
        model_prefix=prefix,
        model_type="bpe",
        vocab_size=vocab_size,
        split_digits=True,
        character_coverage=1.0,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
    )
    return prefix + ".model"


def write_shards(
    directory: str,
    train: list[list[int]],
    val: list[list[int]],
    vocab_size: int,
    train_shards: int = 2,
    tokenizer: str | None = None,
    source: str = "c4",
    val_sources: list[str] | None = None,
) -> str:
    """Write train/val shards (documents dealt round-robin) and the manifest.json the mix
    would write for them (all of one source, but for the rows of val documents given their
    own source in `val_sources`; the run manifest holds the matching fields)."""
    os.makedirs(directory, exist_ok=True)
    sources = {"train": [source] * len(train), "val": val_sources or [source] * len(val)}
    entries = []
    for split, docs, count in (("train", train, train_shards), ("val", val, 1)):
        for index in range(count):
            path = os.path.join(directory, shard_name(split, index))
            with ShardWriter(path, vocab_size) as writer:
                for number, (doc, name) in enumerate(
                    zip(docs[index::count], sources[split][index::count], strict=True)
                ):
                    writer.write(
                        np.asarray(doc, dtype=np.int64), name, f"{name}/{split}-{index}-{number}"
                    )
            entries.append(shard_entry(writer.close(), split))
    tokenizer_sha256 = "0" * 64
    if tokenizer is not None:
        with open(tokenizer, "rb") as handle:
            data = handle.read()
        with open(os.path.join(directory, TOKENIZER_NAME), "wb") as handle:
            handle.write(data)
        tokenizer_sha256 = hashlib.sha256(data).hexdigest()
    run = RunConfig(
        shards=ShardsConfig(ratios={source: 1.0}),
        tokenizer=TokenizerConfig(vocab_size=max(vocab_size, 300)),
    )
    run_manifest = to_dict(run)
    run_manifest["tokenizer"]["vocab_size"] = vocab_size  # below the trainable minimum is fine here
    train_tokens = sum(len(d) for d in train)
    manifest = build_manifest(
        shards=entries,
        vocab_size=vocab_size,
        tokenizer_sha256=tokenizer_sha256,
        shares={source: 1.0},
        sources={
            source: {
                "source_documents": len(train),
                "source_tokens": train_tokens,
                "val_documents": len(val),
                "val_tokens": sum(len(d) for d in val),
                "bytes": 0,
            }
        },
        missing_sources=[],
        token_target=train_tokens,
        seed=0,
        split_seed=0,
        tolerance=run.shards.tolerance,
        run_manifest=run_manifest,
        code_version="test",
    )
    with open(os.path.join(directory, MANIFEST_NAME), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
    return directory


def markov_corpus(
    directory: str, vocab_size: int = 256, train_docs: int = 400, val_docs: int = 40
) -> str:
    return write_shards(
        directory,
        markov_documents(train_docs, vocab_size, seed=1),
        markov_documents(val_docs, vocab_size, seed=2),
        vocab_size,
    )
