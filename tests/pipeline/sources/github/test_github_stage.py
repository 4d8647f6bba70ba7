"""The github stage on the sample against its ground truth, and on damaged exports."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import yaml

from pipeline.documents import read_documents
from tests.faults.conftest import fleece, sample_manifest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("github")
    manifest = sample_manifest(root / "m.yaml", root / "run")
    result = fleece("corpus", "--manifest", str(manifest), "--only", "sample,github",
                    "--keep-dropped")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    run = root / "run"
    truth = json.loads((run / "inputs" / "ground_truth.json").read_text())["github"]
    kept = {r["id"]: r for r in read_documents(str(run / "github" / "part-*.parquet"))}
    drops = {r["id"]: r for r in read_documents(str(run / "github" / "dropped" / "*.parquet"))}
    return {"run": run, "truth": truth, "kept": kept, "drops": drops, "output": result.stdout}


def outcome(built: dict, row_id: str) -> str:
    if row_id in built["kept"]:
        return "keep"
    return f"drop:{built['drops'][row_id]['reason']}" if row_id in built["drops"] else "missing"


def test_every_rule_removes_what_was_planted_and_nothing_else(built: dict) -> None:
    rows = built["truth"]["rows"]
    reasons = {row["expected"] for row in rows.values()}
    assert {"drop:license", "drop:extension", "drop:licence_file", "drop:max_line",
            "drop:mean_line", "drop:alnum", "drop:alpha_per_token",
            "drop:duplicate"} <= reasons  # fmt: skip
    for reason in reasons:  # precision and recall of each outcome
        expected = {i for i, row in rows.items() if row["expected"] == reason}
        got = {i for i in rows if outcome(built, i) == reason}
        assert (
            len(expected & got) / len(got) >= 0.99 and len(expected & got) / len(expected) >= 0.99
        )


def test_documents_carry_their_id_and_meta(built: dict) -> None:
    for doc in built["kept"].values():
        meta = json.loads(doc["meta"])
        assert doc["id"] == f"github/{meta['repo_name']}/{meta['path']}"
        assert meta["license"] in ("mit", "apache-2.0", "bsd-2-clause", "bsd-3-clause")
        assert "size" in meta  # extra export fields are kept
    languages = {json.loads(d["meta"])["language"] for d in built["kept"].values()}
    assert {"Python", "JavaScript", "C", "Go", "Shell", "Markdown", "Makefile"} <= languages


def test_licence_headers_go_and_the_code_stays(built: dict) -> None:
    headers = built["truth"]["licence_headers"]
    assert len(headers) >= 8
    for row_id, header in headers.items():
        text = built["kept"][row_id]["text"]
        assert "Copyright" not in text and header["code_starts_with"] in text
        assert header.get("description", "") in text
        assert json.loads(built["kept"][row_id]["meta"])["licence_header"] is True
    assert any("description" in header for header in headers.values())
    # module docstrings and doc comments that are not licences stay
    python = [
        d for d in built["kept"].values() if d["id"].endswith(".py") and d["id"] not in headers
    ]
    assert python and all(d["text"].startswith('"""Helpers to') for d in python)


def test_dedup_keeps_the_smallest_id_across_files(built: dict) -> None:
    groups = built["truth"]["duplicate_groups"]
    rows = built["truth"]["rows"]
    assert any(len({rows[i]["file"] for i in group}) > 1 for group in groups)  # across files
    for group in groups:
        assert [i for i in group if i in built["kept"]] == [group[0]]


def test_the_planted_malformed_line_is_reported_and_its_neighbours_kept(built: dict) -> None:
    (bad,) = built["truth"]["malformed_lines"]
    assert f"line {bad['line']}: malformed_json" in built["output"]
    neighbours = [i for i, r in built["truth"]["rows"].items()
                  if r["file"] == bad["file"] and abs(r["line"] - bad["line"]) == 1]  # fmt: skip
    assert len(neighbours) == 2 and all(outcome(built, i) != "missing" for i in neighbours)


def row(i: int, **fields: object) -> bytes:
    base = {"repo_name": "acme/tool", "path": f"src/m{i}.py", "license": "mit",
            "content": f'"""Module {i}."""\n\nVALUE_{i} = {i}\n'}  # fmt: skip
    return (json.dumps({**base, **fields}) + "\n").encode()


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Exports with a fault in the middle of each; returns the manifest and good row count."""
    root = tmp_path_factory.mktemp("damaged")
    inputs = root / "inputs"
    inputs.mkdir()
    lines = [row(0), b'{"repo_name": "acme/tool", "path": "x.py"\n', row(1),
             json.dumps({"repo_name": "a/b", "path": "y.py", "license": "mit"}).encode() + b"\n",
             row(2), row(3)[:40] + b"\xff\xfe" + row(3)[40:], row(4),
             row(5, content="a" * (200 << 20)), row(6)]  # fmt: skip
    (inputs / "one.jsonl").write_bytes(b"".join(lines))
    # members: good, corrupt (bytes flipped mid-member), good
    corrupt = bytearray(gzip.compress(row(8) + row(9)))
    corrupt[len(corrupt) // 2] ^= 0xFF
    (inputs / "two.jsonl.gz").write_bytes(
        gzip.compress(row(7)) + bytes(corrupt) + gzip.compress(row(10))
    )
    (inputs / "three.jsonl.gz").write_bytes(b"")
    manifest = root / "m.yaml"
    manifest.write_text(yaml.safe_dump({
        "run_dir": str(root / "run"),
        "sources": {"github": {"inputs": [str(inputs / "*")]}},
    }))  # fmt: skip
    return manifest, {}


def test_bad_rows_are_counted_by_reason_and_the_good_ones_kept(damaged: tuple) -> None:
    manifest, _ = damaged
    result = fleece("github", "--manifest", str(manifest), "--force")
    assert result.returncode == 0, result.stderr[-3000:]
    run = Path(yaml.safe_load(manifest.read_text())["run_dir"])
    stats = json.loads((run / "github" / "_stats.json").read_text())["counters"]
    for reason in ("malformed_json", "missing_field", "invalid_utf8", "record_too_large",
                   "corrupt_gzip", "empty_file"):  # fmt: skip
        assert stats[f"errors.{reason}"] == 1, (reason, stats)
    kept = {r["id"] for r in read_documents(str(run / "github" / "part-*.parquet"))}
    assert kept == {f"github/acme/tool/src/m{i}.py" for i in (0, 1, 2, 4, 6, 7, 10)}
    errors = list(read_documents(str(run / "github" / "errors" / "*.parquet")))
    assert {(Path(e["file"]).name, e["record"]) for e in errors} >= {("one.jsonl", "line 2"),
                                                                   ("one.jsonl", "line 8")}  # fmt: skip


def test_strict_stops_at_the_first_bad_row_naming_it(damaged: tuple) -> None:
    manifest, _ = damaged
    result = fleece("github", "--manifest", str(manifest), "--force", "--strict")
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("Error: github: --strict: ")
    # whichever fault a worker met first: its file, where in it, and why
    assert any(f"{name}: {where}" in line for name, where in (
        ("one.jsonl", "line 2: malformed_json"), ("two.jsonl.gz", "line 2: corrupt_gzip"),
        ("three.jsonl.gz", "file: empty_file")))  # fmt: skip


def test_a_generic_rule_switched_on_in_the_manifest_drops_a_file(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    longer = '"""A longer module, with more to say."""\n\nVALUE_1 = 1\nOTHER_VALUE = 2\n'
    (inputs / "rows.jsonl").write_bytes(row(0) + row(1, content=longer))  # 29 and 70 chars
    manifest = tmp_path / "m.yaml"
    manifest.write_text(yaml.safe_dump({
        "run_dir": str(tmp_path / "run"),
        "sources": {"github": {"inputs": [str(inputs / "*")],
                               "rules": {"min_chars": {"chars": 40}}}},
    }))  # fmt: skip
    result = fleece("github", "--manifest", str(manifest), "--keep-dropped")
    assert result.returncode == 0, result.stderr[-3000:]
    out = tmp_path / "run" / "github"
    kept = [r["id"] for r in read_documents(str(out / "part-*.parquet"))]
    dropped = [(r["id"], r["reason"]) for r in read_documents(str(out / "dropped" / "*.parquet"))]
    assert kept == ["github/acme/tool/src/m1.py"]
    assert dropped == [("github/acme/tool/src/m0.py", "short")]
    stats = json.loads((out / "_stats.json").read_text())["counters"]
    assert stats["dropped.short"] == 1 and stats["kept"] == 1


def test_licence_files_are_dropped_with_their_reason(tmp_path: Path) -> None:
    # real: kjd/idna's LICENSE.md and attrs' docs/license.md were kept as Markdown
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    mit = ("MIT License\n\nCopyright (c) 2015 Hynek Schlawack and the attrs contributors\n\n"
           "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
           'of this software and associated documentation files (the "Software").\n')  # fmt: skip
    (inputs / "rows.jsonl").write_bytes(
        row(0) + row(1, path="LICENSE.md", content=mit)
        + row(2, path="docs/license.md", content="# License\n\n" + mit)
    )  # fmt: skip
    manifest = tmp_path / "m.yaml"
    manifest.write_text(yaml.safe_dump({
        "run_dir": str(tmp_path / "run"),
        "sources": {"github": {"inputs": [str(inputs / "*")]}},
    }))  # fmt: skip
    result = fleece("github", "--manifest", str(manifest), "--keep-dropped")
    assert result.returncode == 0, result.stderr[-3000:]
    out = tmp_path / "run" / "github"
    kept = [r["id"] for r in read_documents(str(out / "part-*.parquet"))]
    dropped = {r["id"]: r["reason"] for r in read_documents(str(out / "dropped" / "*.parquet"))}
    assert kept == ["github/acme/tool/src/m0.py"]
    assert dropped == {"github/acme/tool/LICENSE.md": "licence_file",
                       "github/acme/tool/docs/license.md": "licence_file"}  # fmt: skip
    stats = json.loads((out / "_stats.json").read_text())["counters"]
    assert stats["dropped.licence_file"] == 2
