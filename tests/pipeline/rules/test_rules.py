"""The generic rules (pipeline/rules/document.py) on inline strings, each asserting its
reason, and the table that turns a `rules` section into steps."""

from __future__ import annotations

import dataclasses
import typing

from pipeline.counters import Tally
from pipeline.documents import Document
from pipeline.rules.config import MinCharsRule, NotEmptyRule, RulesConfig
from pipeline.rules.document import (
    RULES,
    MaxReplacementShare,
    MinChars,
    NotEmpty,
    configured_rules,
)
from pipeline.steps import Dropped, run_steps


def doc(text: str, **meta: object) -> Document:
    return Document(id="test/1", source="test", text=text, meta=meta)


def test_not_empty_drops_white_space_only() -> None:
    assert NotEmpty()(doc(" \n\t ")) == Dropped("empty")
    kept = doc(" x ")
    assert NotEmpty()(kept) is kept


def test_min_chars_drops_short_text_with_its_reason() -> None:
    assert MinChars(5)(doc("four")) == Dropped("short")
    assert MinChars(5, "empty")(doc("")) == Dropped("empty")  # wikipedia's body rule
    kept = doc("fives")
    assert MinChars(5)(kept) is kept


def test_max_replacement_share_counts_u_fffd_in_the_text_or_reads_the_readers_share() -> None:
    assert MaxReplacementShare(0.1)(doc("ab\ufffd")) == Dropped("replacement_chars")
    kept = doc("abcdefghi\ufffd")  # exactly 10%: kept
    assert MaxReplacementShare(0.1)(kept) is kept
    measured = doc("clean now", replacement_share=0.02)  # books: measured on the whole file
    assert MaxReplacementShare(0.001, meta_key="replacement_share")(measured) == Dropped(
        "replacement_chars"
    )
    assert MaxReplacementShare(0.001)(measured) is measured


def test_every_configurable_rule_has_a_step_whose_fields_are_its_parameters() -> None:
    hints = typing.get_type_hints(RulesConfig)
    assert list(hints) == list(RULES)
    for name, hint in hints.items():
        (parameters,) = [t for t in typing.get_args(hint) if t is not type(None)]
        step_fields = {f.name for f in dataclasses.fields(RULES[name])}
        assert {f.name for f in dataclasses.fields(parameters)} <= step_fields, name


def test_configured_rules_are_the_ones_switched_on_in_field_order() -> None:
    assert configured_rules(RulesConfig()) == []
    config = RulesConfig(min_chars=MinCharsRule(chars=10), not_empty=NotEmptyRule())
    steps = configured_rules(config)
    assert steps == [NotEmpty(), MinChars(10)]
    tally = Tally()
    assert run_steps(doc("  "), steps, tally)[1] == Dropped("empty")
    assert run_steps(doc("short"), steps, tally)[1] == Dropped("short")
    assert tally == {"dropped.empty": 1, "dropped.short": 1}
