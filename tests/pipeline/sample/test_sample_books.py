"""Gutenberg files have START/END blocks; the planted near-duplicates have the stated Jaccard."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from pipeline.sample.books import jaccard

START = re.compile(r"^\*\*\* START OF (THE|THIS) PROJECT GUTENBERG EBOOK .* \*\*\*$", re.M)
END = re.compile(r"^\*\*\* END OF (THE|THIS) PROJECT GUTENBERG EBOOK .* \*\*\*$", re.M)


def body(sample_dir: str, info: dict, collection: str) -> str:
    with open(f"{sample_dir}/{info['file']}", encoding="utf-8") as f:
        content = f.read()
    if collection == "books3":
        return content.strip()
    start, end = START.search(content), END.search(content)
    assert start and end and start.end() < end.start()
    assert "START: FULL LICENSE" in content[end.end() :]
    assert "Release date:" in content[: start.start()]
    return content[start.end() : end.start()].strip()


def test_books_and_markers(sample_dir, ground_truth):
    truth = ground_truth["books"]
    assert len(truth["gutenberg"]) >= 4 and len(truth["books3"]) >= 3
    assert sum(info["old_style_markers"] for info in truth["gutenberg"].values()) == 1
    for collection in ("gutenberg", "books3"):
        for info in truth[collection].values():
            text = body(sample_dir, info, collection)
            assert text.split("\n", 1)[0] == info["first_body_line"]
            assert text.rsplit("\n", 1)[-1] == info["last_body_line"]
            assert not any(marker in text for marker in truth["licence_markers"])
            assert len(text) > 5000


def test_near_duplicates(sample_dir, ground_truth):
    truth = ground_truth["books"]
    scores = []
    for pair in truth["near_duplicates"]:
        texts = []
        for doc_id in pair["ids"]:
            collection = doc_id.split("/")[1]
            texts.append(body(sample_dir, truth[collection][doc_id], collection))
        score = jaccard(*texts)
        assert round(score, 4) == pair["jaccard"]
        assert abs(score - pair["target"]) < 0.01
        scores.append(score)
    assert max(scores) >= 0.9 > min(scores)


def test_copy_groups_have_the_stated_jaccards_and_their_kept_copy(sample_dir, ground_truth):
    """name_shapes: two name shapes of one book whose Jaccard sums tie, the OCR slips of
    the alternative edition in no other book; three_copies: the central copy has the
    highest sum and the largest id (so "smallest id kept" would keep an edge copy)."""
    truth = ground_truth["books"]
    groups = {group["variant"]: group for group in truth["copy_groups"]}
    assert set(groups) == {"name_shapes", "three_copies"}
    for group in groups.values():
        bodies = {i: body(sample_dir, {"file": f}, "gutenberg") for i, f in group["files"].items()}
        for doc_id, text in bodies.items():
            assert text.split("\n", 1)[0] == group["first_body_lines"][doc_id]
            assert text.rsplit("\n", 1)[-1] == group["last_body_lines"][doc_id]
        sums = dict.fromkeys(bodies, 0.0)
        for first, second in itertools.combinations(bodies, 2):
            score = jaccard(bodies[first], bodies[second])
            assert score >= 0.9, (first, second, score)
            sums[first] += score
            sums[second] += score
        assert {i: round(s, 4) for i, s in sums.items()} == group["jaccard_sums"]
    pair = groups["name_shapes"]
    original, alternative = pair["files"]
    assert alternative == f"{original}-alt-edition" and pair["kept"] == original
    assert pair["kept_by"] == "word_share" and len(set(pair["jaccard_sums"].values())) == 1
    slipped = set(pair["ocr_slips"])
    for path in sorted(Path(sample_dir, "books").rglob("*.txt")):
        found = slipped & set(re.findall(r"[a-z]+", path.read_text(encoding="utf-8-sig").lower()))
        assert found == (slipped if path.name == Path(pair["files"][alternative]).name else set())
    central = groups["three_copies"]
    sums = central["jaccard_sums"]
    assert central["kept"] == max(sums) and central["kept_by"] == "jaccard_sum"
    assert sums[central["kept"]] > max(s for i, s in sums.items() if i != central["kept"])
