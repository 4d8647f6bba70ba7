"""The C4 shards and raw pages parse, and C4's line rules reproduce the ground truth."""

from __future__ import annotations

import gzip
import json
import re

from warcio.archiveiterator import ArchiveIterator

END_MARKS = (".", "?", "!", '"')
POLICY = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)


def line_status(line: str, min_words: int = 5) -> str:
    """C4's per-line rules in the order of the code that built C4."""
    line = line.strip()
    if line.endswith("..."):
        return "drop:ellipsis"
    if not line.endswith(END_MARKS):
        return "drop:punctuation"
    if len(line.split()) < min_words:
        return "drop:words"
    lower = line.lower()
    if "javascript" in lower:
        return "drop:javascript"
    if any(policy in lower for policy in POLICY):
        return "drop:policy"
    return "keep"


def page_outcome(lines: list[str], bad_words: list[str]) -> str:
    kept = [line for line in lines if line_status(line) == "keep"]
    text = "\n".join(kept).lower()
    if "lorem ipsum" in text:
        return "drop:lorem"
    if "{" in text:
        return "drop:curly"
    if any(re.search(rf"\b{re.escape(word)}\b", text) for word in bad_words):
        return "drop:bad_words"
    sentences = re.findall(r"[^.!?]+[.!?]", " ".join(kept))
    return "keep" if len(sentences) >= 3 else "drop:sentences"


def test_built_shards(sample_dir, ground_truth):
    for info in ground_truth["c4"]["built_files"]:
        with gzip.open(f"{sample_dir}/{info['file']}", "rt", encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
        assert len(rows) == info["rows"]
        for row in rows:
            assert set(row) == {"text", "url", "timestamp"}
            assert row["url"].startswith("http") and row["timestamp"].endswith("Z")
            assert all(line_status(line) == "keep" for line in row["text"].split("\n"))


def test_raw_pages_follow_the_rules(sample_dir, ground_truth):
    truth = ground_truth["c4"]
    with open(f"{sample_dir}/{truth['badwords_file']}", encoding="utf-8") as f:
        bad_words = f.read().split()
    seen = set()
    for info in truth["raw_files"]:
        with open(f"{sample_dir}/{info['file']}", "rb") as f:
            for record in ArchiveIterator(f, check_digests=True):
                if record.rec_type != "conversion":
                    continue
                page_id = record.rec_headers.get_header("WARC-Record-ID")[10:-1]
                page = truth["raw_pages"][page_id]
                lines = record.content_stream().read().decode("utf-8").split("\n")
                assert lines == [line for line, _ in page["lines"]]
                for line, status in page["lines"]:
                    assert line_status(line) == status, line
                if page["expected"] != "drop:language":
                    assert page_outcome(lines, bad_words) == page["expected"], page_id
                seen.add(page_id)
    assert seen == set(truth["raw_pages"])
    outcomes = {page["expected"] for page in truth["raw_pages"].values()}
    assert outcomes == {
        "keep",
        "drop:lorem",
        "drop:curly",
        "drop:bad_words",
        "drop:sentences",
        "drop:language",
    }
    statuses = {status for page in truth["raw_pages"].values() for _, status in page["lines"]}
    assert {"drop:javascript", "drop:policy", "drop:words", "drop:ellipsis"} <= statuses


def test_duplicate_spans(ground_truth):
    truth = ground_truth["c4"]
    for entry in truth["duplicate_spans"]:
        assert len(re.findall(r"[.!?](?:\s|$)", entry["span"])) == 3
        assert len(entry["pages"]) >= 2
        for page_id in entry["pages"]:
            assert truth["raw_pages"][page_id]["expected"] == "keep"
            assert entry["span"] in [line for line, _ in truth["raw_pages"][page_id]["lines"]]


def test_language_pages_name_their_language(sample_dir, ground_truth):
    """The pages of kind `language` (German, and the last one French) are written in the
    language their truth names, and every line passes C4's line rules: only language ID
    can drop them, and their dropped rows must name that language."""
    pages = [p for p in ground_truth["c4"]["raw_pages"].values() if p["kind"] == "language"]
    assert {p["language"] for p in pages} == {"de", "fr"}
    assert all(p["expected"] == "drop:language" for p in pages)
    words = {"de": {"der", "die", "und"}, "fr": {"le", "la", "et", "les"}}
    for page in pages:
        text = " ".join(line for line, _ in page["lines"]).lower().split()
        assert words[page["language"]] & set(text), page["lines"]
    last_file = ground_truth["c4"]["raw_files"][-1]
    french = [p for p in pages if p["language"] == "fr"]
    assert [(p["file"], p["record"]) for p in french] == [
        (last_file["file"], last_file["records"] - 1)
    ]
