"""realtext.github's pure parts: export rows of a source tree, the duplicate groups and the
licence-header check its figures rest on."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from pipeline.sources.github.jsonl import read_github
from realtext.github import copyright_in_head, duplicate_groups, is_licence_file, tree_rows


def test_a_tree_becomes_export_rows_the_stage_reads_binary_files_left_out(tmp_path: Path) -> None:
    root = tmp_path / "pkg-1.0"
    (root / "src").mkdir(parents=True)
    (root / "src" / "a.py").write_text("print('é')\n", encoding="utf-8")
    (root / "LICENSE").write_text("MIT License\n")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    rows = list(tree_rows(root, "owner/pkg", "mit"))
    assert [r["path"] for r in rows] == ["LICENSE", "src/a.py"]
    assert rows[1] == {"repo_name": "owner/pkg", "path": "src/a.py", "content": "print('é')\n",
                       "license": "mit", "size": 12}  # fmt: skip
    export = tmp_path / "export.jsonl.gz"
    with gzip.open(export, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(row) + "\n" for row in rows)
    with open(export, "rb") as stream:  # the reader unzips
        read = list(read_github(stream, str(export), 1 << 20))
    assert [(r.id, r.license) for r in read] == [
        ("github/owner/pkg/LICENSE", "mit"), ("github/owner/pkg/src/a.py", "mit")
    ]  # fmt: skip


def test_duplicate_groups_hold_the_ids_of_one_content_smallest_first() -> None:
    rows = [
        {"repo_name": "pypa/pip", "path": "src/pip/_vendor/idna/core.py", "content": "x = 1\n"},
        {"repo_name": "kjd/idna", "path": "idna/core.py", "content": "x = 1\n"},
        {"repo_name": "kjd/idna", "path": "idna/codec.py", "content": "y = 2\n"},
    ]
    assert duplicate_groups(rows) == [
        ["github/kjd/idna/idna/core.py", "github/pypa/pip/src/pip/_vendor/idna/core.py"]
    ]


def test_licence_files_by_name() -> None:
    assert is_licence_file("LICENSE.txt") and is_licence_file("docs/license.md")
    assert is_licence_file("COPYING") and is_licence_file("NOTICE")
    assert not is_licence_file("src/terms.py")


def test_a_copyright_comment_in_the_head_counts_a_mention_in_code_does_not() -> None:
    assert copyright_in_head({"text": "#!/bin/sh\n# Copyright 2020 A. Person\necho hi\n"})
    assert copyright_in_head({"text": "/*\n * Copyright (c) 2019 B\n */\nint x;\n"})
    assert not copyright_in_head({"text": 'copyright = "2014 Pallets"\n'})
    assert not copyright_in_head({"text": '__all__ = ["__copyright__"]\n'})
    assert not copyright_in_head({"text": "x = 1\n" * 40 + "# Copyright 2020\n"})
