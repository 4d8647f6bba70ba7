"""`sources.<name>.rules`: the generic rules (pipeline/rules/document.py) a source's stage
applies to its final documents, switched on from the manifest without code.

A rule is off while its key is null, the default, so a manifest that names none changes
nothing; a mapping of its parameters switches it on (`{}` takes their defaults):

    sources:
      books:
        rules:
          min_chars: {chars: 1000}
          max_replacement_share: {share: 0.01}

One key per rule, so an unknown rule or parameter, or a value out of bounds, fails at
manifest load with its key path (`sources.books.rules.min_chars.chars: must be at least 1`),
and `fleece config --defaults` lists every rule. They run in the order of the fields below,
after the stage's own rules. Standard library and `settings` only: every source's config.py
imports this, and `fleece --help` reads the configs.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from settings import BYTES_MAX, param


@dataclasses.dataclass
class NotEmptyRule:
    """`not_empty` has no parameters: `not_empty: {}` switches it on."""


@dataclasses.dataclass
class MinCharsRule:
    chars: int = param(
        300, "documents shorter than this many characters go (cc_net: 300)", min=1, max=BYTES_MAX
    )


@dataclasses.dataclass
class MaxReplacementShareRule:
    share: float = param(
        0.01, "documents with a larger share of U+FFFD (undecodable bytes) go", min=0, max=1
    )


@dataclasses.dataclass
class RulesConfig:
    not_empty: NotEmptyRule | None = param(
        None, "drop documents with nothing but white space (dropped.empty); {} switches it on"
    )
    min_chars: MinCharsRule | None = param(
        None, "drop documents shorter than `chars` characters (dropped.short), e.g. {chars: 300}"
    )
    max_replacement_share: MaxReplacementShareRule | None = param(
        None,
        "drop documents whose text has more than a `share` of U+FFFD characters "
        "(dropped.replacement_chars), e.g. {share: 0.01}",
    )


def rules_field() -> Any:
    """The `rules` field of a source's config dataclass: every source declares it alike."""
    return param(
        RulesConfig(),
        "generic rules applied to the final documents, after the stage's own (null: off)",
    )
