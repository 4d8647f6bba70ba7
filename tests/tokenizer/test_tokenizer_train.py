"""Tokenizer training: LLaMA's settings show in the trained model's behaviour."""

from __future__ import annotations

import pytest
import sentencepiece as spm

from tokenizer import model_proto
from tokenizer.config import TokenizerConfig
from tokenizer.train import (
    TrainingRefused,
    byte_budgets,
    draw_sample,
    train_model,
    training_lines,
)


def processor(model: bytes) -> spm.SentencePieceProcessor:
    return spm.SentencePieceProcessor(model_proto=model)


def test_special_ids_and_byte_pieces_match_llama(llama_model: bytes) -> None:
    sp = processor(llama_model)
    assert sp.vocab_size() == 2000
    assert (sp.unk_id(), sp.bos_id(), sp.eos_id(), sp.pad_id()) == (0, 1, 2, -1)
    assert [sp.id_to_piece(i) for i in range(3)] == ["<unk>", "<s>", "</s>"]
    assert [sp.id_to_piece(i) for i in (3, 13, 258)] == ["<0x00>", "<0x0A>", "<0xFF>"]
    assert all(sp.is_byte(i) for i in range(3, 259))


def test_digits_are_split_one_per_token(llama_model: bytes) -> None:
    sp = processor(llama_model)
    pieces = sp.encode("in 2023 and 1999", out_type=str)
    assert [p for p in pieces if any(c.isdigit() for c in p)] == list("20231999")


def test_unknown_characters_fall_back_to_utf8_bytes(llama_model: bytes) -> None:
    sp = processor(llama_model)
    text = "ꙮ"  # never in the training text
    ids = sp.encode(text)
    byte_ids = [3 + b for b in text.encode("utf-8")]
    assert ids[-3:] == byte_ids
    assert sp.unk_id() not in ids
    assert sp.decode(ids) == text


def test_identity_normalisation_keeps_text_round_trip(llama_model: bytes) -> None:
    sp = processor(llama_model)
    for text in ["  two  spaces\tand tab\n\nlines  ", "ＦＵＬＬ width", "é vs é", "\u3000x"]:
        assert sp.decode(sp.encode(text)) == text


def test_model_records_llama_normaliser_and_bpe(llama_model: bytes) -> None:
    info = model_proto.parse(llama_model)
    assert info.model_type == model_proto.BPE
    assert info.normalizer_name == "identity"
    assert info.add_dummy_prefix and not info.remove_extra_whitespaces
    whitespace_pieces = [p.piece for p in info.pieces if len(p.piece) > 1 and set(p.piece) == {"▁"}]
    assert whitespace_pieces, "allow_whitespace_only_pieces should learn runs of spaces"


def test_training_is_deterministic(
    training_documents: list[str], llama_model: bytes, tiny_config: TokenizerConfig
) -> None:
    again, stats = train_model((("wikipedia", d) for d in training_documents), tiny_config, seed=0)
    assert again == llama_model
    assert stats.documents == {"wikipedia": len(training_documents)}


def test_long_lines_are_cut_at_spaces_within_the_byte_limit() -> None:
    line = " ".join(["wörd"] * 300)
    lines = list(training_lines(line + "\n\nnext", max_bytes=100))
    assert all(len(part.encode()) <= 100 for part in lines)
    assert "".join(lines[:-1]) == line
    assert lines[-1] == "next"
    unbroken = "漢" * 100
    assert "".join(training_lines(unbroken, max_bytes=10)) == unbroken


def test_sample_is_drawn_at_the_mixture_ratios() -> None:
    streams = {s: (f"{s} " * 9 for _ in range(10_000)) for s in ("c4", "wikipedia", "arxiv")}
    budgets = byte_budgets({"c4": 15.0, "wikipedia": 4.5, "arxiv": 2.5}, sample_bytes=22_000)
    drawn: dict[str, int] = {}
    for source, text in draw_sample(streams, budgets):
        drawn[source] = drawn.get(source, 0) + len(text.encode())
    total = sum(drawn.values())
    assert abs(drawn["c4"] / total - 15 / 22) < 0.01
    assert abs(drawn["arxiv"] / total - 2.5 / 22) < 0.01


def test_too_large_a_vocabulary_for_the_sample_is_a_clear_error() -> None:
    config = TokenizerConfig(vocab_size=5000, num_threads=1)
    with pytest.raises(
        TrainingRefused,
        match=r"^tokenizer\.vocab_size: 5000 is more pieces than 3,600 bytes \(101 lines\) of "
        r"sample text allows \(SentencePiece: at most \d",
    ):
        train_model(
            [("c4", "just a few words here\n" * 100), ("books", "x" * 1400)], config, seed=0
        )
