"""The Wikipedia stage end to end on the sample, through `fleece corpus`, checked against
the sample's ground truth; rerun behaviour; bad input files through Beam."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from pipeline import io
from pipeline.sources.wikipedia.remnants import without_math
from tests.helpers import run_fleece, tree_digest, write_manifest
from tests.pipeline.sources.wikipedia.dumps import BOMB_DOCTYPE, article, dump_xml, page_xml

pytestmark = pytest.mark.slow


def read_parts(directory: Path) -> list[dict]:
    rows = []
    for part in sorted(directory.glob("part-*.parquet")):
        rows += io.read_parquet(str(part)).to_pylist()
    return rows


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample_run")
    manifest = write_manifest(
        root / "m.yaml",
        {
            "run_dir": str(root / "run"),
            "sample": {"enabled": True, "scale": 1, "seed": 0},
            "sources": {"wikipedia": {"inputs": ["{run_dir}/inputs/wikipedia/*.xml.bz2"]}},
        },
    )
    first = run_fleece("corpus", "--manifest", str(manifest), "--only", "sample,wikipedia")
    truth = json.loads((root / "run/inputs/ground_truth.json").read_text())["wikipedia"]
    return root, manifest, first.output, truth


def test_documents_match_the_ground_truth(sample_run):
    root, _, _, truth = sample_run
    docs = read_parts(root / "run/wikipedia")
    by_id = {d["id"]: d for d in docs}
    assert sorted(by_id) == truth["expected_documents"]
    assert len(docs) == len(by_id)
    for doc_id, title in truth["titles"].items():
        if doc_id in by_id:
            assert by_id[doc_id]["text"].startswith(title + "\n\n")
            assert json.loads(by_id[doc_id]["meta"])["title"] == title
    for doc in docs:
        text = without_math(doc["text"])
        for marker in truth["absent_markup"]:
            assert marker not in text, (doc["id"], marker)
        for absent in truth["absent_text"][doc["id"]]:
            assert absent not in text, (doc["id"], absent)
        lines = doc["text"].split("\n")
        for line in truth["absent_lines"][doc["id"]]:
            assert line not in lines, (doc["id"], line)
        assert doc["source"] == "wikipedia" and doc["url"].startswith(f"https://{doc['language']}.")
    for doc_id, needed in truth["present_text"].items():
        for text in needed:
            assert text in by_id[doc_id]["text"], (doc_id, text)


def test_no_redirects_other_namespaces_or_other_languages(sample_run):
    root, _, _, truth = sample_run
    ids = {d["id"] for d in read_parts(root / "run/wikipedia")}
    for lang, info in truth["languages"].items():
        for page_id in info["redirects"] + info["other_namespaces"] + info["empty"]:
            assert f"wikipedia/{lang}/{page_id}" not in ids
        if not info["in_llama"]:
            assert not any(i.startswith(f"wikipedia/{lang}/") for i in ids)


def test_cited_urls_table(sample_run):
    root, _, _, truth = sample_run
    cited = defaultdict(set)
    for row in read_parts(root / "run/wikipedia/cited_urls"):
        cited[row["document_id"]].add(row["url"])
        assert "://" not in row["normalized_url"] and not row["normalized_url"].startswith("www.")
    expected = {k: set(v) for k, v in truth["cited_urls"].items() if v}
    assert {k: v for k, v in cited.items()} == expected


def test_stats_agree_with_the_ground_truth(sample_run):
    root, _, _, truth = sample_run
    counters = json.loads((root / "run/wikipedia/_stats.json").read_text())["counters"]
    kept_langs = [i for i in truth["languages"].values() if i["in_llama"]]
    assert counters["kept"] == len(truth["expected_documents"])
    assert counters["dropped.redirect"] == sum(len(i["redirects"]) for i in kept_langs)
    assert counters["dropped.namespace"] == sum(len(i["other_namespaces"]) for i in kept_langs)
    assert counters.get("dropped.empty", 0) == sum(len(i["empty"]) for i in kept_langs)
    dropped = sum(v for k, v in counters.items() if k.startswith("dropped."))
    assert counters["read"] == counters["kept"] + dropped
    assert counters["files.skipped.language"] == len(truth["languages"]) - len(kept_langs)
    update = truth["update"]
    overlaps = len(update["newer"]) + len(update["older"]) + len(update["same"])
    assert counters["dropped.duplicate_page"] == overlaps
    assert counters["bytes.kept"] > 0 and counters["bytes.read"] > 0
    # the planted unknown templates, and only they, are counted by name
    unknown = {
        k.removeprefix("templates.unknown."): v
        for k, v in counters.items()
        if k.startswith("templates.unknown.")
    }
    assert unknown == truth["unknown_templates"]
    assert counters["warnings.dangling_colon"] == len(truth["dangling_colon"])


def test_rerun_skips_reruns_only_what_changed_and_is_byte_identical(sample_run, tmp_path):
    root, manifest, _, _ = sample_run
    before = tree_digest(root / "run")
    second = run_fleece("corpus", "--manifest", str(manifest), "--only", "sample,wikipedia")
    assert "sample: complete" in second.output and "wikipedia: complete" in second.output
    assert "nothing to do" in second.output and "running" not in second.output
    assert tree_digest(root / "run") == before

    (root / "run/wikipedia/_SUCCESS").unlink()
    third = run_fleece("corpus", "--manifest", str(manifest), "--only", "sample,wikipedia")
    assert "sample: complete" in third.output
    assert "wikipedia: running (no _SUCCESS)" in third.output
    assert tree_digest(root / "run") == before  # a complete rerun gives identical bytes

    changed = json.loads(json.dumps(__import__("yaml").safe_load(manifest.read_text())))
    changed["sources"]["wikipedia"]["keep_title"] = False
    other = write_manifest(tmp_path / "changed.yaml", changed)
    fourth = run_fleece("corpus", "--manifest", str(other), "--only", "sample,wikipedia")
    assert "wikipedia: running (inputs or parameters changed" in fourth.output
    assert "sample: complete" in fourth.output
    run_fleece("corpus", "--manifest", str(manifest), "--only", "sample,wikipedia")
    assert tree_digest(root / "run") == before


def test_an_incomplete_upstream_is_refused_and_a_deleted_part_rebuilt(sample_run):
    """A stage never reads a stage that did not finish, or lost a file since."""
    root, manifest, _, _ = sample_run
    before = tree_digest(root / "run")
    success = root / "run/wikipedia/_SUCCESS"
    marker = success.read_bytes()
    success.unlink()  # as if the stage had been killed before it finished
    refused = run_fleece("tokenizer", "--manifest", str(manifest), expect_ok=False)
    assert refused.exit_code == 1, refused.output
    assert "tokenizer: needs wikipedia, which is not complete (no _SUCCESS)" in refused.output
    assert not (root / "run/tokenizer").exists()
    success.write_bytes(marker)

    part = sorted((root / "run/wikipedia").glob("part-*.parquet"))[1]
    part.unlink()
    refused = run_fleece("tokenizer", "--manifest", str(manifest), expect_ok=False)
    assert f"(output file {part.name} is missing)" in refused.output
    assert not (root / "run/tokenizer").exists()
    rebuilt = run_fleece("corpus", "--manifest", str(manifest), "--only", "sample,wikipedia")
    assert f"wikipedia: running (output file {part.name} is missing)" in rebuilt.output
    assert tree_digest(root / "run") == before


@pytest.fixture
def bad_inputs(tmp_path, write_dump):
    bomb = page_xml(6, "Bomb", "X").replace(">X<", ">&lol3;&lol3;<")
    bad_pages = [
        article(1),
        page_xml(2, "Broken", "t").replace("</revision>", ""),
        article(3),
        page_xml(4, "Bytes", "BADBYTES"),
        article(5),
        bomb,
        article(7),
    ]
    bad = (
        dump_xml("en", bad_pages, doctype=BOMB_DOCTYPE)
        .encode()
        .replace(b"BADBYTES", b"\xff\xfe bad")
    )
    write_dump("enwiki-bad.xml.bz2", bad)
    big = dump_xml("de", [page_xml(100 + i, f"Lang {i}", f"Text {i} " * 40000) for i in range(30)])
    truncated = write_dump("dewiki-cut.xml.bz2", big)
    data = truncated.read_bytes()
    truncated.write_bytes(data[: len(data) - 200])
    write_dump(
        "svwiki-good.xml", dump_xml("sv", [article(i) for i in range(200, 210)]), compress=False
    )
    return tmp_path


def test_bad_input_is_counted_and_good_pages_kept(bad_inputs, tmp_path):
    manifest = write_manifest(
        tmp_path / "bad.yaml",
        {
            "run_dir": str(tmp_path / "run"),
            "sources": {"wikipedia": {"inputs": [str(bad_inputs / "*wiki-*")]}},
        },
    )
    result = run_fleece("wikipedia", "--manifest", str(manifest))
    out = tmp_path / "run/wikipedia"
    # the console names the bad records, file and position, in file order
    console = result.output[result.output.index("wikipedia: 4 bad record(s):") :].splitlines()
    assert console[1].startswith(f"  {bad_inputs / 'dewiki-cut.xml.bz2'}: stream: truncated_stream")
    assert console[2].startswith(f"  {bad_inputs / 'enwiki-bad.xml.bz2'}: page #2 'Broken'")
    assert console[5] == f"  see {out}/errors/"
    counters = json.loads((out / "_stats.json").read_text())["counters"]
    assert counters["errors.malformed_page"] == 1
    assert counters["errors.invalid_encoding"] == 1
    assert counters["errors.entity_expansion"] == 1
    assert counters["errors.truncated_stream"] == 1
    ids = {d["id"] for d in read_parts(out)}
    assert {f"wikipedia/en/{i}" for i in (1, 3, 5, 7)} <= ids  # good pages around each fault
    assert {f"wikipedia/sv/{i}" for i in range(200, 210)} <= ids  # other files in full
    german = sorted(int(i.rsplit("/", 1)[1]) for i in ids if i.startswith("wikipedia/de/"))
    assert german and german == list(range(100, 100 + len(german)))  # a prefix, before the cut
    errors = read_parts(out / "errors")
    reasons = Counter(e["reason"] for e in errors)
    assert reasons == Counter(
        {"malformed_page": 1, "invalid_encoding": 1, "entity_expansion": 1, "truncated_stream": 1}
    )
    bomb = next(e for e in errors if e["reason"] == "entity_expansion")
    assert bomb["file"].endswith("enwiki-bad.xml.bz2") and "'Bomb'" in bomb["record"]


def test_strict_fails_on_the_first_bad_page(bad_inputs, tmp_path):
    manifest = write_manifest(
        tmp_path / "strict.yaml",
        {
            "run_dir": str(tmp_path / "run"),
            "runner": {"direct_running_mode": "in_memory"},
            "sources": {"wikipedia": {"inputs": [str(bad_inputs / "enwiki-bad.xml.bz2")]}},
        },
    )
    result = run_fleece("wikipedia", "--manifest", str(manifest), "--strict", expect_ok=False)
    assert result.exit_code == 1
    message = result.output.strip().splitlines()[-1]
    assert message.startswith("Error: wikipedia: --strict: ")
    assert "enwiki-bad.xml.bz2" in message and "'Broken'" in message and "malformed_page" in message
    assert not (tmp_path / "run/wikipedia/_SUCCESS").exists()


def test_keep_dropped_writes_reasons(bad_inputs, tmp_path, write_dump):
    write_dump(
        "enwiki-mixed.xml.bz2",
        dump_xml(
            "en",
            [
                article(1),
                page_xml(2, "R", "#REDIRECT [[Good 1]]", redirect="Good 1"),
                page_xml(3, "Talk:Good 1", "talk", ns=1),
                page_xml(4, "Empty", "{{stub}}"),
            ],
        ),
    )
    manifest = write_manifest(
        tmp_path / "kd.yaml",
        {
            "run_dir": str(tmp_path / "run"),
            "sources": {"wikipedia": {"inputs": [str(tmp_path / "enwiki-mixed.xml.bz2")]}},
        },
    )
    run_fleece("wikipedia", "--manifest", str(manifest), "--keep-dropped")
    dropped = read_parts(tmp_path / "run/wikipedia/dropped")
    assert {(d["id"], d["reason"]) for d in dropped} == {
        ("wikipedia/en/2", "redirect"),
        ("wikipedia/en/3", "namespace"),
        ("wikipedia/en/4", "empty"),
    }


def test_missing_input_is_a_clear_error(tmp_path):
    manifest = write_manifest(
        tmp_path / "m.yaml",
        {
            "run_dir": str(tmp_path / "run"),
            "sources": {"wikipedia": {"inputs": [str(tmp_path / "nowhere/*.xml.bz2")]}},
        },
    )
    result = run_fleece("wikipedia", "--manifest", str(manifest), expect_ok=False)
    assert result.exit_code == 1
    assert "no input file matches" in result.output and "nowhere" in result.output


def test_limit_reads_n_records_per_file(tmp_path, write_dump):
    write_dump("enwiki-1.xml.bz2", dump_xml("en", [article(i) for i in range(1, 20)]))
    write_dump("dewiki-2.xml.bz2", dump_xml("de", [article(i) for i in range(50, 70)]))
    manifest = write_manifest(
        tmp_path / "l.yaml",
        {
            "run_dir": str(tmp_path / "run"),
            "sources": {"wikipedia": {"inputs": [str(tmp_path / "*.xml.bz2")]}},
        },
    )
    run_fleece("wikipedia", "--manifest", str(manifest), "--limit", "3")
    ids = sorted(d["id"] for d in read_parts(tmp_path / "run/wikipedia"))
    assert ids == [
        "wikipedia/de/50",
        "wikipedia/de/51",
        "wikipedia/de/52",
        "wikipedia/en/1",
        "wikipedia/en/2",
        "wikipedia/en/3",
    ]
