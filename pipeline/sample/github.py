"""GitHub sample: BigQuery-export JSONL rows {"repo_name", "path", "content", "license", "size"}.

Ground truth `rows[id].expected` is `keep` or `drop:<reason>` under the default rules, with
the github stage's reason tokens: license (only mit, apache-2.0, bsd-2-clause, bsd-3-clause
kept), extension (RedPajama's whitelist; the file names Dockerfile and Makefile count),
max_line (a line > 1000), mean_line (> 100), alnum (alphanumeric share < 0.25),
alpha_per_token (< 1.5 alphabetic characters per whitespace-separated token), duplicate
(same content as a row with a smaller id), licence_file (a licence or copyright notice
file: the rows LICENSE.md, docs/license.md, LICENSE-MIT.md, COPYING.markdown and NOTICE.md
under kept licences, appended to the last file from their own random stream, beside a
`licence_check.py` that must stay). Rows in
`licence_headers` start with licence/copyright comments that must be stripped, half of them
under a preamble that must stay (`# mypy:` line, include guard, vendoring note): the cleaned
content must not contain "Copyright" and must still contain `code_starts_with` (and the
`description` where the licence comment also describes the file).
One line in the middle of the first file is malformed JSON (`malformed_lines`).
Ids are "github/<repo_name>/<path>".
"""

from __future__ import annotations

import gzip
import json
import os
import random

from pipeline.sample import lexicon
from pipeline.sample.seeding import rng_for

FILES_PER_SCALE = 2
ROWS_PER_FILE = 100
# Files: two per scale unit up to this many, then longer files (a BigQuery export shard
# holds many thousand rows; hundreds of 100-row files would measure file opening)
MAX_FILES = 32
KEPT_LICENCES = ("mit", "apache-2.0", "bsd-3-clause", "bsd-2-clause")
DROPPED_LICENCES = (
    "gpl-3.0",
    "gpl-2.0",
    "agpl-3.0",
    "lgpl-2.1",
    "mpl-2.0",
    "isc",
    "cc0-1.0",
    "epl-1.0",
    "unlicense",
)
NON_CODE_FILES = (
    "package.json",
    "requirements.txt",
    "config.yml",
    "notebook.ipynb",
    "data.csv",
    "Cargo.lock",
    "LICENSE",
    "pyproject.toml",
)
IDENTIFIERS = lexicon.words(
    "item|value|count|index|buffer|result|config|user|name|path|size|offset|token|node|entry|"
    "record|cache|queue|request|response|handler|state|total|limit|key|parser|reader|writer|"
    "session|message|event|timer|score|width|height|column|row|label|filter|stream"
)
VERBS = lexicon.words(
    "get|set|load|save|parse|read|write|update|build|create|find|check|reset|merge|split|"
    "format|render|apply|collect|compute|validate|normalize|fetch|send|close|open|flush"
)
OWNERS = lexicon.words(
    "acme-labs|jdoe|octo-tools|river-dev|mkowalski|lena-s|bytefarm|northwind|pixel-forge|"
    "t-nakamura|opencrate|hvitsand|quietmoss|ferrous-io"
)


def ident(rng: random.Random, parts: int = 2) -> str:
    return "_".join([rng.choice(VERBS)] + [rng.choice(IDENTIFIERS) for _ in range(parts - 1)])


def camel(rng: random.Random) -> str:
    return rng.choice(VERBS) + "".join(rng.choice(IDENTIFIERS).title() for _ in range(2))


def python_file(rng: random.Random) -> str:
    blocks = [
        f'"""Helpers to {rng.choice(VERBS)} and {rng.choice(VERBS)} '
        f'{rng.choice(IDENTIFIERS)} records."""\n\nimport os\nimport sys\n'
    ]
    for _ in range(rng.randrange(2, 6)):
        name, arg, other = ident(rng), rng.choice(IDENTIFIERS), rng.choice(IDENTIFIERS)
        # Tokenizer code spells the special pieces as text (real repositories do, often): to
        # the corpus tokenizer "<s>" here is three pieces, never the BOS id
        markers = '    markers = ("<s>", "</s>", "<unk>")\n' if name.startswith("parse") else ""
        blocks.append(
            f"def {name}({arg}, {other}=None):\n"
            f'    """Return the {arg} values that match the given {other}."""\n'
            f"{markers}"
            f"    result = []\n"
            f"    for {arg}_item in {arg}:\n"
            f"        if {other} is None or {arg}_item == {other}:\n"
            f"            result.append({arg}_item)\n"
            f"    return result\n"
        )
    blocks.append(f'if __name__ == "__main__":\n    print({ident(rng)}(sys.argv[1:]))\n')
    return "\n\n".join(blocks)


def javascript_file(rng: random.Random) -> str:
    blocks = ["'use strict';\n"]
    for _ in range(rng.randrange(2, 6)):
        name, arg = camel(rng), rng.choice(IDENTIFIERS)
        blocks.append(
            f"function {name}({arg}, options) {{\n"
            f"  const {arg}List = Array.isArray({arg}) ? {arg} : [{arg}];\n"
            f"  return {arg}List.filter((entry) => entry !== undefined)\n"
            f"    .map((entry) => ({{ ...entry, {rng.choice(IDENTIFIERS)}: options.limit }}));\n"
            f"}}\n"
        )
    blocks.append(f"module.exports = {{ {camel(rng)} }};\n")
    return "\n".join(blocks)


def c_file(rng: random.Random) -> str:
    blocks = ["#include <stdio.h>\n#include <stdlib.h>\n"]
    for _ in range(rng.randrange(2, 6)):
        name, arg = ident(rng), rng.choice(IDENTIFIERS)
        blocks.append(
            f"static int {name}(const int *{arg}, size_t length)\n{{\n"
            f"    int total = 0;\n"
            f"    for (size_t i = 0; i < length; i++) {{\n"
            f"        if ({arg}[i] > 0) {{\n            total += {arg}[i];\n        }}\n    }}\n"
            f"    return total;\n}}\n"
        )
    return "\n".join(blocks)


def go_file(rng: random.Random) -> str:
    blocks = [f'package {rng.choice(IDENTIFIERS)}\n\nimport (\n\t"fmt"\n\t"strings"\n)\n']
    for _ in range(rng.randrange(2, 5)):
        name, arg = camel(rng).title(), rng.choice(IDENTIFIERS)
        blocks.append(
            f"// {name} joins the {arg} values with a separator.\n"
            f"func {name}({arg} []string, sep string) string {{\n"
            f'\tif len({arg}) == 0 {{\n\t\treturn fmt.Sprintf("empty %s", sep)\n\t}}\n'
            f"\treturn strings.Join({arg}, sep)\n}}\n"
        )
    return "\n".join(blocks)


def shell_file(rng: random.Random) -> str:
    target = rng.choice(IDENTIFIERS)
    return (
        f'#!/usr/bin/env bash\nset -euo pipefail\n\n{target}_dir="${{1:-./{target}}}"\n'
        f'for file in "${target}_dir"/*; do\n  echo "processing $file"\n'
        f'  {rng.choice(VERBS)}_{target} "$file" || exit 1\ndone\n'
    )


def markdown_file(rng: random.Random) -> str:
    name = camel(rng)
    return (
        f"# {name}\n\nA small library to {rng.choice(VERBS)} {rng.choice(IDENTIFIERS)} "
        f"values and {rng.choice(VERBS)} the results.\n\n## Install\n\n```\n"
        f"pip install {name.lower()}\n```\n\n## Usage\n\nCall `{ident(rng)}()` with a list "
        f"of {rng.choice(IDENTIFIERS)} entries and read the returned value.\n"
    )


def makefile(rng: random.Random) -> str:
    return (
        f"CC ?= gcc\nCFLAGS += -O2 -Wall\n\nall: {rng.choice(IDENTIFIERS)}\n\n"
        f"{rng.choice(IDENTIFIERS)}: main.o util.o\n\t$(CC) $(CFLAGS) -o $@ $^\n\n"
        "clean:\n\trm -f *.o\n"
    )


GENERATORS = (
    ("py", python_file),
    ("js", javascript_file),
    ("c", c_file),
    ("go", go_file),
    ("sh", shell_file),
    ("md", markdown_file),
    ("Makefile", makefile),
)


def licence_header(rng: random.Random, extension: str) -> tuple[str, str, str | None]:
    """(header, style, description): a leading licence comment in the file type's comment
    syntax. Now and then the comment also describes the file (as numpy's, pybind11's and
    torch's do): `description` is then the line of it that must stay."""
    first_name = rng.choice(lexicon.NARRATIVE["names"])
    holder = f"{first_name} {rng.choice(lexicon.EN['syllables']).title()}son"
    year = rng.randrange(2005, 2023)
    described = rng.random() < 0.3
    description = f"Keeps the {ident(rng)} cache in step with the {ident(rng)} build."
    if extension in ("c", "js", "go"):
        if described:
            return (
                f"/*\n * {description}\n *\n * Copyright (c) {year} {holder}\n"
                " * Licensed under the MIT License.\n */\n",
                "described",
                description,
            )
        if rng.random() < 0.5:
            return (
                f"/*\n * Copyright (c) {year} {holder}\n *\n"
                ' * Licensed under the Apache License, Version 2.0 (the "License");\n'
                " * you may not use this file except in compliance with the License.\n"
                " */\n",
                "block",
                None,
            )
        return (
            f"// SPDX-License-Identifier: MIT\n// Copyright (c) {year} {holder}\n\n",
            "line",
            None,
        )
    licence = (
        f"# Copyright {year} {holder}. All rights reserved.\n"
        "# Use of this source code is governed by a BSD-style license that can be\n"
        "# found in the LICENSE file.\n"
    )
    if described:
        return f"# {description}\n#\n{licence}\n", "described", description
    return licence + "\n", "hash", None


def preamble(rng: random.Random, extension: str) -> str:
    """What real files put above their licence comment now and then (seen in installed
    packages): a tool directive, a vendoring note, an include guard. It must stay."""
    if rng.random() < 0.5:
        return ""
    if extension == "py":
        return "# mypy: allow-untyped-defs\n\n"
    if extension == "c":
        guard = f"{ident(rng).upper()}_H"
        return f"#ifndef {guard}\n#define {guard}\n\n"
    if extension in ("js", "go"):
        return f"// Vendored from {rng.choice(OWNERS)}/{camel(rng).lower()} v1.2.0\n\n"
    return ""


def minified_js(rng: random.Random) -> str:
    """A bundle: readable setup code, then one minified line far over 1000 characters."""
    parts = [
        f"function {camel(rng)}(a,b){{return a.{rng.choice(IDENTIFIERS)}+b}}" for _ in range(120)
    ]
    setup = "".join(
        f"var {camel(rng)} = require('./{rng.choice(IDENTIFIERS)}');\n" for _ in range(150)
    )
    return setup + "!function(){" + ";".join(parts) + "}();\n"


def long_lines_sql(rng: random.Random) -> str:
    rows = []
    for i in range(30):
        values = ", ".join(f"'{rng.choice(IDENTIFIERS)}_{rng.randrange(1000)}'" for _ in range(12))
        rows.append(f"INSERT INTO {rng.choice(IDENTIFIERS)}_table VALUES ({i}, {values});")
    return "\n".join(rows) + "\n"


def ascii_banner(rng: random.Random) -> str:
    """Box-drawing art: few alphanumerics, but no spaces, so each line is one long token."""
    lines = ["#" * 60]
    for _ in range(20):
        art = [rng.choice("=-*+|/#") for _ in range(58)]
        for position in rng.sample(range(58), 8):
            art[position] = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        lines.append("#" + "".join(art) + "#")
    lines.append("#" * 60)
    return "\n".join(lines) + "\necho ok\n"


def numeric_data(rng: random.Random) -> str:
    rows = [", ".join(f"{rng.random():.4f}" for _ in range(8)) + "," for _ in range(60)]
    return "DATA = [\n" + "\n".join(rows) + "\n]\n"


def path_for(rng: random.Random, extension: str) -> str:
    directory = rng.choice(("src", "lib", "scripts", "tools", "pkg", ""))
    if extension == "Makefile":
        name = "Makefile"
    else:
        name = f"{ident(rng)}.{extension}" if extension != "md" else "README.md"
    return f"{directory}/{name}" if directory else name


def normal_row(rng: random.Random) -> tuple[str, str]:
    extension, generate = GENERATORS[rng.randrange(len(GENERATORS))]
    return path_for(rng, extension), generate(rng)


def planted_row(rng: random.Random, kind: str) -> tuple[str, str, str, str]:
    """(path, content, licence, expected) for one planted case."""
    licence = rng.choice(KEPT_LICENCES)
    if kind == "licence":
        path, content = normal_row(rng)
        return path, content, rng.choice(DROPPED_LICENCES), "drop:license"
    if kind == "extension":
        name = rng.choice(NON_CODE_FILES)
        content = json.dumps({"name": ident(rng), "version": "1.0.0", "private": True}, indent=2)
        return name, content + "\n", licence, "drop:extension"
    if kind == "minified":
        return f"dist/{camel(rng)}.min.js", minified_js(rng), licence, "drop:max_line"
    if kind == "long_lines":
        return f"db/{ident(rng)}.sql", long_lines_sql(rng), licence, "drop:mean_line"
    if kind == "banner":
        return f"scripts/{ident(rng)}.sh", ascii_banner(rng), licence, "drop:alnum"
    if kind == "numeric":
        return f"data/{ident(rng)}.py", numeric_data(rng), licence, "drop:alpha_per_token"
    raise ValueError(kind)


def mit_text(holder: str, year: int) -> str:
    return (
        f"MIT License\n\nCopyright (c) {year} {holder}\n\n"
        "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
        'of this software and associated documentation files (the "Software"), to deal\n'
        "in the Software without restriction, including without limitation the rights\n"
        "to use, copy, modify, merge, publish, distribute, sublicense, and/or sell\n"
        "copies of the Software, and to permit persons to whom the Software is\n"
        "furnished to do so, subject to the following conditions:\n\n"
        "The above copyright notice and this permission notice shall be included in all\n"
        "copies or substantial portions of the Software.\n"
    )


def bsd_text(holder: str, year: int) -> str:
    return (
        f"Copyright (c) {year}, {holder}\nAll rights reserved.\n\n"
        "Redistribution and use in source and binary forms, with or without\n"
        "modification, are permitted provided that the following conditions are met:\n\n"
        "1. Redistributions of source code must retain the above copyright notice, this\n"
        "   list of conditions and the following disclaimer.\n"
        "2. Redistributions in binary form must reproduce the above copyright notice,\n"
        "   this list of conditions and the following disclaimer in the documentation\n"
        "   and/or other materials provided with the distribution.\n"
    )


def licence_page(holder: str, year: int) -> str:
    """A documentation page that is the licence (attrs' docs/license.md)."""
    return "# License\n\n" + mit_text(holder, year)


def notice_text(holder: str, year: int) -> str:
    return (
        f"{holder} Tools\nCopyright {year} {holder}\n\n"
        "This product includes software developed at\n"
        "The Apache Software Foundation (http://www.apache.org/).\n"
    )


# (path, licence text, the row's licence): licence files whose extensions the whitelist
# keeps, so only the licence_file rule drops them
LICENCE_FILES = (
    ("LICENSE.md", mit_text, "mit"),
    ("docs/license.md", licence_page, "mit"),
    ("LICENSE-MIT.md", mit_text, "mit"),
    ("COPYING.markdown", bsd_text, "bsd-3-clause"),
    ("NOTICE.md", notice_text, "apache-2.0"),
)


def licence_file_rows(seed: int) -> list[tuple[str, str, str, str, str]]:
    """(repo, path, content, licence, expected) of the planted licence files, and of one
    module whose name only sounds like one, from their own stream."""
    rng = rng_for(seed, "github-licence-files")
    rows = []
    for path, text, licence in LICENCE_FILES:
        holder = f"{rng.choice(lexicon.NARRATIVE['names'])} {rng.choice(OWNERS).title()}"
        content = text(holder, rng.randrange(2005, 2023))
        repo = f"{rng.choice(OWNERS)}/{camel(rng).lower()}"
        rows.append((repo, path, content, licence, "drop:licence_file"))
    repo = f"{rng.choice(OWNERS)}/{camel(rng).lower()}"
    rows.append((repo, "src/licence_check.py", python_file(rng), "mit", "keep"))
    return rows


PLANTED = (
    ("licence", 8),
    ("extension", 6),
    ("minified", 2),
    ("long_lines", 2),
    ("banner", 2),
    ("numeric", 2),
    ("header", 8),
    ("duplicate", 5),
)


def unique_repo(repo: str, path: str, seen_ids: set[str]) -> str:
    """`repo`, suffixed where its row's id is taken; the row's id joins `seen_ids`."""
    if f"github/{repo}/{path}" in seen_ids:
        repo = f"{repo}-{len(seen_ids)}"
    seen_ids.add(f"github/{repo}/{path}")
    return repo


def export_line(repo: str, path: str, content: str, licence: str) -> bytes:
    row = {
        "repo_name": repo,
        "path": path,
        "content": content,
        "license": licence,
        "size": len(content.encode("utf-8")),
    }
    return (json.dumps(row) + "\n").encode("utf-8")


def truth_row(name: str, line: int, licence: str, expected: str) -> dict:
    return {"file": f"github/{name}", "line": line, "license": licence, "expected": expected}


def write_github(out_dir: str, scale: int, seed: int) -> dict:
    """Write the JSONL files under `out_dir`; return the "github" ground truth."""
    os.makedirs(out_dir, exist_ok=True)
    rng = rng_for(seed, "github")
    truth: dict = {
        "id_scheme": "github/<repo_name>/<path>",
        "files": [],
        "rows": {},
        "licence_headers": {},
        "duplicate_groups": [],
        "malformed_lines": [],
    }
    seen_ids: set[str] = set()
    earlier: list[tuple[str, str]] = []  # (content, id) that later rows may duplicate
    groups: dict[str, list[str]] = {}
    units = FILES_PER_SCALE * scale
    files = min(units, MAX_FILES)
    for k in range(files):
        name = f"github-{k:05d}.jsonl.gz"
        file_units = units // files + (k < units % files)
        rows = ROWS_PER_FILE * file_units
        kinds = [kind for kind, count in PLANTED for _ in range(count * file_units)]
        kinds += ["normal"] * (rows - len(kinds))
        rng.shuffle(kinds)
        appended = licence_file_rows(seed) if k == files - 1 else []
        with (
            open(os.path.join(out_dir, name), "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out,
        ):
            for line_number, kind in enumerate(kinds, start=1):
                if k == 0 and line_number == ROWS_PER_FILE // 2:
                    out.write(b'{"repo_name": "broken/row", "path": "a.py", "content": "x = 1\n')
                    truth["malformed_lines"].append({"file": f"github/{name}", "line": line_number})
                    continue
                repo = f"{rng.choice(OWNERS)}/{camel(rng).lower()}"
                licence, expected = rng.choice(KEPT_LICENCES), "keep"
                if kind == "duplicate" and earlier:
                    content, original = rng.choice(earlier)
                    path = original.split("/", 3)[3]
                    expected = "duplicate"
                elif kind in ("normal", "duplicate", "header"):
                    path, content = normal_row(rng)
                else:
                    path, content, licence, expected = planted_row(rng, kind)
                if kind == "header":
                    extension = path.rsplit(".", 1)[-1]
                    if extension not in ("py", "js", "c", "go", "sh"):
                        path, extension = path_for(rng, "py"), "py"
                        content = python_file(rng)
                    header, style, description = licence_header(rng, extension)
                    first_code = content.split("\n", 1)[0]
                    content = preamble(rng, extension) + header + content
                repo = unique_repo(repo, path, seen_ids)
                row_id = f"github/{repo}/{path}"
                if kind == "header":
                    truth["licence_headers"][row_id] = {
                        "style": style,
                        "code_starts_with": first_code,
                    }
                    if description is not None:
                        truth["licence_headers"][row_id]["description"] = description
                out.write(export_line(repo, path, content, licence))
                if expected in ("keep", "duplicate"):  # the stage dedups what the rules keep
                    groups.setdefault(content, []).append(row_id)
                if expected == "keep" and len(earlier) < 64:
                    earlier.append((content, row_id))
                truth["rows"][row_id] = truth_row(name, line_number, licence, expected)
            # after the shuffled rows, so that those stay as they were
            for line_number, (repo, path, content, licence, expected) in enumerate(
                appended, start=len(kinds) + 1
            ):
                repo = unique_repo(repo, path, seen_ids)
                row_id = f"github/{repo}/{path}"
                out.write(export_line(repo, path, content, licence))
                if expected == "keep":
                    groups.setdefault(content, []).append(row_id)
                truth["rows"][row_id] = truth_row(name, line_number, licence, expected)
        truth["files"].append({"file": f"github/{name}", "lines": rows + len(appended)})
    for ids in groups.values():
        if len(ids) > 1:
            ordered = sorted(ids)
            truth["duplicate_groups"].append(ordered)
            for row_id in ordered:
                kept = row_id == ordered[0]
                truth["rows"][row_id]["expected"] = "keep" if kept else "drop:duplicate"
    truth["duplicate_groups"].sort()
    return truth
