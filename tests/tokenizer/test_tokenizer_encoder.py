"""The fast encoder gives exactly SentencePiece's whole-document ids, for any text."""

from __future__ import annotations

import io
import random

import pytest
import sentencepiece as spm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tokenizer
import tokenizer.encoder as encoder_module
from tokenizer import model_proto
from tokenizer.encoder import FastEncoder, replace_surrogates
from tokenizer.sample_text import synthetic_documents

SPECIAL = [
    " ",
    "  ",
    "    ",
    "\n",
    "\n\n",
    "\t",
    "\r\n",
    "\u2581",
    "\u3000",
    "\u00a0",
    "\x00",
    "0",
    "7",
    "2023",
    "3.14",
    "🦙",
    "👍🏽",
    "👨‍👩‍👧",
    "漢字",
    "こんにちは",
    "مرحبا",
    "שלום",
    "\u200f",
    "\ud800",
    "\udfff",
    "ꙮ",
    "é",
    "e\u0301",
    "ﬁ",
    ".",
    ",",
    "—",
]
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())

SETTINGS = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def encoder(llama_model: bytes) -> FastEncoder:
    return FastEncoder(llama_model)


def reference(model: spm.SentencePieceProcessor, text: str) -> list[int]:
    return model.encode(replace_surrogates(text))


def vocabulary_text(llama_model: bytes) -> st.SearchStrategy[str]:
    """Texts stitched from the model's own pieces (so merges fire) and boundary cases."""
    pieces = [
        p.piece for p in model_proto.parse(llama_model).pieces if p.type == model_proto.NORMAL
    ]
    surfaces = pieces + [p.replace("\u2581", " ") for p in pieces]
    parts = st.one_of(
        st.sampled_from(surfaces), st.sampled_from(SPECIAL), st.text(ANY_CHAR, max_size=3)
    )
    return st.lists(parts, max_size=40).map("".join)


def test_fragment_cutting_is_active_for_llama_settings(encoder: FastEncoder) -> None:
    assert encoder.exact_fragments


@SETTINGS
@given(text=st.text(ANY_CHAR, max_size=200))
def test_arbitrary_unicode_matches_sentencepiece(encoder: FastEncoder, text: str) -> None:
    assert encoder.encode(text) == reference(encoder.whole, text)


@SETTINGS
@given(data=st.data())
def test_text_built_from_vocabulary_pieces_matches(
    encoder: FastEncoder, llama_model: bytes, data: st.DataObject
) -> None:
    text = data.draw(vocabulary_text(llama_model))
    assert encoder.encode(text) == reference(encoder.whole, text)


@SETTINGS
@given(text=st.text(st.sampled_from([" ", "\n", "\t", "\r", "\u2581", "\u3000", "\u00a0", "\x0b"])))
def test_whitespace_only_documents_match(encoder: FastEncoder, text: str) -> None:
    assert encoder.encode(text) == reference(encoder.whole, text)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), inserts=st.lists(st.sampled_from(SPECIAL), max_size=30))
def test_mutated_documents_match(encoder: FastEncoder, seed: int, inserts: list[str]) -> None:
    rng = random.Random(seed)
    text = synthetic_documents(1, seed=seed)[0]
    for insert in inserts:
        at = rng.randrange(len(text) + 1)
        text = text[:at] + insert + text[at:]
    assert encoder.encode(text) == reference(encoder.whole, text)


def test_megabyte_document_matches(encoder: FastEncoder) -> None:
    documents = synthetic_documents(400, seed=5)
    text = "\n".join(documents)
    text = text + " " + "漢字テスト" * 20_000 + "\n" + "9" * 5000  # long runs without spaces
    assert len(text.encode()) > 1_000_000
    assert encoder.encode(text) == reference(encoder.whole, text)


def test_batches_and_a_tiny_cache_give_the_same_ids(llama_model: bytes) -> None:
    documents = synthetic_documents(60, seed=8) + ["", " ", "a\ud800b"]
    small = FastEncoder(llama_model, cache_entries=50)
    whole = spm.SentencePieceProcessor(model_proto=llama_model)
    expected = [reference(whole, d) for d in documents]
    assert small.encode_batch(documents) == expected
    assert [small.encode(d) for d in documents] == expected
    assert len(small._cache) <= 50
    assert 0.0 < small.hit_rate < 1.0


def train_variant(documents: list[str], **overrides: object) -> bytes:
    options: dict[str, object] = dict(
        model_type="bpe",
        vocab_size=1500,
        character_coverage=0.9995,
        split_digits=True,
        byte_fallback=True,
        allow_whitespace_only_pieces=True,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        minloglevel=2,
    )
    options.update(overrides)
    lines = [line for d in documents for line in d.split("\n") if line]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model, **options)
    return model.getvalue()


@pytest.mark.parametrize(
    ("overrides", "cuts"),
    [
        (
            {"split_by_whitespace": False},
            True,
        ),  # pieces may hold inner "▁": only isolated chars cut
        ({"split_digits": False}, True),  # numbers merge: digits are no longer isolated
        ({"model_type": "unigram", "vocab_size": 1200}, False),  # not BPE: encoded whole
        ({"normalization_rule_name": "nmt_nfkc"}, False),  # normaliser rewrites text: whole
        ({"remove_extra_whitespaces": True}, False),
    ],
)
def test_other_model_settings_stay_exact(
    training_documents: list[str], overrides: dict[str, object], cuts: bool
) -> None:
    model = train_variant(training_documents[:600], **overrides)
    encoder = FastEncoder(model)
    assert encoder.exact_fragments is cuts
    rng = random.Random(3)
    texts = synthetic_documents(40, seed=21) + [
        "".join(rng.choice(SPECIAL + ["ar", "de", " ar", "12"]) for _ in range(60))
        for _ in range(200)
    ]
    whole = spm.SentencePieceProcessor(model_proto=model)
    assert encoder.encode_batch(texts) == [reference(whole, t) for t in texts]


@pytest.fixture(scope="module")
def uncached_encoder(llama_model: bytes) -> FastEncoder:
    return FastEncoder(llama_model)


@SETTINGS
@given(data=st.data())
def test_bigram_cuts_inside_long_fragments_are_exact(
    uncached_encoder: FastEncoder,
    llama_model: bytes,
    data: st.DataObject,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the long-fragment limit at 1 character, every longer fragment is cut at each
    bigram no piece holds (and never cached), so this checks the bigram rule itself."""
    monkeypatch.setattr(encoder_module, "_MAX_CACHED_CHARS", 1)
    text = data.draw(vocabulary_text(llama_model))
    assert uncached_encoder.encode(text) == reference(uncached_encoder.whole, text)


def test_long_cjk_runs_are_cut_and_cached(
    llama_model: bytes, training_documents: list[str]
) -> None:
    encoder = FastEncoder(llama_model)
    run = "".join(d for d in training_documents[:200] if d).replace(" ", "")[:5000]
    text = run + " " + run
    assert encoder.encode(text) == reference(encoder.whole, text)
    assert all(len(key) <= 64 for key in encoder._cache)


def test_module_level_encode_batch_takes_bytes_or_a_path(llama_model: bytes, tmp_path) -> None:
    path = tmp_path / "tokenizer.model"
    path.write_bytes(llama_model)
    texts = ["Ein schöner Tag 2024", "", "مرحبا 🦙"]
    whole = spm.SentencePieceProcessor(model_proto=llama_model)
    expected = [whole.encode(t) for t in texts]
    assert tokenizer.encode_batch(texts, llama_model) == expected
    assert tokenizer.encode_batch(texts, str(path)) == expected
