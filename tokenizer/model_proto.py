"""Read (and minimally edit) a serialized SentencePiece ModelProto without its generated module.

The generated `sentencepiece_model_pb2` needs a newer protobuf than apache-beam allows, so the
few fields the fast encoder relies on are read straight from the protobuf wire format:

    ModelProto      1: pieces (repeated SentencePiece)  2: trainer_spec  3: normalizer_spec
    SentencePiece   1: piece (string)  2: score (float)  3: type (enum, default NORMAL)
    TrainerSpec     3: model_type (enum, default UNIGRAM)  4: vocab_size
    NormalizerSpec  1: name  2: precompiled_charsmap  3: add_dummy_prefix (default true)
                    4: remove_extra_whitespaces (default true)  5: escape_whitespaces (default true)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5

# SentencePiece.Type
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6
# TrainerSpec.ModelType
UNIGRAM, BPE, WORD, CHAR = 1, 2, 3, 4


@dataclasses.dataclass(frozen=True)
class Piece:
    piece: str
    type: int


@dataclasses.dataclass(frozen=True)
class ModelInfo:
    """The parts of a SentencePiece model that decide whether a text may be cut up."""

    pieces: tuple[Piece, ...]
    model_type: int
    normalizer_name: str
    precompiled_charsmap: bytes
    add_dummy_prefix: bool
    remove_extra_whitespaces: bool
    escape_whitespaces: bool


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint in SentencePiece model")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def fields(data: bytes) -> Iterator[tuple[int, int, int | bytes, bytes]]:
    """(field number, wire type, value, raw bytes of the whole field) for each field."""
    pos = 0
    while pos < len(data):
        start = pos
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == _VARINT:
            value, pos = _varint(data, pos)
        elif wire == _FIXED64:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == _FIXED32:
            value, pos = data[pos : pos + 4], pos + 4
        elif wire == _LENGTH:
            size, pos = _varint(data, pos)
            value, pos = data[pos : pos + size], pos + size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire} in SentencePiece model")
        if pos > len(data):
            raise ValueError("truncated field in SentencePiece model")
        yield number, wire, value, data[start:pos]


def parse(model: bytes) -> ModelInfo:
    """The pieces, model type and normalizer settings of a serialized model."""
    pieces: list[Piece] = []
    trainer = normalizer = b""
    for number, wire, value, _ in fields(model):
        if number == 1 and wire == _LENGTH:
            text, kind = "", NORMAL
            for n, w, v, _ in fields(value):  # type: ignore[arg-type]
                if n == 1 and w == _LENGTH:
                    text = v.decode("utf-8")  # type: ignore[union-attr]
                elif n == 3 and w == _VARINT:
                    kind = v  # type: ignore[assignment]
            pieces.append(Piece(text, kind))
        elif number == 2 and wire == _LENGTH:
            trainer = value  # type: ignore[assignment]
        elif number == 3 and wire == _LENGTH:
            normalizer = value  # type: ignore[assignment]
    model_type = UNIGRAM
    for n, w, v, _ in fields(trainer):
        if n == 3 and w == _VARINT:
            model_type = v  # type: ignore[assignment]
    spec: dict[int, int | bytes] = {}
    for n, _w, v, _ in fields(normalizer):
        spec[n] = v
    if not pieces:
        raise ValueError("not a SentencePiece model: no pieces")
    return ModelInfo(
        pieces=tuple(pieces),
        model_type=model_type,
        normalizer_name=bytes(spec.get(1, b"")).decode("utf-8"),  # type: ignore[arg-type]
        precompiled_charsmap=bytes(spec.get(2, b"")),  # type: ignore[arg-type]
        add_dummy_prefix=bool(spec.get(3, 1)),
        remove_extra_whitespaces=bool(spec.get(4, 1)),
        escape_whitespaces=bool(spec.get(5, 1)),
    )


def without_dummy_prefix(model: bytes) -> bytes:
    """The same model with normalizer_spec.add_dummy_prefix = false (everything else kept)."""
    out = bytearray()
    found = False
    for number, wire, value, raw in fields(model):
        if number == 3 and wire == _LENGTH:
            found = True
            spec = b"".join(r for n, _w, _v, r in fields(value) if n != 3)  # type: ignore[arg-type]
            spec += _encode_varint(3 << 3 | _VARINT) + _encode_varint(0)
            out += _encode_varint(3 << 3 | _LENGTH) + _encode_varint(len(spec)) + spec
        else:
            out += raw
    if not found:
        spec = _encode_varint(3 << 3 | _VARINT) + _encode_varint(0)
        out += _encode_varint(3 << 3 | _LENGTH) + _encode_varint(len(spec)) + spec
    return bytes(out)
