"""`sources.<name>.rules` in a manifest: every source has the section, off by default; a
good mapping switches rules on with their parameters; an unknown rule or parameter, or a
bad value, fails at load naming its key path."""

from __future__ import annotations

import pytest

from pipeline.config import load_manifest_text
from pipeline.registry import sources
from pipeline.rules.config import MaxReplacementShareRule, MinCharsRule, RulesConfig
from pipeline.rules.document import MaxReplacementShare, MinChars, configured_rules
from settings import ConfigError


def test_every_source_has_a_rules_section_with_every_rule_off() -> None:
    run = load_manifest_text("")
    for spec in sources():
        rules = getattr(run.sources, spec.name).rules
        assert rules == RulesConfig() and configured_rules(rules) == [], spec.name


def test_a_mapping_switches_rules_on_with_their_parameters() -> None:
    run = load_manifest_text(
        "sources:\n"
        "  books:\n"
        "    rules:\n"
        "      min_chars: {chars: 1000}\n"
        "      max_replacement_share: {share: 0.01}\n"
        "  github:\n"
        "    rules: {min_chars: {}}\n"
    )
    books = run.sources.books.rules
    assert books.min_chars == MinCharsRule(chars=1000) and books.not_empty is None
    assert books.max_replacement_share == MaxReplacementShareRule(share=0.01)
    assert configured_rules(books) == [MinChars(1000), MaxReplacementShare(0.01)]
    assert configured_rules(run.sources.github.rules) == [MinChars(300)]  # {}: the default
    assert run.sources.arxiv.rules == RulesConfig()


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("{min_chr: {chars: 3}}", r"sources\.books\.rules\.min_chr: unknown key \(did you mean min_chars\?\)$"),
        ("{min_chars: {length: 3}}", r"sources\.books\.rules\.min_chars\.length: unknown key$"),
        ("{min_chars: {chars: ten}}", r"sources\.books\.rules\.min_chars\.chars: expected an integer"),
        ("{min_chars: {chars: 0}}", r"sources\.books\.rules\.min_chars\.chars: must be at least 1"),
        ("{max_replacement_share: {share: 2}}", r"sources\.books\.rules\.max_replacement_share\.share: must be at most 1"),
        ("{not_empty: true}", r"sources\.books\.rules\.not_empty: expected a mapping"),
        ("[min_chars]", r"sources\.books\.rules: expected a mapping"),
    ],
)  # fmt: skip
def test_unknown_rules_and_bad_parameters_fail_at_load_with_their_key_path(
    rules: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=f"^{message}"):
        load_manifest_text(f"sources: {{books: {{rules: {rules}}}}}")
