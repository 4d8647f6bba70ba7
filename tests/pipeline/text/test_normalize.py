"""The dedup and language-model normalisations and the line hash, pinned on hand-written
strings (accents, digits, Unicode punctuation, control characters, empty lines)."""

from __future__ import annotations

import random
import string

import pytest

from pipeline.sample.commoncrawl import BOILERPLATE
from pipeline.text.hashing import line_hash, text_hash
from pipeline.text.normalize import dedup_form, lm_form, strip_accents


@pytest.mark.parametrize(
    ("line", "form"),
    [
        ("  Skip to Main Content  ", "skip to main content"),
        ("Skip to main content»", "skip to main content"),
        ("Items in cart: 7 | Total: $4.50", "items in cart 0 | total $000"),
        ("Posted on 02/07/2018 by admin.", "posted on 00000000 by admin"),
        ("Share this; Facebook. Twitter. Email", "share this facebook twitter email"),
        ("COPYRIGHT © 2018 ALL RIGHTS RESERVED!", "copyright © 0000 all rights reserved"),
        ("Ünïcödé accents stay: Ça va?", "ünïcödé accents stay ça va"),
        ("「全角」，句読点。", "全角句読点"),  # CJK marks are punctuation too
        ("Arabic-Indic digits ٣٤ and full-width １２", "arabicindic digits 00 and fullwidth 00"),
        ("አንቀጽ ፩ and x² or ①", "አንቀጽ 0 and x0 or 0"),  # digits \d misses
        ("tab\tand\x00nul\x7fdel\x85nel", "tabandnuldelnel"),
        ("a — b – c … d", "a b c d"),  # dashes and ellipsis gone, spaces collapsed
        ("", ""),
        ("   ", ""),
        ("-- ... !!", ""),
    ],
)
def test_dedup_form(line: str, form: str) -> None:
    assert dedup_form(line) == form


def test_every_planted_boilerplate_family_has_one_dedup_form() -> None:
    for family, variants in BOILERPLATE.items():
        assert len({dedup_form(v) for v in variants}) == 1, family


@pytest.mark.parametrize(
    ("line", "form"),
    [
        ("  Ça, c'est «Noël» à 10h30…  ", 'ca, c\'est "noel" a 00h00...'),
        ("Ångström — 1,5 Å", "angstrom  -  0,0 a"),
        ("ＦＵＬＬ？（ｙｅｓ）！", "ｆｕｌｌ?(ｙｅｓ)!"),  # cc_net maps the marks, not the letters
        ("tab\there\x0bvt", "tabherevt"),
        ("Straße № 5", "straße № 0"),
        ("", ""),
    ],
)
def test_lm_form(line: str, form: str) -> None:
    assert lm_form(line) == form


def test_strip_accents() -> None:
    assert strip_accents("crème brûlée, señor, Dvořák") == "creme brulee, senor, Dvorak"
    assert strip_accents("plain ascii") == "plain ascii"


def test_line_hash_is_cc_nets_sha1_prefix_of_the_dedup_form() -> None:
    # the values sha1sum gives for the forms (first 8 bytes, little-endian, signed)
    assert line_hash("Skip to Main Content") == 0x33594EFEB12972F9
    assert line_hash("Items in cart: 3 | Total: $9.99") == 0x36454889FAA8F02B
    assert line_hash("Copyright © 2021 All Rights Reserved") == 0xBF8BE0BDD3F8BD72 - (1 << 64)
    assert text_hash("copyright © 0000 all rights reserved") == line_hash(
        "COPYRIGHT © 2018 ALL RIGHTS RESERVED!"
    )
    assert line_hash("   ") is None
    assert line_hash("…") is None


def test_the_ascii_fast_path_agrees_with_the_general_one() -> None:
    rng = random.Random(0)
    alphabet = string.printable + "\x00\x01\x1c\x1f\x7f"
    for _ in range(20000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        # a trailing no-break space sends the line down the general path and is stripped there
        assert dedup_form(line) == dedup_form(line + "\u00a0"), repr(line)
