"""The staged streams of pass 1: an entry read back by its ref is the entry written."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.counters import Tally
from pipeline.sources.stackexchange.posts import Post
from pipeline.sources.stackexchange.rules import entry_of, plan_question
from pipeline.sources.stackexchange.staging import (
    Ref,
    StagedReader,
    StagedWriter,
    staged_path,
)


def post(post_id: int, kind: int, score: int, offset: int, parent: int | None = None) -> Post:
    return Post(post_id, kind, parent, score, "T", f"<p>body {post_id}</p>", "<a>",
                "CC BY-SA 4.0", None, 1, offset)  # fmt: skip


def test_entries_read_back_by_ref_in_any_order_across_streams(tmp_path: Path) -> None:
    out = str(tmp_path)
    refs, entries = [], []
    for file_index, range_index in [(0, 0), (0, 1), (1, 0)]:
        with StagedWriter(out, file_index, range_index) as staged:
            for k in range(5):
                entry = entry_of(post(100 * file_index + 10 * range_index + k, 1, k, k * 7),
                                 file_index, False)  # fmt: skip
                entries.append(entry)
                refs.append(staged.write(entry))
        assert Path(staged_path(out, file_index, range_index)).exists()
    assert all(type(v) in (int, tuple) for r in refs for v in r)  # plain values to group
    with StagedReader(out, open_files=2) as reader:
        for ref, entry in reversed(list(zip(refs, entries, strict=True))):
            assert reader.entry(Ref(*tuple(ref))) == entry
        assert len(reader.streams) <= 2


def test_a_cut_stream_is_an_error_not_a_wrong_entry(tmp_path: Path) -> None:
    with StagedWriter(str(tmp_path), 0, 0) as staged:
        ref = staged.write(entry_of(post(1, 1, 0, 0), 0, False))
    path = Path(staged_path(str(tmp_path), 0, 0))
    path.write_bytes(path.read_bytes()[:-3])
    with StagedReader(str(tmp_path)) as reader, pytest.raises(OSError, match="cut short"):
        reader.entry(ref)


def test_refs_plan_a_question_as_entries_do() -> None:
    posts = [post(1, 1, 3, 0), post(5, 2, -1, 10, 1), post(4, 2, 9, 20, 1), post(7, 2, 9, 30, 1)]
    refs = [Ref(p.type, p.id, p.score, (0, p.offset), 0, 0, 0) for p in posts]
    question, answers = plan_question(refs, Tally())
    assert question is not None and question.id == 1
    assert [a.id for a in answers] == [4, 7, 5]
    tally = Tally()
    assert plan_question(refs[1:], tally) == (
        None,
        sorted(refs[1:], key=lambda r: (-r.score, r.id)),
    )
    assert tally["dropped.orphan_answer"] == 3
