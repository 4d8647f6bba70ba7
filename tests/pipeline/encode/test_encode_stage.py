"""The tokenizer and encode stages over generated documents of two sources."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sentencepiece as spm

from pipeline import io
from pipeline.config import RunConfig, RunnerConfig
from pipeline.documents import DOCUMENT_SCHEMA, Document, write_table
from pipeline.encode import stage as encode_stage
from pipeline.encode.stage import STAGE as ENCODE
from pipeline.harness.beam import beam_args_for
from pipeline.harness.running import run_stage
from pipeline.harness.stage import StageCannotRun
from pipeline.shards.config import ShardsConfig
from pipeline.tokenizer.stage import STAGE as TOKENIZER
from tokenizer.config import TokenizerConfig
from tokenizer.encoder import replace_surrogates
from tokenizer.sample_text import synthetic_documents


def write_source(root: Path, source: str, texts: list[str]) -> None:
    out = root / source
    out.mkdir(parents=True)
    rows = [Document(f"{source}/{i}", source, t).row() for i, t in enumerate(texts)]
    write_table(str(out / "part-00000.parquet"), rows[::2], DOCUMENT_SCHEMA)
    write_table(str(out / "part-00001.parquet"), rows[1::2], DOCUMENT_SCHEMA)
    (out / "_SUCCESS").write_text(json.dumps({"fingerprint": source}))


def test_tokenizer_then_encode_give_sentencepiece_ids_and_counts(tmp_path: Path) -> None:
    wiki = synthetic_documents(120, seed=1) + ["", "\n\n", "   "]
    books = synthetic_documents(30, seed=2)
    write_source(tmp_path, "wikipedia", wiki)
    write_source(tmp_path, "books", books)
    run = RunConfig(
        run_dir=str(tmp_path),
        runner=RunnerConfig(direct_num_workers=1, direct_running_mode="in_memory"),
        tokenizer=TokenizerConfig(vocab_size=1500, character_coverage=0.9995, sample_bytes=200_000),
        shards=ShardsConfig(ratios={"wikipedia": 1.0, "books": 3.0}),
    )
    args = beam_args_for(run, [])
    counters = run_stage(TOKENIZER, run, beam_args=args)
    # the sample follows the ratios: books gets ~3/4 of the bytes, until books runs out
    assert counters["sample.bytes.books"] >= 150_000 or counters["sample.documents.books"] == 30
    model = (tmp_path / "tokenizer" / "tokenizer.model").read_bytes()
    sha = (tmp_path / "tokenizer" / "tokenizer.model.sha256").read_text().split()[0]

    assert sha == hashlib.sha256(model).hexdigest()

    run_stage(ENCODE, run, beam_args=args)
    sp = spm.SentencePieceProcessor(model_proto=model)
    encoded = {}
    for part in sorted((tmp_path / "encode" / "wikipedia").glob("part-*.parquet")):
        for row in io.read_parquet(str(part)).to_pylist():
            encoded[row["id"]] = row
    assert len(encoded) == len(wiki) - 1  # the empty document is dropped, and counted
    for index, text in enumerate(wiki):
        if text:
            row = encoded[f"wikipedia/{index}"]
            assert row["tokens"] == sp.encode(replace_surrogates(text))
            assert row["bytes"] == len(text.encode("utf-8", "replace"))
    stats = json.loads((tmp_path / "encode" / "_stats.json").read_text())["counters"]
    assert stats["documents.wikipedia"] == len(wiki) - 1
    assert stats["dropped.empty.wikipedia"] == 1
    assert stats["tokens.wikipedia"] == sum(len(r["tokens"]) for r in encoded.values())
    assert stats["documents.books"] == 30


def _existing_model_run(tmp_path: Path, model_path: Path) -> RunConfig:
    write_source(tmp_path / "run", "wikipedia", synthetic_documents(40, seed=3))
    return RunConfig(
        run_dir=str(tmp_path / "run"),
        runner=RunnerConfig(direct_num_workers=1, direct_running_mode="in_memory"),
        tokenizer=TokenizerConfig(model_path=str(model_path)),
        shards=ShardsConfig(ratios={"wikipedia": 1.0}),
    )


def test_an_existing_tokenizer_is_used_as_given_and_encodes_the_corpus(
    tmp_path: Path, llama_model: bytes
) -> None:
    (tmp_path / "llama.model").write_bytes(llama_model)
    run = _existing_model_run(tmp_path, tmp_path / "llama.model")
    args = beam_args_for(run, [])
    counters = run_stage(TOKENIZER, run, beam_args=args)
    assert counters == {"existing_model": 1, "vocab_size": 2000}
    assert (tmp_path / "run" / "tokenizer" / "tokenizer.model").read_bytes() == llama_model
    run_stage(ENCODE, run, beam_args=args)
    sp = spm.SentencePieceProcessor(model_proto=llama_model)
    texts = {f"wikipedia/{i}": t for i, t in enumerate(synthetic_documents(40, seed=3))}
    rows = [
        row
        for part in sorted((tmp_path / "run" / "encode" / "wikipedia").glob("part-*.parquet"))
        for row in io.read_parquet(str(part)).to_pylist()
    ]
    assert len(rows) == 40
    for row in rows:
        assert row["tokens"] == sp.encode(replace_surrogates(texts[row["id"]]))
    # another file at the same path is another tokenizer: the stage is no longer complete
    before = TOKENIZER.parameters(run)
    (tmp_path / "llama.model").write_bytes(llama_model + b"\n")
    assert TOKENIZER.parameters(run).existing_model_sha256 != before.existing_model_sha256


def test_an_existing_tokenizer_that_cannot_serve_is_refused_in_one_line(
    tmp_path: Path, training_documents: list[str]
) -> None:
    (tmp_path / "junk.model").write_bytes(b"not a model")
    run = _existing_model_run(tmp_path, tmp_path / "junk.model")
    with pytest.raises(StageCannotRun, match=r"junk.model: not a SentencePiece model"):
        run_stage(TOKENIZER, run, beam_args=beam_args_for(run, []))

    # ids 1/2 are where every shard row puts BOS/EOS: a model with others is refused
    model = tmp_path / "other-ids"
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(training_documents[:300]),
        model_prefix=str(model),
        vocab_size=400,
        character_coverage=0.98,
        bos_id=2,
        eos_id=1,
        minloglevel=2,
    )
    run = _existing_model_run(tmp_path / "b", Path(f"{model}.model"))
    with pytest.raises(
        StageCannotRun, match=r"bos_id 2 and eos_id 1; fleece's shards need 1 and 2"
    ):
        run_stage(TOKENIZER, run, beam_args=beam_args_for(run, []))

    run = _existing_model_run(tmp_path / "c", tmp_path / "absent.model")
    with pytest.raises(FileNotFoundError, match="tokenizer.model_path: .*absent.model does not"):
        run_stage(TOKENIZER, run, beam_args=beam_args_for(run, []))


def test_each_document_part_is_encoded_in_its_order_into_the_part_of_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """encode is a map, part by part: no worker holds more than a row group of a part,
    whatever the part's size, and a source with no text at all writes no part."""
    monkeypatch.setattr(encode_stage, "ROW_GROUP_TOKENS", 400)
    write_source(tmp_path, "wikipedia", synthetic_documents(60, seed=4) + [""])
    write_source(tmp_path, "books", ["", ""])
    run = RunConfig(
        run_dir=str(tmp_path),
        runner=RunnerConfig(direct_num_workers=1, direct_running_mode="in_memory"),
        tokenizer=TokenizerConfig(vocab_size=1500, character_coverage=0.9995, sample_bytes=100_000),
        shards=ShardsConfig(ratios={"wikipedia": 1.0}),
    )
    args = beam_args_for(run, [])
    run_stage(TOKENIZER, run, beam_args=args)
    run_stage(ENCODE, run, beam_args=args)

    for part in ("part-00000.parquet", "part-00001.parquet"):
        documents = io.read_parquet(str(tmp_path / "wikipedia" / part)).to_pylist()
        encoded = pq.ParquetFile(tmp_path / "encode" / "wikipedia" / part)
        ids = encoded.read(columns=["id"]).column("id").to_pylist()
        assert ids == [d["id"] for d in documents if d["text"]]
        assert encoded.num_row_groups > 1
        for index in range(encoded.num_row_groups - 1):
            tokens = encoded.read_row_group(index, columns=["tokens"]).column("tokens")
            # a row group closes at the first document that takes it to 400 tokens
            assert sum(len(t) for t in tokens.to_pylist()[:-1]) < 400
    assert not list((tmp_path / "encode" / "books").glob("*.parquet"))
