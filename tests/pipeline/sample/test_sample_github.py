"""The GitHub JSONL parses (bar the planted bad line) and RedPajama's rules give the truth."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from pipeline.sample import write_sample

WHITELIST = set(
    ".asm .bat .cmd .c .h .cs .cpp .hpp .c++ .h++ .cc .hh .C .H .cmake .css .dockerfile .f90 .f "
    ".f03 .f08 .f77 .f95 .for .fpp .go .hs .html .java .js .jl .lua .md .markdown .php .php3 "
    ".php4 .php5 .phps .phpt .pl .pm .pod .perl .ps1 .psd1 .psm1 .py .rb .rs .sql .scala .sh "
    ".bash .command .zsh .ts .tsx .tex .vb .xml .rst .m .smali".split()
)
LICENCES = ("mit", "apache-2.0", "bsd-3-clause", "bsd-2-clause")
# LICENSE.md, docs/license.md, LICENSE-MIT.md, COPYING.markdown, NOTICE.md: the name without
# its Markdown extension, in any case, is a licence file's
LICENCE_FILE = re.compile(
    r"(license|licence|copying|copying\.lesser|copyright|unlicense|notice)([-_][a-z0-9]+)?"
    r"(\.md|\.markdown)?"
)


def verdict(row: dict) -> str:
    if row["license"] not in LICENCES:
        return "drop:license"
    name = row["path"].rsplit("/", 1)[-1]
    extension = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if extension not in WHITELIST and name not in ("Dockerfile", "Makefile"):
        return "drop:extension"
    if LICENCE_FILE.fullmatch(name.lower()):
        return "drop:licence_file"
    content = row["content"]
    lines = content.splitlines()
    if max(map(len, lines)) > 1000:
        return "drop:max_line"
    if len(content) / len(lines) > 100:
        return "drop:mean_line"
    if sum(ch.isalnum() for ch in content) / len(content) < 0.25:
        return "drop:alnum"
    if sum(ch.isalpha() for ch in content) / len(content.split()) < 1.5:
        return "drop:alpha_per_token"
    return "keep"


def read_rows(sample_dir: str, truth: dict) -> tuple[dict, list]:
    rows, malformed = {}, []
    for info in truth["files"]:
        with gzip.open(f"{sample_dir}/{info['file']}", "rt", encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    malformed.append({"file": info["file"], "line": number})
                    continue
                rows[f"github/{row['repo_name']}/{row['path']}"] = (row, number)
    return rows, malformed


def test_rows_and_rules(sample_dir, ground_truth):
    truth = ground_truth["github"]
    rows, malformed = read_rows(sample_dir, truth)
    assert malformed == truth["malformed_lines"]
    assert set(rows) == set(truth["rows"])
    for row_id, (row, number) in rows.items():
        expected = truth["rows"][row_id]
        assert set(row) == {"repo_name", "path", "content", "license", "size"}
        assert row["size"] == len(row["content"].encode("utf-8"))
        assert number == expected["line"]
        if expected["expected"] != "drop:duplicate":
            assert verdict(row) == expected["expected"], row_id
    reasons = {r["expected"] for r in truth["rows"].values()}
    assert reasons == {
        "keep",
        "drop:license",
        "drop:extension",
        "drop:licence_file",
        "drop:max_line",
        "drop:mean_line",
        "drop:alnum",
        "drop:alpha_per_token",
        "drop:duplicate",
    }


def test_the_planted_licence_files_hold_licence_text(sample_dir, ground_truth):
    truth = ground_truth["github"]
    rows, _ = read_rows(sample_dir, truth)
    planted = [i for i, row in truth["rows"].items() if row["expected"] == "drop:licence_file"]
    names = {rows[i][0]["path"] for i in planted}
    assert names == {"LICENSE.md", "docs/license.md", "LICENSE-MIT.md", "COPYING.markdown",
                     "NOTICE.md"}  # fmt: skip
    for row_id in planted:
        row = rows[row_id][0]
        # only the licence_file rule drops them: their licence and extension are kept
        assert row["license"] in LICENCES and "Copyright" in row["content"], row_id
    kept = [i for i, (row, _) in rows.items() if "licence" in row["path"] and i not in planted]
    assert [truth["rows"][i]["expected"] for i in kept] == ["keep"]  # licence_check.py


def test_duplicates_and_headers(sample_dir, ground_truth):
    truth = ground_truth["github"]
    rows, _ = read_rows(sample_dir, truth)
    assert truth["duplicate_groups"]
    for group in truth["duplicate_groups"]:
        assert len({rows[row_id][0]["content"] for row_id in group}) == 1
        assert [truth["rows"][r]["expected"] for r in group] == ["keep"] + ["drop:duplicate"] * (
            len(group) - 1
        )
    assert len(truth["licence_headers"]) >= 4
    for row_id, header in truth["licence_headers"].items():
        content = rows[row_id][0]["content"]
        # a licence comment, under a preamble that must stay half the time
        first = content.split("\n", 1)[0]
        assert first.startswith(
            ("/*", "// SPDX", "# Copyright", "# mypy:", "#ifndef", "// Vendored", "# Keeps")
        )
        if "description" in header:
            assert header["description"] in content.split("Copyright", 1)[0]
        code = content.split(header["code_starts_with"], 1)
        assert len(code) == 2 and "Copyright" in code[0] and "Copyright" not in code[1]


def test_one_source_alone_gives_the_same_files(sample_dir, ground_truth, tmp_path):
    alone = write_sample(str(tmp_path), scale=1, seed=0, only=["github"])
    assert set(alone) == {"scale", "seed", "github"} and alone["github"] == ground_truth["github"]
    for path in sorted(Path(sample_dir, "github").iterdir()):
        assert (tmp_path / "github" / path.name).read_bytes() == path.read_bytes()
