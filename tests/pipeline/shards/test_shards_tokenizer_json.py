"""tokenizer.json beside the shards: the export's bytes, listed and checked like the other
outputs, and enough to decode shard rows with the `tokenizers` library alone."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
from pathlib import Path

import pytest
import sentencepiece as spm
from click.testing import CliRunner
from tokenizers import Tokenizer

from pipeline.harness.completion import completion
from pipeline.shards.format import HF_TOKENIZER_NAME, ShardReader
from pipeline.shards.manifest_schema import manifest_problems
from pipeline.shards.stage import STAGE, exact_hf_tokenizer, write_hf_tokenizer_json
from pipeline.shards.verify import verify
from tokenizer.encoder import replace_surrogates
from tokenizer.hf import write_hf_tokenizer
from tokenizer.sample_text import synthetic_documents


def exported_tokenizer_json(model: bytes | str, folder: Path) -> bytes:
    """tokenizer.json as `fleece export hf` writes it (its tokenizer files, any context)."""
    folder.mkdir()
    write_hf_tokenizer(model, str(folder), model_max_length=4096)
    return (folder / "tokenizer.json").read_bytes()


def test_the_writer_writes_the_exports_tokenizer_json(llama_model: bytes, tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    content = exact_hf_tokenizer(llama_model)
    sha256 = write_hf_tokenizer_json(str(shards), content)

    written = (shards / HF_TOKENIZER_NAME).read_bytes()
    assert written == exported_tokenizer_json(llama_model, tmp_path / "export")
    assert exact_hf_tokenizer(llama_model) == written  # same model, same bytes
    assert sha256 == hashlib.sha256(written).hexdigest()

    # rows as the shards hold them (BOS + ids + EOS) decode to their texts
    sp = spm.SentencePieceProcessor(model_proto=llama_model)
    texts = synthetic_documents(20, seed=3) + [" leading space", "tabs\t\tand\nlines", "日本語"]
    hf = Tokenizer.from_file(str(shards / HF_TOKENIZER_NAME))
    assert [hf.decode([1, *sp.encode(t), 2]) for t in texts] == texts


def test_a_model_the_export_refuses_gets_no_tokenizer_json(
    training_documents: list[str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(training_documents[:100]), model_writer=buffer,
        model_type="unigram", vocab_size=400, character_coverage=0.98, minloglevel=2,
    )  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="fleece"):
        content = exact_hf_tokenizer(buffer.getvalue())
    assert content is None
    why = "tokenizer.model: trainer_spec.model_type is not BPE"
    assert f"shards: no tokenizer.json written: {why}" in caplog.text
    assert write_hf_tokenizer_json(str(tmp_path), content) is None
    assert list(tmp_path.iterdir()) == []


def flip_last_byte_keeping_time(path: Path) -> None:
    """Bit rot: the content changes, the size and modification time do not."""
    stat = path.stat()
    data = bytearray(path.read_bytes())
    data[-2] ^= 0x01
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_the_mix_lists_it_and_verify_and_the_completion_check_rehash_it(mix_run) -> None:
    run, shards = mix_run()
    content = (shards / HF_TOKENIZER_NAME).read_bytes()
    assert content == exact_hf_tokenizer((shards / "tokenizer.model").read_bytes())
    manifest = json.loads((shards / "manifest.json").read_text())
    assert manifest["hf_tokenizer"] == {
        "file": HF_TOKENIZER_NAME,
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    assert manifest_problems(manifest) == []
    # shards written before tokenizer.json was still read; a wrong entry is named
    older = {k: v for k, v in manifest.items() if k != "hf_tokenizer"}
    assert manifest_problems(older) == []
    assert manifest_problems({**manifest, "hf_tokenizer": {"file": HF_TOKENIZER_NAME}}) == [
        "hf_tokenizer.sha256: missing"
    ]
    listed = [entry[0] for entry in json.loads((shards / "_SUCCESS").read_text())["outputs"]]
    assert HF_TOKENIZER_NAME in listed
    assert CliRunner().invoke(verify, [str(shards)]).exit_code == 0
    assert completion(STAGE, run, None)[0]

    flip_last_byte_keeping_time(shards / HF_TOKENIZER_NAME)
    complete, why, _ = completion(STAGE, run, None)  # no --verify: a small file, re-hashed
    assert not complete and why.startswith("output file tokenizer.json changed after"), why
    result = CliRunner().invoke(verify, [str(shards)])
    assert result.exit_code == 1
    assert "FAIL tokenizer.json: sha256 differs from the manifest's hf_tokenizer.sha256" in (
        result.output
    )


@pytest.mark.slow
def test_the_sample_shards_decode_to_their_documents_with_tokenizers_alone(
    sample_run: Path, tmp_path: Path
) -> None:
    # lazy: Beam, for this slow test only
    from pipeline.documents import read_documents
    from pipeline.registry import source_names

    shards = sample_run / "shards"
    assert (shards / HF_TOKENIZER_NAME).read_bytes() == exported_tokenizer_json(
        str(shards / "tokenizer.model"), tmp_path / "export"
    )
    texts = {
        row["id"]: row["text"]
        for source in source_names()
        for row in read_documents(str(sample_run / source / "part-*.parquet"))
    }
    hf = Tokenizer.from_file(str(shards / HF_TOKENIZER_NAME))
    decoded = {}
    for name in ("val-00000.arrow", "train-00000.arrow"):
        with ShardReader(str(shards / name)) as reader:
            ids, offsets = reader.ids(), reader.offsets
            for row in range(reader.num_documents):
                tokens = reader.tokens[offsets[row] : offsets[row + 1]].tolist()
                decoded[ids[row]] = hf.decode(tokens)
    assert len(decoded) > 300 and len({i.split("/")[0] for i in decoded}) == 7
    # SentencePiece reads a literal "▁" as a space and a lone surrogate as U+FFFD
    expected = {i: replace_surrogates(texts[i]).replace("\u2581", " ") for i in decoded}
    assert [i for i in decoded if decoded[i] != expected[i]] == []
