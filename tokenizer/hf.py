"""Export a fleece tokenizer.model as a Hugging Face tokenizer that gives exactly its ids.

`transformers.AutoTokenizer.from_pretrained(folder)` then encodes every text (lone surrogates
replaced by U+FFFD first, as `tokenizer.encode_batch` does) to the ids SentencePiece gives, with
neither fleece nor sentencepiece installed. The `tokenizers` pipeline mirrors SentencePiece's:

* normalizer: prepend the dummy "▁" (always, also before a leading space; "" stays empty) and
  write spaces as "▁" -- SentencePiece's identity normalisation does nothing else;
* pre-tokenizer: a Split regex at the cuts `tokenizer.encoder` uses (before a "▁" run that
  follows a non-"▁" character, around characters that occur in no longer piece, e.g. every
  digit under split_digits). No merge can cross them, so they change no id; they keep words
  short, so the 1 MB text without spaces costs well under a second and words are cached;
* model: BPE with byte_fallback over SentencePiece's vocabulary, ids unchanged. SentencePiece
  merges the adjacent pair whose concatenation is the best-scoring piece (leftmost on ties),
  whichever two symbols form it; Hugging Face merges listed pairs by rank. So every split of a
  piece into two pieces is listed, and the pairs rank in the order of their merged piece's score;
* decoder: "▁" back to spaces, <0x..> pieces back to bytes, the dummy space stripped.

Why not the stock conversion: transformers' LlamaTokenizer (which `tokenizer_class`
"LlamaTokenizer" selects, and which rebuilds its pre-tokenizer in `__init__` whatever
tokenizer.json says) uses Metaspace(prepend_scheme="first"), which adds no dummy "▁" to a text
that already starts with a space. On the bundled sample's model, "    saiska_4 = f(saiska, 416)"
is ['▁▁▁▁', '▁sa', 'is', ...] for SentencePiece but ['▁▁', '▁', '▁sa', 'is', ...] for it, as is
every indented code line that opens a document (27 of 200 synthetic documents differ), and a
literal "<s>" in a text becomes the BOS id instead of ['▁<', 's', '>']. Hence the plain backend
class, which uses tokenizer.json as written, and split_special_tokens, which keeps "<s>" typed
in a text ordinary characters.
"""

from __future__ import annotations

import json
import os

import sentencepiece as spm
from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
)

from tokenizer import _model_bytes, model_proto
from tokenizer.encoder import SPACE_SYMBOL

# transformers (5.x: TokenizersBackend; 4.x: PreTrainedTokenizerFast) builds this class from
# tokenizer.json exactly as written; a model-specific class (LlamaTokenizer) would rebuild the
# normalizer and pre-tokenizer itself and lose exactness.
TOKENIZER_CLASS = "PreTrainedTokenizerFast"
# TrainerSpec field 24: treat_whitespace_as_suffix (the "▁" ends pieces instead of opening them).
_TREAT_WHITESPACE_AS_SUFFIX = 24


def _check_supported(info: model_proto.ModelInfo, model: bytes) -> None:
    """Exactness holds for identity-normalising BPE models with byte fallback: say which
    setting of the model rules it out otherwise."""
    kinds = {p.type for p in info.pieces}
    trainer = next((v for n, _w, v, _ in model_proto.fields(model) if n == 2), b"")
    suffix = any(
        n == _TREAT_WHITESPACE_AS_SUFFIX and v for n, _w, v, _ in model_proto.fields(trainer)
    )  # type: ignore[arg-type]
    problems = {
        "trainer_spec.model_type is not BPE": info.model_type != model_proto.BPE,
        "normalizer_spec has a precompiled_charsmap (not identity)": bool(
            info.precompiled_charsmap
        ),
        "normalizer_spec.remove_extra_whitespaces is on": info.remove_extra_whitespaces,
        "normalizer_spec.escape_whitespaces is off": not info.escape_whitespaces,
        "trainer_spec.treat_whitespace_as_suffix is on": suffix,
        "pieces include user-defined or unused pieces": bool(
            kinds & {model_proto.USER_DEFINED, model_proto.UNUSED}
        ),
        "pieces lack the 256 byte-fallback pieces": sum(
            p.type == model_proto.BYTE for p in info.pieces
        )
        != 256,
    }
    for problem, found in problems.items():
        if found:
            raise ValueError(f"tokenizer.model: {problem}; cannot export an exact HF tokenizer")


def _char_class(chars: set[str]) -> str:
    # Oniguruma escapes, so no character of the vocabulary can break the class.
    return "".join(f"\\x{{{ord(c):X}}}" for c in sorted(chars))


def fragment_regex(normal_pieces: list[str]) -> str:
    """The cuts of tokenizer.encoder.fragment_pattern as an Oniguruma regex over normalised
    text (spaces already "▁"): each match is one pre-token."""
    joinable = {c for piece in normal_pieces if len(piece) > 1 for c in piece}
    space_prefix_only = all(
        SPACE_SYMBOL not in piece[1:] or set(piece) == {SPACE_SYMBOL} for piece in normal_pieces
    )
    anything = "[\\s\\S]"
    space = _char_class({SPACE_SYMBOL})
    if space_prefix_only:
        inner = _char_class(joinable - {SPACE_SYMBOL})
        word = f"[{inner}]" if inner else "(?!)"
        return f"{space}+{word}*|{word}+|{anything}"
    inner = _char_class(joinable)
    return f"[{inner}]+|{anything}" if inner else anything


def _merges(sp: spm.SentencePieceProcessor, normal: dict[str, int]) -> list[tuple[str, str]]:
    """Every (left, right) split of every piece into two pieces, ranked by the merged piece's
    score (best first), so a pair outranks another exactly when SentencePiece prefers it."""
    by_score = sorted(normal, key=lambda piece: (-sp.get_score(normal[piece]), normal[piece]))
    return [
        (piece[:cut], piece[cut:])
        for piece in by_score
        for cut in range(1, len(piece))
        if piece[:cut] in normal and piece[cut:] in normal
    ]


def _special_tokens(sp: spm.SentencePieceProcessor) -> dict[str, str]:
    return {
        "bos_token": sp.id_to_piece(sp.bos_id()),
        "eos_token": sp.id_to_piece(sp.eos_id()),
        "unk_token": sp.id_to_piece(sp.unk_id()),
    }


def build_tokenizer(model: bytes) -> Tokenizer:
    """A `tokenizers.Tokenizer` giving SentencePieceProcessor.encode(text)'s ids."""
    return _build(model, spm.SentencePieceProcessor(model_proto=model))


def _build(model: bytes, sp: spm.SentencePieceProcessor) -> Tokenizer:
    info = model_proto.parse(model)
    _check_supported(info, model)
    vocab = {p.piece: i for i, p in enumerate(info.pieces)}
    normal = {p.piece: i for i, p in enumerate(info.pieces) if p.type == model_proto.NORMAL}
    special = _special_tokens(sp)
    unk, bos, eos = special["unk_token"], special["bos_token"], special["eos_token"]
    backend = Tokenizer(
        models.BPE(vocab=vocab, merges=_merges(sp, normal), unk_token=unk, byte_fallback=True)
    )
    escape = normalizers.Replace(" ", SPACE_SYMBOL)
    backend.normalizer = (
        normalizers.Sequence([normalizers.Prepend(SPACE_SYMBOL), escape])
        if info.add_dummy_prefix
        else escape
    )
    backend.pre_tokenizer = pre_tokenizers.Split(
        Regex(fragment_regex(list(normal))), behavior="isolated"
    )
    steps = [decoders.Replace(SPACE_SYMBOL, " "), decoders.ByteFallback(), decoders.Fuse()]
    if info.add_dummy_prefix:
        steps.append(decoders.Strip(" ", 1, 0))
    backend.decoder = decoders.Sequence(steps)
    # LLaMA: BOS before each sequence, no EOS.
    backend.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, sp.bos_id())]
    )
    backend.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in (unk, bos, eos)]
    )
    # "<s>" typed in a text is text to SentencePiece (transformers sets this from
    # split_special_tokens; set here too for users of the bare tokenizer.json).
    backend.encode_special_tokens = True
    return backend


def _json(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _tokenizer_json(model: bytes, sp: spm.SentencePieceProcessor) -> bytes:
    return _build(model, sp).to_str(pretty=True).encode("utf-8")


def tokenizer_json(model: bytes | str) -> bytes:
    """The bytes of the tokenizer.json that write_hf_tokenizer writes for this model (no
    argument of the export changes them), for the shards stage to write beside the shards.
    ValueError when the model cannot be exported exactly (see _check_supported)."""
    data = _model_bytes(model)
    return _tokenizer_json(data, spm.SentencePieceProcessor(model_proto=data))


def write_hf_tokenizer(model: bytes | str, out_dir: str, model_max_length: int) -> list[str]:
    """Write tokenizer.model, tokenizer.json, tokenizer_config.json and special_tokens_map.json
    into out_dir (which exists); returns the file names written. model_max_length is the
    context the model was trained at (longer inputs get transformers' truncation warning)."""
    data = _model_bytes(model)
    sp = spm.SentencePieceProcessor(model_proto=data)
    backend_json = _tokenizer_json(data, sp)  # first: an unsupported model writes nothing
    special = _special_tokens(sp)
    # LLaMA trains with no pad id; padding reuses unk, as Llama 2's Hugging Face release does
    # (its generation_config.json has pad_token_id 0, the unk id). Byte fallback means no text
    # encodes to unk, so a padded position is never a real token. EOS as pad would collide:
    # collators mask every pad id out of the labels, so a model fine-tuned on eos-padded
    # batches would not learn where a document ends.
    special["pad_token"] = special["unk_token"]
    config = {
        "tokenizer_class": TOKENIZER_CLASS,
        "model_max_length": model_max_length,
        "add_bos_token": True,
        "add_eos_token": False,
        "split_special_tokens": True,
        "clean_up_tokenization_spaces": False,
        **special,
    }
    files = {
        "tokenizer.model": data,
        "tokenizer.json": backend_json,
        "tokenizer_config.json": _json(config).encode("utf-8"),
        "special_tokens_map.json": _json(special).encode("utf-8"),
    }
    for name, content in files.items():
        with open(os.path.join(out_dir, name), "wb") as out:
            out.write(content)
    return list(files)
