"""The stackexchange stage on the sample against its ground truth, split in byte ranges, from
.7z archives, with fewer sites, and on damaged dumps."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import py7zr
import pytest
import yaml

from pipeline.documents import read_documents
from tests.faults.conftest import fleece, sample_manifest

pytestmark = pytest.mark.slow


def run_on(root: Path, name: str, inputs: list[str], *flags: str, **params: object) -> Path:
    """`fleece stackexchange` on `inputs` in a run folder of its own; returns the folder."""
    manifest = root / f"{name}.yaml"
    manifest.write_text(yaml.safe_dump({
        "run_dir": str(root / name),
        "sources": {"stackexchange": {"inputs": inputs, **params}},
    }))  # fmt: skip
    result = fleece("stackexchange", "--manifest", str(manifest), *flags)
    assert result.returncode == 0, result.stderr[-3000:]
    out = root / name / "stackexchange"
    assert not (out / "_posts").exists()  # the staged texts are deleted with the run
    return out


def parts(out: Path) -> dict[str, str]:
    """sha256 of every data file a run wrote (parts, dropped, errors)."""
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*.parquet"))}  # fmt: skip


def documents(out: Path) -> dict[str, dict]:
    return {r["id"]: r for r in read_documents(str(out / "part-*.parquet"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("stackexchange")
    manifest = sample_manifest(root / "m.yaml", root / "run")
    result = fleece("corpus", "--manifest", str(manifest), "--only", "sample,stackexchange",
                    "--keep-dropped")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    run = root / "run"
    out = run / "stackexchange"
    truth = json.loads((run / "inputs" / "ground_truth.json").read_text())["stackexchange"]
    return {
        "root": root, "run": run, "out": out, "truth": truth, "output": result.stdout,
        "kept": documents(out), "stats": json.loads((out / "_stats.json").read_text())["counters"],
        "dropped": {r["id"]: r for r in read_documents(str(out / "dropped" / "*.parquet"))},
        "inputs": str(run / "inputs" / "stackexchange" / "*" / "Posts.xml"),
    }  # fmt: skip


def test_every_question_is_a_document_with_its_answers_in_numeric_score_order(built: dict) -> None:
    questions = {i: q for site in built["truth"]["sites"].values()
                 for i, q in site["questions"].items()}  # fmt: skip
    assert set(built["kept"]) == set(questions)
    string_order_differs = False
    for doc_id, question in questions.items():
        meta = json.loads(built["kept"][doc_id]["meta"])
        assert meta["answer_ids"] == question["answer_order"], doc_id
        assert meta["answer_scores"] == question["answer_scores"]
        as_strings = sorted(question["answer_scores"], key=str, reverse=True)
        string_order_differs |= as_strings != question["answer_scores"]
    assert string_order_differs  # the sample would catch RedPajama's string sort


def test_present_strings_are_found_and_no_markup_is_left(built: dict) -> None:
    for site in built["truth"]["sites"].values():
        for doc_id, question in site["questions"].items():
            text = built["kept"][doc_id]["text"]
            assert text.startswith(question["title"] + "\n\n")
            for present in question["present"]:
                assert present in text, (doc_id, present)
            for markup in built["truth"]["absent_markup"]:
                assert markup not in text, (doc_id, markup)
            # the answers appear in the order of their scores
            positions = (
                [text.index(m) for m in question["present"][-len(question["answer_order"]) :]]
                if question["answer_order"]
                else []
            )
            assert positions == sorted(positions)


def test_a_table_whose_cells_hold_paragraphs_keeps_each_row_on_one_line(built: dict) -> None:
    """Sphinx-made HTML wraps cell text in <p>: each row still reads "cell | cell"."""
    planted = [
        (doc_id, row)
        for site in built["truth"]["sites"].values()
        for doc_id, question in site["questions"].items()
        for row in question["table_rows"]
    ]
    assert planted
    for doc_id, row in planted:
        assert row in built["kept"][doc_id]["text"].split("\n"), (doc_id, row)


def test_documents_carry_site_url_and_licence(built: dict) -> None:
    for doc in built["kept"].values():
        meta = json.loads(doc["meta"])
        site, qid = doc["id"].split("/")[1:]
        assert meta["site"] == site and meta["question_id"] == int(qid)
        assert doc["url"] == f"https://{site}.stackexchange.com/questions/{qid}"
        assert meta["license"] == "CC BY-SA 3.0" and doc["source"] == "stackexchange"


def test_orphan_answers_and_tag_wiki_rows_are_counted_and_kept_aside(built: dict) -> None:
    sites = built["truth"]["sites"]
    orphans = [(s, i) for s, info in sites.items() for i in info["orphan_answers"]]
    wikis = [(s, i) for s, info in sites.items() for i in info["tag_wiki_rows"]]
    assert built["stats"]["dropped.orphan_answer"] == len(orphans)
    assert built["stats"]["dropped.post_type"] == len(wikis)
    for (site, post_id), reason in [*((o, "orphan_answer") for o in orphans),
                                    *((w, "post_type") for w in wikis)]:  # fmt: skip
        assert built["dropped"][f"stackexchange/{site}/{post_id}"]["reason"] == reason


def test_the_malformed_row_is_reported_with_its_line_and_its_neighbours_kept(built: dict) -> None:
    ((name, site),) = [(n, s) for n, s in built["truth"]["sites"].items() if s["malformed_lines"]]
    (bad,) = site["malformed_lines"]
    assert f"Posts.xml: line {bad['line']}: malformed_row" in built["output"]
    assert built["stats"]["errors.malformed_row"] == 1
    lines = (built["run"] / "inputs" / site["file"]).read_text().splitlines()
    for number in (bad["line"] - 1, bad["line"] + 1):
        attrs = ET.fromstring(lines[number - 1]).attrib
        question = attrs.get("ParentId", attrs["Id"])
        doc = built["kept"][f"stackexchange/{name}/{question}"]
        assert int(attrs["Id"]) in [int(question), *json.loads(doc["meta"])["answer_ids"]]


def test_a_rerun_and_any_range_size_give_byte_identical_files(built: dict) -> None:
    first = parts(built["out"])
    again = run_on(built["root"], "again", [built["inputs"]], "--keep-dropped")
    ranges = run_on(built["root"], "ranges", [built["inputs"]], "--keep-dropped",
                    range_bytes=1500)  # fmt: skip
    assert parts(again) == first
    assert parts(ranges) == first
    stats = json.loads((ranges / "_stats.json").read_text())["counters"]
    assert (
        stats["read"] == built["stats"]["read"]
        and stats["bytes.read"] == built["stats"]["bytes.read"]
    )
    errors = list(read_documents(str(ranges / "errors" / "*.parquet")))
    assert [e["record"] for e in errors] == [
        f"line {built['truth']['sites']['cooking']['malformed_lines'][0]['line']}"
    ]


def test_archives_give_the_documents_of_the_extracted_files(built: dict) -> None:
    folder = built["root"] / "archives"
    folder.mkdir()
    for posts in sorted(Path(built["inputs"].split("*")[0]).glob("*/Posts.xml")):
        with py7zr.SevenZipFile(folder / f"{posts.parent.name}.7z", "w") as archive:
            archive.writestr(b"<users />\n", "Users.xml")
            archive.write(posts, "Posts.xml")
    out = run_on(built["root"], "from-7z", [str(folder / "*.7z")])
    assert {i: (d["text"], d["meta"], d["url"]) for i, d in documents(out).items()} == {
        i: (d["text"], d["meta"], d["url"]) for i, d in built["kept"].items()}  # fmt: skip
    assert {p: h for p, h in parts(out).items() if "/" not in p} == {
        p: h for p, h in parts(built["out"]).items() if "/" not in p}  # fmt: skip


def test_max_sites_keeps_the_largest_and_a_list_keeps_those(built: dict) -> None:
    sites = built["truth"]["sites"]
    largest = sorted(sites, key=lambda s: -sites[s]["rows"])[:2]
    out = run_on(built["root"], "two", [built["inputs"]], max_sites=2)
    kept = documents(out)
    assert {json.loads(d["meta"])["site"] for d in kept.values()} == set(largest)
    assert set(kept) == {i for s in largest for i in sites[s]["questions"]}
    stats = json.loads((out / "_stats.json").read_text())["counters"]
    # every question and answer of the other sites (their tag wikis are dropped.post_type)
    others = [sites[s] for s in sites if s not in largest]
    assert stats["dropped.site"] == sum(s["rows"] - len(s["tag_wiki_rows"]) for s in others)
    listed = documents(run_on(built["root"], "listed", [built["inputs"]], sites=["astronomy"]))
    assert set(listed) == set(sites["astronomy"]["questions"])


def row(post_id: int, kind: int = 1, parent: int | None = None, body: str = "ok") -> bytes:
    extra = f'ParentId="{parent}"' if parent else f'Title="Question {post_id}"'
    return (f'  <row Id="{post_id}" PostTypeId="{kind}" {extra} Score="1" '
            f'Body="&lt;p&gt;{body} {post_id}&lt;/p&gt;" />\n').encode()  # fmt: skip


HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n<posts>\n'


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("damaged")
    inputs = root / "inputs"
    broken = inputs / "broken.stackexchange.com"
    broken.mkdir(parents=True)
    (broken / "Posts.xml").write_bytes(HEAD + b"".join([
        row(1), row(2, 2, 1),
        b'  <row Id="3" PostTypeId="2" ParentId="1" Body="an " unescaped quote" />\n',
        row(4, 2, 1).replace(b"ok", b"caf\xe9"),
        row(5, 2, 1, body="x" * 5000),
        b'  <row Id="6" PostTypeId="1" Title="&lol9;" Body="" />\n',
        row(7), row(8, 2, 7),
    ]) + b"</posts>\n")  # fmt: skip
    bomb = inputs / "bomb.stackexchange.com"
    bomb.mkdir()
    entities = b"".join(b'  <!ENTITY lol%d "&lol%d;&lol%d;&lol%d;">\n' % (i, i - 1, i - 1, i - 1)
                        for i in range(1, 10)).replace(b"&lol0;&lol0;&lol0;", b"lol")  # fmt: skip
    (bomb / "Posts.xml").write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE posts [\n'
        + entities
        + b"]>\n<posts>\n"
        + row(1).replace(b"Question 1", b"&lol9;")
        + b"</posts>\n"
    )
    (inputs / "empty.stackexchange.com").mkdir()
    (inputs / "empty.stackexchange.com" / "Posts.xml").write_bytes(b"")
    with py7zr.SevenZipFile(inputs / "good.stackexchange.com.7z", "w") as archive:
        archive.writestr(HEAD + row(9) + row(10, 2, 9) + b"</posts>\n", "Posts.xml")
    big = HEAD + b"".join(row(i) for i in range(100, 2000)) + b"</posts>\n"
    with py7zr.SevenZipFile(root / "whole.7z", "w") as archive:
        archive.writestr(big, "Posts.xml")
    whole = (root / "whole.7z").read_bytes()
    (inputs / "truncated.stackexchange.com.7z").write_bytes(whole[: len(whole) // 2])
    return root


def test_bad_input_is_counted_by_reason_and_the_good_rows_kept(damaged: Path) -> None:
    out = run_on(damaged, "run", [str(damaged / "inputs" / "*" / "Posts.xml"),
                                  str(damaged / "inputs" / "*.7z")], max_row_bytes=2000)  # fmt: skip
    stats = json.loads((out / "_stats.json").read_text())["counters"]
    for reason in ("invalid_utf8", "record_too_large", "doctype", "empty_file", "bad_archive"):
        assert stats[f"errors.{reason}"] == 1, (reason, stats)
    assert stats["errors.malformed_row"] == 2  # the quote, and an entity no DOCTYPE declares
    kept = documents(out)
    assert set(kept) == {"stackexchange/broken/1", "stackexchange/broken/7",
                         "stackexchange/good/9"}  # fmt: skip
    assert json.loads(kept["stackexchange/broken/1"]["meta"])["answer_ids"] == [2]
    assert "lol" not in "".join(d["text"] for d in kept.values())
    errors = {(Path(e["file"]).parent.name or Path(e["file"]).name, e["record"], e["reason"])
              for e in read_documents(str(out / "errors" / "*.parquet"))}  # fmt: skip
    assert {("broken.stackexchange.com", "line 5", "malformed_row"),
            ("broken.stackexchange.com", "line 6", "invalid_utf8"),
            ("broken.stackexchange.com", "line 7", "record_too_large"),
            ("broken.stackexchange.com", "line 8", "malformed_row"),
            ("bomb.stackexchange.com", "line 2", "doctype"),
            ("empty.stackexchange.com", "file", "empty_file")} <= errors  # fmt: skip


def test_strict_stops_at_the_first_bad_row_naming_it(damaged: Path) -> None:
    manifest = damaged / "run.yaml"
    result = fleece("stackexchange", "--manifest", str(manifest), "--force", "--strict")
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("Error: stackexchange: --strict: ")
    assert any(where in line for where in (
        "Posts.xml: line 5: malformed_row", "Posts.xml: line 2: doctype",
        "Posts.xml: file: empty_file", "truncated.stackexchange.com.7z: archive: bad_archive"))  # fmt: skip


def test_a_generic_rule_switched_on_in_the_manifest_drops_a_question(tmp_path: Path) -> None:
    site = tmp_path / "inputs" / "tiny.stackexchange.com"
    site.mkdir(parents=True)
    # question 1 and its answer make 30 characters of text, question 7 alone 16
    (site / "Posts.xml").write_bytes(HEAD + row(1) + row(2, 2, 1) + row(7) + b"</posts>\n")
    out = run_on(tmp_path, "run", [str(site / "Posts.xml")], "--keep-dropped",
                 rules={"min_chars": {"chars": 20}})  # fmt: skip
    assert set(documents(out)) == {"stackexchange/tiny/1"}
    dropped = {r["id"]: r for r in read_documents(str(out / "dropped" / "*.parquet"))}
    assert dropped["stackexchange/tiny/7"]["reason"] == "short"
    assert dropped["stackexchange/tiny/7"]["text"] == "Question 7\n\nok 7"
    stats = json.loads((out / "_stats.json").read_text())["counters"]
    assert stats["dropped.short"] == 1 and stats["kept"] == 1
