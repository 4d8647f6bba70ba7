"""Leading licence comments go, for each comment syntax; other leading comments stay."""

from __future__ import annotations

import pytest

from pipeline.sources.github.headers import strip_licence_header

CODE = {"c": "int main(void) { return 0; }\n", "py": "import os\n", "sql": "SELECT 1;\n",
        "html": "<p>hi</p>\n", "lua": "local x = 1\n", "hs": "main = print 1\n",
        "tex": "\\section{A}\n", "asm": "mov eax, 1\n", "bat": "echo on\n", "vb": "Dim x\n"}  # fmt: skip


@pytest.mark.parametrize(
    ("path", "header"),
    [
        ("a.c", "/*\n * Copyright (c) 2020 A\n * Licensed under the Apache License 2.0\n */\n"),
        ("a.c", "// SPDX-License-Identifier: MIT\n// Copyright 2021 B\n\n"),
        (
            "a.py",
            "# Copyright 2019 C. All rights reserved.\n# Use is governed by a BSD license.\n\n",
        ),
        ("a.py", '"""\nCopyright 2018 D\nLicensed under the MIT License.\n"""\n'),
        ("a.sql", "-- Copyright 2017 E\n-- MIT licence\n"),
        ("a.html", "<!-- Copyright 2016 F, all rights reserved -->\n"),
        ("a.lua", "--[[ Copyright 2015 G\n MIT License ]]\n"),
        ("a.hs", "{- Copyright 2014 H, BSD-3-Clause license -}\n"),
        ("a.tex", "% Copyright 2013 I\n% LaTeX Project Public License\n"),
        ("a.asm", ";; Copyright 2012 J\n;; Permission is hereby granted, free of charge\n"),
        ("a.bat", "REM Copyright 2011 K\n"),
        ("a.vb", "' Copyright 2010 L\n"),
    ],
)
def test_a_licence_header_goes_in_every_syntax(path: str, header: str) -> None:
    code = CODE[path.rsplit(".", 1)[1]]
    assert strip_licence_header(header + code, path) == (code, True)


def test_a_copyright_line_then_a_licence_block_both_go() -> None:
    text = "// Copyright 2020 A\n\n/* Licensed under the Apache License */\n\nint x;\n"
    assert strip_licence_header(text, "x.c") == ("int x;\n", True)


def test_other_leading_comments_and_the_interpreter_line_stay() -> None:
    doc = '"""Helpers to parse records."""\n\nimport os\n'
    assert strip_licence_header(doc, "m.py") == (doc, False)
    go = "// Package cache keeps entries.\npackage cache\n"
    assert strip_licence_header(go, "cache.go") == (go, False)
    script = "#!/bin/sh\n# Copyright 2020 A, MIT license\n\necho hi\n"
    assert strip_licence_header(script, "run.sh") == ("#!/bin/sh\necho hi\n", True)
    # the licence comment goes, the doc comment after it stays
    both = "# Copyright 2020 A. MIT License.\n\n# Tools for the build.\nimport os\n"
    assert strip_licence_header(both, "t.py") == ("# Tools for the build.\nimport os\n", True)


def test_unknown_syntax_and_unclosed_comments_are_left_alone() -> None:
    assert strip_licence_header("Copyright 2020\n", "notes.unknown") == ("Copyright 2020\n", False)
    unclosed = "/* Copyright 2020 A\nint x;\n"
    assert strip_licence_header(unclosed, "a.c") == (unclosed, False)
    assert strip_licence_header("# Copyright A\nall: x\n", "Makefile") == ("all: x\n", True)


def test_what_stands_above_a_licence_in_real_files_stays() -> None:
    # seen in installed packages (torch, numpy, pyarrow): a directive, a docstring, a guard
    licence = "# Copyright (c) Meta Platforms, Inc. All rights reserved.\n# BSD-style license.\n\n"
    text = "# mypy: allow-untyped-defs\n\n" + licence + "import os\n"
    assert strip_licence_header(text, "a.py") == ("# mypy: allow-untyped-defs\n\nimport os\n", True)
    doc = '"""Compare versions."""\n\n'
    assert strip_licence_header(doc + licence + "import re\n", "v.py") == (
        doc + "import re\n",
        True,
    )
    guard = "#ifndef DATE_H\n#define DATE_H\n\n"
    mit = "// The MIT License (MIT)\n//\n// Copyright (c) 2015 H. Hinnant\n\n"
    assert strip_licence_header(guard + mit + "int x;\n", "date.h") == (guard + "int x;\n", True)
    note = "// Vendored from git tag v2021.02.15.00\n\n"
    block = "/*\n * Copyright (c) Facebook, Inc.\n * Licensed under the Apache License\n */\n"
    assert strip_licence_header(note + block + "int y;\n", "q.h") == (note + "int y;\n", True)
