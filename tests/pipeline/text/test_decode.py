"""Text decoding of inputs without a declared encoding: UTF-8, else cp1252."""

from __future__ import annotations

import random

from pipeline.text.decode import decode_text


def test_utf8_is_read_as_utf8_and_a_byte_order_mark_goes() -> None:
    decoded = decode_text("\ufeffÇa va — naïve café".encode())
    assert decoded.text == "Ça va — naïve café"
    assert not decoded.fallback and decoded.replacement_share == 0.0


def test_cp1252_bytes_are_read_as_cp1252() -> None:
    decoded = decode_text("“Smart quotes” and café, 12 €".encode("cp1252"))
    assert decoded.text == "“Smart quotes” and café, 12 €"
    assert decoded.fallback and decoded.replacement_share == 0.0


def test_random_bytes_show_their_undefined_share() -> None:
    data = random.Random(0).randbytes(100_000)
    decoded = decode_text(data)
    assert decoded.fallback
    assert 0.01 < decoded.replacement_share < 0.03  # 5 of cp1252's 256 bytes are undefined


def test_empty_input_is_empty_text() -> None:
    assert decode_text(b"").text == "" and decode_text(b"").replacement_share == 0.0
