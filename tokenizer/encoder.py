"""Fast exact encoding: SentencePiece's ids for a whole document, computed fragment by fragment.

SentencePiece BPE starts from single characters and merges adjacent symbols into vocabulary
pieces, best score first. A merge of a left symbol ending in character a with a right symbol
starting with b creates a piece containing the bigram "ab", so if no vocabulary piece contains
"ab", no merge ever crosses the boundary between a and b, and the ids of the whole text are the
ids of the two sides concatenated (merge order inside each side is unchanged: it depends only on
the scores and relative positions of that side's own pairs; byte fallback and unused-piece
resegmentation are per symbol). The cuts used are read off the vocabulary:

* whitespace: when no piece has "▁" after its first character except all-"▁" pieces (true for
  split_by_whitespace training), text cuts before every "▁" that follows a non-"▁" character;
* isolated characters: a character that occurs in no piece of two or more characters (every
  digit when split_digits is on, most punctuation, rare characters) is a fragment of its own;
* any bigram that no piece contains: applied inside fragments longer than 64 characters
  (runs of CJK text without spaces), which are otherwise too rare to cache.

A document (after the dummy "▁" prefix) is cut into fragments by one regular expression; each
distinct fragment is encoded once, by a SentencePiece processor without the dummy prefix, and
its ids cached as packed integers, so a document's ids are one bytes join. Exactness holds only
for identity-normalising BPE models (no precompiled charsmap, remove_extra_whitespaces off,
whitespace escaped to "▁"); any other model is encoded whole, document by document. Tests
compare against SentencePiece directly, on arbitrary Unicode.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import sentencepiece as spm

from tokenizer import model_proto

SPACE_SYMBOL = "\u2581"
_SURROGATES = re.compile("[\ud800-\udfff]")
# Fragments longer than this are encoded but not cached (they rarely repeat).
_MAX_CACHED_CHARS = 64


def replace_surrogates(text: str) -> str:
    """Lone surrogates (not encodable as UTF-8) become U+FFFD, as a UTF-8 decoder would."""
    return _SURROGATES.sub("\ufffd", text)


def _char_class(chars: Iterable[str]) -> str:
    return "".join(re.escape(c) for c in sorted(chars))


def _mergeable(info: model_proto.ModelInfo) -> list[str]:
    """Pieces BPE may build by merging (user-defined pieces are matched whole, so count too)."""
    kinds = (model_proto.NORMAL, model_proto.USER_DEFINED, model_proto.UNUSED)
    return [p.piece for p in info.pieces if p.type in kinds]


def _cuttable(info: model_proto.ModelInfo) -> bool:
    return (
        info.model_type == model_proto.BPE
        and not info.precompiled_charsmap
        and not info.remove_extra_whitespaces
        and info.escape_whitespaces
        and not any(" " in piece for piece in _mergeable(info))
    )


def fragment_pattern(info: model_proto.ModelInfo) -> re.Pattern[str] | None:
    """The regular expression whose matches are a text's independent fragments, or None when
    the model's normalisation makes cutting unsafe."""
    if not _cuttable(info):
        return None
    mergeable = _mergeable(info)
    joinable = {c for piece in mergeable if len(piece) > 1 for c in piece}
    space_prefix_only = all(
        SPACE_SYMBOL not in piece[1:] or set(piece) == {SPACE_SYMBOL} for piece in mergeable
    )
    if space_prefix_only:
        inner = _char_class(joinable - {SPACE_SYMBOL})
        word = f"[{inner}]" if inner else "(?!)"
        pattern = f"[ {SPACE_SYMBOL}]+{word}*|{word}+|."
    else:
        if SPACE_SYMBOL in joinable:
            joinable = joinable | {" "}
        inner = _char_class(joinable)
        pattern = f"[{inner}]+|." if inner else "."
    return re.compile(pattern, re.DOTALL)


def piece_bigrams(info: model_proto.ModelInfo) -> frozenset[str]:
    """Every pair of adjacent characters inside a mergeable piece."""
    return frozenset(piece[i : i + 2] for piece in _mergeable(info) for i in range(len(piece) - 1))


def split_at_bigrams(fragment: str, bigrams: frozenset[str]) -> list[str]:
    """Cut a fragment between every two characters no piece holds side by side."""
    normal = fragment.replace(" ", SPACE_SYMBOL)
    parts, begin = [], 0
    for i in range(1, len(normal)):
        if normal[i - 1 : i + 1] not in bigrams:
            parts.append(fragment[begin:i])
            begin = i
    parts.append(fragment[begin:])
    return parts


def _fragment_encoder(processor: spm.SentencePieceProcessor) -> Callable[[str], list[int]]:
    """processor.encode for one string, through the binding's direct method when it answers
    like the public one (it skips about a microsecond of argument handling per call)."""
    raw = getattr(getattr(processor, "_processor", None), "_EncodeAsIds", None)
    if raw is not None:

        def direct(text: str) -> list[int]:
            return raw(text, False, -1, 0.1, False, False, False)

        probe = "\u2581probe 12 \u6f22\u5b57 \U0001f999"
        try:
            if direct(probe) == processor.encode(probe):
                return direct
        except (TypeError, RuntimeError):
            pass
    return processor.encode


class _FragmentIds(dict):
    """fragment -> its ids packed as machine integers. A missing fragment is encoded on lookup
    and kept; a long one is cut at bigrams into parts that are kept, and is not kept itself.
    A full cache starts over (bounded memory, same ids)."""

    def __init__(self, encode: Callable[[str], list[int]], typecode: str,
                 bigrams: frozenset[str], limit: int) -> None:  # fmt: skip
        super().__init__()
        self._encode = encode
        self._typecode = typecode
        self._bigrams = bigrams
        self.limit = limit
        self.encoded = 0

    def __missing__(self, fragment: str) -> bytes:
        if len(fragment) > _MAX_CACHED_CHARS:
            parts = split_at_bigrams(fragment, self._bigrams)
            if len(parts) > 1:
                return b"".join([self[part] for part in parts])
        self.encoded += 1
        packed = array(self._typecode, self._encode(fragment)).tobytes()
        if len(fragment) <= _MAX_CACHED_CHARS:
            if len(self) >= self.limit:
                self.clear()
            if self.limit:
                self[fragment] = packed
        return packed


class FastEncoder:
    """Encodes documents to exactly SentencePieceProcessor.encode(document)'s ids.

    Fragment ids are cached packed as machine integers: a document costs one regex pass and
    one bytes join, plus one SentencePiece call per fragment the cache misses. Not
    thread-safe (it owns a cache); build one per worker.
    """

    def __init__(self, model: bytes, cache_entries: int = 500_000) -> None:
        self.model = model
        self.info = model_proto.parse(model)
        self.pattern = fragment_pattern(self.info)
        self.whole = spm.SentencePieceProcessor(model_proto=model, num_threads=1)
        fragments = spm.SentencePieceProcessor(
            model_proto=model_proto.without_dummy_prefix(model), num_threads=1
        )
        self._prefix = SPACE_SYMBOL if self.info.add_dummy_prefix else ""
        self.dtype = (
            np.dtype(np.uint16) if len(self.info.pieces) <= 1 << 16 else np.dtype(np.uint32)
        )
        typecode = "H" if self.dtype == np.uint16 else "I"
        if array(typecode).itemsize != self.dtype.itemsize:
            raise RuntimeError(f"array typecode {typecode} is not {self.dtype.itemsize} bytes here")
        self._cache = _FragmentIds(
            _fragment_encoder(fragments), typecode, piece_bigrams(self.info), cache_entries
        )
        self.fragments_seen = 0

    @property
    def vocab_size(self) -> int:
        return self.whole.vocab_size()

    @property
    def exact_fragments(self) -> bool:
        """True when documents are cut into cached fragments (else encoded whole)."""
        return self.pattern is not None

    @property
    def fragments_encoded(self) -> int:
        return self._cache.encoded

    @property
    def hit_rate(self) -> float:
        """Share of fragments served from the cache so far."""
        if not self.fragments_seen:
            return 0.0
        return max(0.0, 1.0 - self._cache.encoded / self.fragments_seen)

    def encode(self, text: str) -> list[int]:
        """The ids of one document (no BOS/EOS)."""
        return self.encode_array(text).tolist()

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        """The ids of each document, as lists."""
        return [self.encode_array(t).tolist() for t in texts]

    def encode_array(self, text: str) -> np.ndarray:
        """The ids of one document as a uint16 (uint32 above 65,536 pieces) array."""
        text = replace_surrogates(text)
        if self.pattern is None:
            return np.asarray(self.whole.encode(text), dtype=self.dtype)
        if not text:
            return np.empty(0, dtype=self.dtype)
        fragments = self.pattern.findall(self._prefix + text)
        self.fragments_seen += len(fragments)
        packed = b"".join(map(self._cache.__getitem__, fragments))
        return np.frombuffer(packed, dtype=self.dtype)
