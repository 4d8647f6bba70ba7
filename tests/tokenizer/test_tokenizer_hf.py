"""The exported Hugging Face tokenizer gives exactly fleece's (and SentencePiece's) ids."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sentencepiece as spm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transformers import AutoTokenizer, PreTrainedTokenizerBase

import tokenizer
from tokenizer import model_proto
from tokenizer.encoder import fragment_pattern, replace_surrogates
from tokenizer.hf import build_tokenizer, write_hf_tokenizer
from tokenizer.sample_text import synthetic_documents

EXPLICIT = ["", " ", "  leading", "trailing  ", "a\n\nb", "1234567", "x\t\ty", "🙂",
            "日本語のテキスト", "\ufffd"]  # fmt: skip
# Cases the stock conversion gets wrong: a leading space, special-token text, a literal "▁".
TRAPS = [" hello", "    indented = 1", "<s> and </s> and <unk>", "<0x0A>", "\u2581x", "\n", "\r\n"]
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
# Runs in a fresh interpreter where fleece's packages and sentencepiece count as not installed
# (a None entry in sys.modules fails their import and makes find_spec report them missing).
LOADER = """
import json, sys
for name in ("tokenizer", "pipeline", "trainer", "settings", "sentencepiece"):
    sys.modules[name] = None
from transformers import AutoTokenizer
tok = AutoTokenizer.from_pretrained(sys.argv[1])
texts = json.load(open(sys.argv[2], encoding="utf-8"))
print(json.dumps({
    "plain": [tok(t, add_special_tokens=False).input_ids for t in texts],
    "bos": [tok(t).input_ids for t in texts],
    "decoded": [tok.decode(tok(t).input_ids, skip_special_tokens=True) for t in texts],
    "class": type(tok).__name__,
    "blocked_still_none": all(sys.modules[n] is None for n in ("tokenizer", "sentencepiece")),
}))
"""


@pytest.fixture(scope="module")
def hf_dir(llama_model: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hf")
    write_hf_tokenizer(llama_model, str(out), model_max_length=2048)
    return out


@pytest.fixture(scope="module")
def hf(hf_dir: Path) -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(str(hf_dir))


@pytest.fixture(scope="module")
def sp(llama_model: bytes) -> spm.SentencePieceProcessor:
    return spm.SentencePieceProcessor(model_proto=llama_model)


def hf_ids(hf: PreTrainedTokenizerBase, text: str) -> list[int]:
    return hf(text, add_special_tokens=False).input_ids


def texts(llama_model: bytes) -> st.SearchStrategy[str]:
    """Vocabulary pieces (so merges fire) mixed with digits, emoji, CJK, whitespace runs,
    other scripts and arbitrary code points (lone surrogates included)."""
    pieces = [
        p.piece for p in model_proto.parse(llama_model).pieces if p.type == model_proto.NORMAL
    ]
    parts = st.one_of(
        st.sampled_from(pieces).map(lambda p: p.replace("\u2581", " ")),
        st.sampled_from(pieces),
        st.text(st.sampled_from(" \n\t\r\u3000\u00a0"), min_size=1, max_size=8),
        st.integers(0, 10**9).map(str),
        st.sampled_from(["🙂", "🦙", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "\ufffd", "\ud800", "\udfff"]),
        st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=12),
        st.sampled_from(["日本語のテキスト", "こんにちは", "Привет", "مرحبا", "שלום", "Ωμέγα"]),
        st.text(ANY_CHAR, max_size=4),
    )
    return st.lists(parts, max_size=30).map("".join)


@SETTINGS
@given(data=st.data())
def test_generated_text_gives_fleece_and_sentencepiece_ids(
    hf: PreTrainedTokenizerBase, sp: spm.SentencePieceProcessor, llama_model: bytes, data
) -> None:
    text = replace_surrogates(data.draw(texts(llama_model)))  # as fleece does before encoding
    expected = sp.encode(text)
    assert tokenizer.encode_batch([text], llama_model) == [expected]
    assert hf_ids(hf, text) == expected


@pytest.mark.parametrize("text", EXPLICIT + TRAPS)
def test_explicit_cases(hf: PreTrainedTokenizerBase, sp: spm.SentencePieceProcessor,
                        llama_model: bytes, text: str) -> None:  # fmt: skip
    expected = sp.encode(text)
    assert tokenizer.encode_batch([text], llama_model) == [expected]
    assert hf_ids(hf, text) == expected


def test_documents_match_in_a_batch(hf: PreTrainedTokenizerBase, llama_model: bytes) -> None:
    documents = synthetic_documents(150, seed=23)
    got = hf(documents, add_special_tokens=False).input_ids
    assert got == tokenizer.encode_batch(documents, llama_model)


def test_bos_is_prepended_and_decoding_gives_the_text_back(
    hf: PreTrainedTokenizerBase, sp: spm.SentencePieceProcessor
) -> None:
    assert (hf.bos_token_id, hf.eos_token_id, hf.unk_token_id) == (1, 2, 0)
    assert hf.pad_token_id == hf.unk_token_id  # LLaMA has none; Llama 2's HF release pads with unk
    assert hf.model_max_length == 2048
    for text in EXPLICIT + TRAPS + synthetic_documents(20, seed=2):
        ids = hf(text).input_ids
        assert ids == [1] + sp.encode(text)  # BOS only, no EOS
        assert hf.decode(ids, skip_special_tokens=True) == text.replace("\u2581", " ")
    assert hf("a", "b").input_ids == [1, *sp.encode("a"), 1, *sp.encode("b")]


def test_pre_tokens_are_the_fast_encoders_fragments(llama_model: bytes) -> None:
    """The Split regex cuts normalised text exactly where tokenizer.encoder does."""
    backend = build_tokenizer(llama_model)
    pattern = fragment_pattern(model_proto.parse(llama_model))
    assert pattern is not None
    rng = random.Random(4)
    for text in synthetic_documents(30, seed=9) + ["".join(rng.choice(TRAPS)) for _ in range(50)]:
        normal = backend.normalizer.normalize_str(text)
        cut = [piece for piece, _ in backend.pre_tokenizer.pre_tokenize_str(normal)]
        assert cut == pattern.findall(normal)


def test_loads_without_fleece_in_a_fresh_interpreter(
    hf_dir: Path, llama_model: bytes, tmp_path: Path
) -> None:
    cases = EXPLICIT + TRAPS + synthetic_documents(5, seed=1)
    (tmp_path / "texts.json").write_text(json.dumps(cases), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["HF_HUB_OFFLINE"] = "1"
    done = subprocess.run(
        [sys.executable, "-I", "-c", LOADER, str(hf_dir), str(tmp_path / "texts.json")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    expected = tokenizer.encode_batch(cases, llama_model)
    assert result["blocked_still_none"]
    assert result["plain"] == expected
    assert result["bos"] == [[1, *ids] for ids in expected]
    assert result["decoded"] == [c.replace("\u2581", " ") for c in cases]  # "▁" reads as " "


def test_writes_the_four_files_byte_stably(llama_model: bytes, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    model_path = tmp_path / "tokenizer.model"
    model_path.write_bytes(llama_model)
    names = write_hf_tokenizer(str(model_path), str(first), 4096)
    assert sorted(names) == sorted(
        ["tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]
    )
    write_hf_tokenizer(llama_model, str(second), 4096)
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "tokenizer.model").read_bytes() == llama_model
    config = json.loads((first / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert config["model_max_length"] == 4096


def test_megabyte_without_spaces_is_fast_and_exact(
    hf: PreTrainedTokenizerBase, sp: spm.SentencePieceProcessor
) -> None:
    rng = random.Random(7)
    letters = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(600_000))
    han = "".join(chr(rng.randint(0x4E00, 0x4FFF)) for _ in range(140_000))
    text = letters + han
    assert len(text.encode()) > 1_000_000
    start = time.perf_counter()
    ids = hf_ids(hf, text)
    assert time.perf_counter() - start < 30
    assert ids == sp.encode(text)


def test_other_whitespace_settings_stay_exact(training_documents: list[str]) -> None:
    """Pieces with an inner "▁" (split_by_whitespace off): the regex falls back to the
    isolated-character cuts only."""
    lines = [line for d in training_documents[:400] for line in d.split("\n") if line]
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=buffer, model_type="bpe", vocab_size=1200,
        character_coverage=0.9995, split_digits=True, byte_fallback=True,
        allow_whitespace_only_pieces=True, normalization_rule_name="identity",
        remove_extra_whitespaces=False, split_by_whitespace=False, minloglevel=2,
    )  # fmt: skip
    model = buffer.getvalue()
    backend = build_tokenizer(model)
    whole = spm.SentencePieceProcessor(model_proto=model)
    rng = random.Random(5)
    cases = synthetic_documents(30, seed=31) + [
        "".join(rng.choice(EXPLICIT + TRAPS + ["ar", " de", "  on"]) for _ in range(20))
        for _ in range(200)
    ]
    assert [e.ids for e in backend.encode_batch(cases, add_special_tokens=False)] == [
        whole.encode(c) for c in cases
    ]


def test_unsupported_models_are_refused(training_documents: list[str], tmp_path: Path) -> None:
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(training_documents[:200]), model_writer=buffer,
        model_type="unigram", vocab_size=800, character_coverage=0.98, minloglevel=2,
    )  # fmt: skip
    with pytest.raises(ValueError, match="tokenizer.model: trainer_spec.model_type is not BPE"):
        write_hf_tokenizer(buffer.getvalue(), str(tmp_path), 2048)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_the_sample_corpus_gets_the_ids_of_its_encode_stage(
    sample_run: Path, tmp_path: Path
) -> None:
    """Every document of the sample corpus gets from the exported tokenizer the ids the encode
    stage wrote, the planted "<s>" and "</s>" typed in GitHub code and in quoted HTML of
    StackExchange answers included (the stock conversion makes them BOS and EOS)."""
    # lazy: Beam, for this slow test only: the tokenizer's own tests need no pipeline
    from pipeline.documents import read_documents
    from pipeline.registry import source_names

    write_hf_tokenizer(str(sample_run / "shards" / "tokenizer.model"), str(tmp_path), 2048)
    hf = AutoTokenizer.from_pretrained(str(tmp_path))
    texts = {
        row["id"]: row["text"]
        for source in source_names()
        for row in read_documents(str(sample_run / source / "part-*.parquet"))
    }
    encoded = {
        row["id"]: list(row["tokens"])
        for row in read_documents(str(sample_run / "encode" / "*" / "part-*.parquet"))
    }
    assert set(encoded) == {i for i, text in texts.items() if text}
    planted = [i for i in encoded if "<s>" in texts[i] and "</s>" in texts[i]]
    assert {i.split("/")[0] for i in planted} >= {"github", "stackexchange"}
    ids = sorted(encoded)
    got = hf([texts[i] for i in ids], add_special_tokens=False).input_ids
    assert [i for i, g in zip(ids, got, strict=True) if g != encoded[i]] == []
