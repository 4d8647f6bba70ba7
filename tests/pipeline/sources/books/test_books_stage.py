"""The books stage on the sample against its ground truth, and on damaged inputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from pipeline.documents import read_documents
from tests.faults.conftest import fleece, sample_manifest

pytestmark = pytest.mark.slow


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.parquet"))}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("books")
    manifest = sample_manifest(root / "m.yaml", root / "run")
    result = fleece("corpus", "--manifest", str(manifest), "--only", "sample,books",
                    "--keep-dropped")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    run = root / "run"
    truth = json.loads((run / "inputs" / "ground_truth.json").read_text())["books"]
    kept = {r["id"]: r for r in read_documents(str(run / "books" / "part-*.parquet"))}
    drops = {r["id"]: r for r in read_documents(str(run / "books" / "dropped" / "*.parquet"))}
    return {"run": run, "manifest": manifest, "truth": truth, "kept": kept, "drops": drops}


def test_gutenberg_blocks_go_and_every_body_is_intact(built: dict) -> None:
    truth = built["truth"]
    for collection in ("gutenberg", "books3"):
        for doc_id, info in truth[collection].items():
            row = built["kept"].get(doc_id) or built["drops"][doc_id]
            text = row["text"]
            assert text.split("\n", 1)[0] == info["first_body_line"], doc_id
            assert text.rsplit("\n", 1)[-1] == info["last_body_line"], doc_id
            assert not any(marker in text for marker in truth["licence_markers"]), doc_id
    old = [i for i, info in truth["gutenberg"].items() if info["old_style_markers"]]
    assert old and all(i in built["kept"] or i in built["drops"] for i in old)


def test_older_gutenberg_shapes_lose_their_blocks_and_keep_their_body(built: dict) -> None:
    """A Botchan-like file (BOM, CRLF, no blank line, number only in the header) and a 1990s
    small-print file: their id from the header number, body from first to last line."""
    cases = built["truth"]["cases"]
    assert {case["variant"] for case in cases.values()} == {"no_blank_lines", "small_print"}
    for doc_id, case in cases.items():
        text = built["kept"][doc_id]["text"]
        assert text.split("\n", 1)[0] == case["first_body_line"], doc_id
        assert text.rsplit("\n", 1)[-1] == case["last_body_line"], doc_id
        assert "\r" not in text and "\ufeff" not in text
        assert not any(m in text for m in built["truth"]["licence_markers"]), doc_id


def test_the_92_percent_pair_collapses_and_the_80_percent_pair_stays(built: dict) -> None:
    for pair in built["truth"]["near_duplicates"]:
        low, high = pair["ids"]
        assert low in built["kept"]
        if pair["jaccard"] >= 0.9:
            row = built["drops"][high]
            meta = json.loads(row["meta"])
            assert row["reason"] == "near_duplicate" and high not in built["kept"]
            assert meta["partner"] == low and meta["jaccard"] == pair["jaccard"]
        else:
            assert high in built["kept"]


def test_each_copy_group_keeps_the_preferred_copy_and_drops_name_both_files(built: dict) -> None:
    """Issue 25: `pg<n>-<w>-alt-edition.txt` got its id by another rule than `pg<n>-<w>.txt`
    and, the smaller id, was kept; of three copies the smallest id, an edge copy, was kept.
    Now the pair keeps the copy without OCR slips (word share) and the three keep the
    central one (Jaccard sum); each dropped row names its file and the kept one's."""
    for group in built["truth"]["copy_groups"]:
        kept = group["kept"]
        assert kept in built["kept"], (group["variant"], sorted(built["kept"]))
        text = built["kept"][kept]["text"]
        assert text.split("\n", 1)[0] == group["first_body_lines"][kept]
        assert text.rsplit("\n", 1)[-1] == group["last_body_lines"][kept]
        for doc_id, file in group["files"].items():
            if doc_id == kept:
                continue
            row = built["drops"][doc_id]
            meta = json.loads(row["meta"])
            assert row["reason"] == "near_duplicate" and doc_id not in built["kept"]
            assert (meta["near_duplicate_of"], meta["kept_by"]) == (kept, group["kept_by"])
            assert meta["file"].endswith(file) and meta["kept_file"].endswith(group["files"][kept])
            assert meta["group_size"] == len(group["files"])
            assert meta["jaccard_sum"] == group["jaccard_sums"][doc_id]
            assert meta["kept_jaccard_sum"] == group["jaccard_sums"][kept]
            if group["kept_by"] == "word_share":
                assert meta["kept_word_share"] > meta["word_share"]


def test_ids_are_unique_and_the_rerun_is_byte_identical(built: dict) -> None:
    ids = [r["id"] for r in read_documents(str(built["run"] / "books" / "part-*.parquet"))]
    assert len(ids) == len(set(ids))
    before = digests(built["run"] / "books")
    result = fleece("books", "--manifest", str(built["manifest"]), "--force", "--keep-dropped")
    assert result.returncode == 0, result.stderr[-3000:]
    assert digests(built["run"] / "books") == before


GUTENBERG = (
    "Title: {t}\n\n*** START OF THE PROJECT GUTENBERG EBOOK {t} ***\n\n{body}\n\n"
    "*** END OF THE PROJECT GUTENBERG EBOOK {t} ***\n"
)


def body(i: int) -> str:
    return " ".join(f"word{i}x{j} of book {i}" for j in range(60))


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("damaged")
    inputs = root / "inputs"
    inputs.mkdir()
    (inputs / "100.txt").write_text(GUTENBERG.format(t="A", body=body(1)), encoding="utf-8")
    (inputs / "100-8.txt").write_bytes(  # cp1252: the same book, one id apart
        GUTENBERG.format(t="A", body=body(1) + " café").encode("cp1252")
    )
    (inputs / "200.txt").write_bytes(b"")
    (inputs / "300.txt").write_text("x" * 5000)  # over the cap set below
    rows = [
        json.dumps({"title": "One", "text": body(2)}),
        '{"title": "Bad", "te',
        json.dumps({"title": "No text"}),
        json.dumps({"title": "One", "text": body(3)}),
    ]
    (inputs / "b3.jsonl").write_text("\n".join(rows) + "\n")  # fmt: skip
    manifest = root / "m.yaml"
    manifest.write_text(yaml.safe_dump({
        "run_dir": str(root / "run"),
        "sources": {"books": {"inputs": [str(inputs / "*")], "max_book_bytes": 4096}},
    }))  # fmt: skip
    return manifest


def test_bad_inputs_are_counted_and_the_good_books_kept(damaged: Path) -> None:
    result = fleece("books", "--manifest", str(damaged), "--force", "--keep-dropped")
    assert result.returncode == 0, result.stderr[-3000:]
    run = Path(yaml.safe_load(damaged.read_text())["run_dir"])
    stats = json.loads((run / "books" / "_stats.json").read_text())["counters"]
    for reason in ("empty_file", "record_too_large", "malformed_json", "missing_field"):
        assert stats[f"errors.{reason}"] == 1, (reason, stats)
    # the cp1252 edition is kept (then found a near duplicate): a warning, not an error
    assert stats["warnings.decoded_fallback"] == 1 and "errors.decoded_fallback" not in stats
    kept = {r["id"] for r in read_documents(str(run / "books" / "part-*.parquet"))}
    # one title twice: the second row is renamed; the cp1252 edition is a near duplicate
    assert kept == {"books/gutenberg/100", "books/books3/one", "books/books3/one~2"}
    (drop,) = read_documents(str(run / "books" / "dropped" / "*.parquet"))
    assert (drop["id"], drop["reason"]) == ("books/gutenberg/100-8", "near_duplicate")
    assert drop["text"].endswith("café")
    errors = {(Path(e["file"]).name, e["record"], e["reason"])
              for e in read_documents(str(run / "books" / "errors" / "*.parquet"))}  # fmt: skip
    assert ("b3.jsonl", "line 2", "malformed_json") in errors
    assert not any(name == "100-8.txt" for name, _, _ in errors)
    assert json.loads(drop["meta"])["encoding"] == "cp1252"  # how to find such books


def test_strict_stops_at_the_first_bad_book_naming_it(damaged: Path) -> None:
    result = fleece("books", "--manifest", str(damaged), "--force", "--strict")
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("Error: books: --strict: ")
    assert any(name in line for name in ("100-8.txt", "200.txt", "300.txt", "b3.jsonl"))
