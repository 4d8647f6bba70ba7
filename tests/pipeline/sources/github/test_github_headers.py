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


def test_a_licence_comment_that_also_describes_the_file_keeps_the_description() -> None:
    # real: numpy's f2py modules, pybind11's headers and torch's vendored kernels put a
    # description and the licence in one comment; only the licence paragraphs go
    docstring = (
        '#!/usr/bin/env python3\n"""\nC declarations, CPP macros, and C functions for f2py2e.\n'
        "\nCopyright 1999 -- 2011 Pearu Peterson all rights reserved.\n"
        "Permission to use, modify, and distribute this software is given under the\n"
        "terms of the NumPy License.\n\nNO WARRANTY IS EXPRESSED OR IMPLIED.\n"
        '"""\nimport sys\n'
    )
    assert strip_licence_header(docstring, "cfuncs.py") == (
        '#!/usr/bin/env python3\n"""\nC declarations, CPP macros, and C functions for f2py2e.\n'
        '"""\nimport sys\n',
        True,
    )
    block = (
        "/*\n    pybind11/cast.h: Partial template specializations to cast between\n"
        "    C++ and Python types\n\n    Copyright (c) 2016 Wenzel Jakob\n\n"
        "    All rights reserved. Use of this source code is governed by a\n"
        "    BSD-style license that can be found in the LICENSE file.\n*/\n\n#pragma once\n"
    )
    assert strip_licence_header(block, "cast.h") == (
        "/*\n    pybind11/cast.h: Partial template specializations to cast between\n"
        "    C++ and Python types\n*/\n\n#pragma once\n",
        True,
    )
    lines = "# Copyright (c) 2026, Tri Dao.\n#\n# Ampere GEMM using warp-level MMA.\n\nimport os\n"
    assert strip_licence_header(lines, "gemm.py") == (
        "# Ampere GEMM using warp-level MMA.\n\nimport os\n",
        True,
    )
    # a name or two beside the licence is not a description: the comment goes whole
    author = "/*\n * Copyright (c) 2020 A\n *\n * Author: Bob\n */\nint y;\n"
    assert strip_licence_header(author, "a.c") == ("int y;\n", True)
    zlib = (
        "/*\n   This file is part of callgrind, a valgrind tool.\n\n   Copyright (C) 2003 J. W.\n"
        "\n   2. The origin of this software must not be misrepresented.\n\n"
        "   4. The name of the author may not be used to endorse or promote products.\n*/\n"
    )
    assert strip_licence_header(zlib + "int z;\n", "callgrind.h") == (
        "/*\n   This file is part of callgrind, a valgrind tool.\n*/\nint z;\n",
        True,
    )


def test_markdown_front_matter_stays_above_a_licence_comment() -> None:
    # real: Apache Beam's YAML docs open with Jekyll front matter, then the ASF licence
    front = '---\ntype: languages\ntitle: "Beam YAML"\n---\n'
    licence = "<!--\n    Licensed to the Apache Software Foundation (ASF) under one\n-->\n\n"
    assert strip_licence_header(front + licence + "# Beam YAML\n", "docs/yaml.md") == (
        front + "# Beam YAML\n",
        True,
    )
