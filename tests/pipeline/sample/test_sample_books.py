"""Gutenberg files have START/END blocks; the planted near-duplicates have the stated Jaccard."""

from __future__ import annotations

import re

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
