"""Token shards: what the writer writes is what readers (ours, pyarrow, datasets) see."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import sentencepiece as spm
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.shards.format import ShardReader, ShardWriter, file_sha256
from pipeline.show import decode_rows


def documents(seed: int = 0, count: int = 50) -> list[tuple[list[int], str, str]]:
    rng = np.random.default_rng(seed)
    out = []
    for index in range(count):
        body = rng.integers(3, 32000, size=int(rng.integers(0, 300))).tolist()
        out.append(([1, *body, 2], ["c4", "wikipedia", "books"][index % 3], f"doc/{index}"))
    return out


def write(path: Path, docs: list[tuple[list[int], str, str]], vocab: int = 32000):
    with ShardWriter(str(path), vocab) as writer:
        for tokens, source, doc_id in docs:
            writer.write(tokens, source, doc_id)
    return writer.close()


def test_round_trip_offsets_windows_and_counts(tmp_path: Path) -> None:
    docs = documents()
    info = write(tmp_path / "train-00000.arrow", docs)
    assert info.documents == 50
    assert info.tokens == sum(len(t) for t, _, _ in docs)
    assert info.tokens_per_source["c4"] == sum(len(t) for t, s, _ in docs if s == "c4")
    assert info.sha256 == hashlib.sha256((tmp_path / "train-00000.arrow").read_bytes()).hexdigest()
    with ShardReader(info.path) as reader:
        assert reader.num_documents == 50 and reader.num_tokens == info.tokens
        assert reader.tokens.dtype == np.uint16
        assert reader.ids() == [d for _, _, d in docs]
        assert reader.sources() == [s for _, s, _ in docs]
        for index, (tokens, _, _) in enumerate(docs):
            assert reader.document(index).tolist() == tokens
        flat = np.concatenate([t for t, _, _ in docs])
        start = int(reader.offsets[3]) + 1
        window, starts = reader.window(start, 700)
        assert window.tolist() == flat[start : start + 700].tolist()
        assert all(window[s] == 1 for s in starts)
        expected = [int(o) - start for o in reader.offsets[:-1] if start <= o < start + 700]
        assert starts.tolist() == expected


def test_token_buffer_is_a_view_of_the_memory_mapped_file(tmp_path: Path) -> None:
    info = write(tmp_path / "s.arrow", documents())
    reader = ShardReader(info.path)
    assert not reader.tokens.flags.owndata and not reader.tokens.flags.writeable
    mapped = reader._source
    mapped.seek(0)
    whole = mapped.read_buffer()  # zero-copy buffer over the mapping
    address = reader.tokens.__array_interface__["data"][0]
    assert whole.address <= address < whole.address + whole.size
    window, _ = reader.window(10, 100)
    assert np.shares_memory(window, reader.tokens)


def test_schema_and_pyarrow_memory_mapped_stream(tmp_path: Path) -> None:
    info = write(tmp_path / "s.arrow", documents())
    with pa.memory_map(info.path) as source:
        table = pa.ipc.open_stream(source).read_all()
    assert table.schema.field("tokens").type == pa.large_list(
        pa.field("item", pa.uint16(), nullable=False)
    )
    assert table.schema.field("source").type == pa.dictionary(pa.int32(), pa.string())
    assert table.schema.field("id").type == pa.string()
    assert table.column("tokens").num_chunks == 1
    assert table.column("tokens")[5].as_py() == documents()[5][0]


def test_opens_with_datasets(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    info = write(tmp_path / "train-00000.arrow", documents())
    dataset = datasets.Dataset.from_file(info.path)
    assert len(dataset) == 50
    assert dataset[7] == {"tokens": documents()[7][0], "source": "wikipedia", "id": "doc/7"}
    loaded = datasets.load_dataset(
        "arrow", data_files={"train": info.path}, cache_dir=str(tmp_path / "hf")
    )
    assert loaded["train"][49]["id"] == "doc/49"


def test_large_vocabularies_use_uint32(tmp_path: Path) -> None:
    info = write(tmp_path / "s.arrow", [([1, 70_000, 2], "c4", "a")], vocab=100_000)
    with ShardReader(info.path) as reader:
        assert reader.tokens.dtype == np.uint32 and reader.tokens.tolist() == [1, 70_000, 2]


def test_bad_ids_and_bad_files_are_named(tmp_path: Path) -> None:
    writer = ShardWriter(str(tmp_path / "s.arrow"), 1000)
    with pytest.raises(
        ValueError, match=r"s\.arrow: document 'x/1': token id 1000 outside \[0, 1000\)"
    ):
        writer.write([1, 1000, 2], "c4", "x/1")
    (tmp_path / "junk.arrow").write_bytes(b"not arrow at all")
    with pytest.raises(ValueError, match="junk.arrow: not a valid Arrow IPC stream shard"):
        ShardReader(str(tmp_path / "junk.arrow"))


def test_empty_shard_and_identical_bytes_for_identical_writes(tmp_path: Path) -> None:
    empty = write(tmp_path / "e.arrow", [])
    with ShardReader(empty.path) as reader:
        assert reader.num_documents == 0 and reader.num_tokens == 0
        assert reader.window(0, 0)[0].size == 0
    a = write(tmp_path / "a.arrow", documents(3))
    b = write(tmp_path / "b.arrow", documents(3))
    assert a.sha256 == b.sha256 == file_sha256(b.path)


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(2, 40), min_size=1, max_size=30),
    start_frac=st.floats(0, 1),
    length_frac=st.floats(0, 1),
)
def test_any_window_reports_exactly_the_document_starts_inside_it(
    tmp_path_factory: pytest.TempPathFactory,
    lengths: list[int],
    start_frac: float,
    length_frac: float,
) -> None:
    docs = [([1] + [5] * (n - 2) + [2], "c4", f"d{i}") for i, n in enumerate(lengths)]
    info = write(tmp_path_factory.mktemp("w") / "s.arrow", docs)
    total = sum(lengths)
    start = int(start_frac * total)
    length = int(length_frac * (total - start))
    with ShardReader(info.path) as reader:
        window, starts = reader.window(start, length)
        assert window.size == length
        assert starts.tolist() == [i for i in range(length) if window[i] == 1]


def test_decode_rows_gives_text_back(tmp_path: Path, llama_model: bytes) -> None:
    """`fleece show` decodes a shard's rows back to their texts."""
    sp = spm.SentencePieceProcessor(model_proto=llama_model)
    (tmp_path / "tokenizer.model").write_bytes(llama_model)
    texts = ["Hello wörld 2023", "漢字 and\nnew lines"]
    docs = [([1, *sp.encode(t), 2], "c4", f"c4/{i}") for i, t in enumerate(texts)]
    info = write(tmp_path / "train-00000.arrow", docs, vocab=sp.vocab_size())
    rows = decode_rows(info.path, str(tmp_path / "tokenizer.model"), n=5)
    assert [r["text"] for r in rows] == texts
    assert rows[0]["id"] == "c4/0" and rows[0]["source"] == "c4"
