"""The GitHub rules as a chain, on rows shaped as real exports have them."""

from __future__ import annotations

from pipeline.counters import Tally
from pipeline.rules.config import MaxReplacementShareRule, RulesConfig
from pipeline.sources.github.config import GithubConfig
from pipeline.sources.github.jsonl import GithubRow
from pipeline.sources.github.rules import (
    ALPHABETIC,
    ALPHANUMERIC,
    alphabetic_count,
    alphanumeric_count,
    is_licence_file,
)
from pipeline.sources.github.stage import row_document, row_steps
from pipeline.steps import run_steps

APACHE = (
    "# Licensed to the Apache Software Foundation (ASF) under one\n"
    "# or more contributor license agreements.\n#\n"
    "#    http://www.apache.org/licenses/LICENSE-2.0\n"
)


MIT = (
    "MIT License\n\nCopyright (c) 2013-2024 Kim Davies\n\n"
    "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
    'of this software and associated documentation files (the "Software"), to deal\n'
    "in the Software without restriction, including without limitation the rights\n"
)


def outcome(
    path: str, content: str, license_name: str = "apache-2.0", config: GithubConfig | None = None
) -> str:
    row = GithubRow(line=1, repo_name="apache/beam", path=path, content=content,
                    license=license_name)  # fmt: skip
    steps = row_steps(config or GithubConfig())
    doc, dropped = run_steps(row_document(row), steps, Tally())
    return dropped.reason if dropped else "keep"


def test_a_file_that_is_only_its_licence_header_is_empty() -> None:
    # real: many Apache projects' __init__.py hold the licence header and nothing else
    assert outcome("apache_beam/io/__init__.py", APACHE + "\n") == "empty"
    assert outcome("apache_beam/io/util.py", APACHE + "\nimport os\nprint(os.sep)\n") == "keep"


def test_the_rules_in_their_order() -> None:
    code = "def total(values):\n    return sum(values)\n"
    assert outcome("a.py", code, "gpl-3.0") == "license"
    assert outcome("a.json", code) == "extension"
    assert outcome("Makefile", "all:\n\tcc -o app main.c\n") == "keep"
    assert outcome("a.py", "x = 1\n" + "y" * 1001 + "\n") == "max_line"
    assert outcome("a.py", ("z" * 150 + "\n") * 3) == "mean_line"
    assert outcome("a.sh", "#" * 40 + "\n" + "=-" * 30 + "\n") == "alnum"
    assert outcome("a.py", "0, 1, 2, 3, 4, 5, 6, 7, 8, 9\n" * 5) == "alpha_per_token"


def test_licence_files_go_though_their_extension_is_on_the_list() -> None:
    # real: kjd/idna's LICENSE.md and attrs' docs/license.md passed as Markdown
    for path in ("LICENSE.md", "docs/license.md", "LICENSE-MIT.md", "COPYING.markdown",
                 "Licence_BSD.md", "NOTICE.md"):  # fmt: skip
        assert outcome(path, MIT) == "licence_file", path
    assert outcome("README.md", MIT) == "keep"
    assert outcome("LICENSE.md", MIT, "gpl-3.0") == "license"  # the licence rule comes first
    assert outcome("LICENSE.txt", MIT) == "extension"  # and the extension rule
    assert outcome("LICENSE.md", MIT, config=GithubConfig(licence_files=[])) == "keep"


def test_licence_file_names_in_every_shape_and_code_that_only_sounds_like_one() -> None:
    stems = frozenset(stem.lower() for stem in GithubConfig().licence_files)
    for path in ("LICENSE", "licence", "COPYING", "COPYING.LESSER", "COPYING.LESSER.txt",
                 "COPYRIGHT.rst", "UNLICENSE", "NOTICE.txt", "LICENSE-APACHE", "LICENSE-MIT",
                 "LICENCE_BSD", "LICENSE-APACHE-2.0.txt",
                 "src/pip/_vendor/six.LICENSE"):  # fmt: skip
        assert is_licence_file(path, stems), path
    for path in ("src/license.py", "licenses.md", "tools/license_check.go", "notice_board.js",
                 "docs/licensing.md", "copyright_header.c", "README.md"):  # fmt: skip
        assert not is_licence_file(path, stems), path


def test_letter_and_digit_counts_agree_with_unicode_classes_on_any_text() -> None:
    # The ASCII fast path must count what the \w-based patterns count, and non-ASCII code
    # (identifiers in Cyrillic, Arabic digits, accented comments) takes the patterns.
    texts = [
        "def f_1(x):\n    return x * 2  # ok\n",
        "naïve = 'café'  # résumé\n",
        "число = 42\nرقم = ٣\n",
        "___ 123 ___\t\n",
        "",
    ]
    for text in texts:
        assert alphanumeric_count(text) == ALPHANUMERIC.subn("", text)[1], text
        assert alphabetic_count(text) == ALPHABETIC.subn("", text)[1], text
    assert alphanumeric_count("f_1(x)") == 3
    assert alphabetic_count("число = ٣") == 5


def test_a_generic_rule_switched_on_in_the_config_runs_after_the_github_rules() -> None:
    rules = RulesConfig(max_replacement_share=MaxReplacementShareRule(share=0.01))
    steps = row_steps(GithubConfig(rules=rules))
    row = GithubRow(line=1, repo_name="a/b", path="m.py", license="mit",
                    content="NAME = 'caf\ufffd'\nOTHER = 'value'\n")  # fmt: skip
    assert run_steps(row_document(row), steps, Tally())[1].reason == "replacement_chars"
    assert run_steps(row_document(row), row_steps(GithubConfig()), Tally())[1] is None
