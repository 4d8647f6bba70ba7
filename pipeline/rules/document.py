"""The generic document rules, one definition each: steps (pipeline.steps' contract) that
read only what every Document has, so any source may apply them.

  NotEmpty              nothing but white space            dropped.empty
  MinChars              fewer than `chars` characters      dropped.short (or `reason`)
  MaxReplacementShare   more than `share` U+FFFD           dropped.replacement_chars

A source applies them among its own rules (arxiv: not empty, few U+FFFD), and a manifest
switches any of them on for any source (`sources.<name>.rules`, config.py): `RULES` maps
each name there to its step, and `configured_rules` gives the steps a source's section
switches on, which its stage appends to its own chain just before its documents are
written. A rule only drops, never changes a document: a stage may rebuild a kept document
without running them again (github's pass 2 does).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pipeline.documents import Document
from pipeline.rules.config import RulesConfig
from pipeline.steps import Dropped, Step
from pipeline.text.decode import REPLACEMENT


@dataclass(frozen=True)
class NotEmpty:
    """Drop documents with nothing but white space: a licence with no book in it, a source
    file that was only its licence header, a paper with no text once its LaTeX went. Its
    own reason, `empty`, rather than a misleading later one (alnum, short)."""

    def __call__(self, doc: Document) -> Document | Dropped:
        return doc if doc.text.strip() else Dropped("empty")


@dataclass(frozen=True)
class MinChars:
    """Drop documents whose text is shorter than `chars` characters (cc_net: 300)."""

    chars: int
    reason: str = "short"

    def __call__(self, doc: Document) -> Document | Dropped:
        return doc if len(doc.text) >= self.chars else Dropped(self.reason)


@dataclass(frozen=True)
class MaxReplacementShare:
    """Drop documents with more than `share` U+FFFD characters per character: bytes that
    neither UTF-8 nor cp1252 read (random bytes, a binary file named .txt, give about 2%).
    Counted in the text; with `meta_key`, the share the reader measured and recorded in the
    document's meta instead (books: over the whole file, Gutenberg blocks included)."""

    share: float
    meta_key: str | None = None

    def __call__(self, doc: Document) -> Document | Dropped:
        if self.meta_key is not None:
            within = doc.meta[self.meta_key] <= self.share
        else:
            within = doc.text.count(REPLACEMENT) <= self.share * len(doc.text)
        return doc if within else Dropped("replacement_chars")


# name in `sources.<name>.rules` -> its step; the parameters there are the step's fields
RULES: dict[str, type] = {
    "not_empty": NotEmpty,
    "min_chars": MinChars,
    "max_replacement_share": MaxReplacementShare,
}


# what each generic rule's drop reason means, for the report (whichever source counted it)
REASONS: dict[str, str] = {
    "empty": "nothing but white space (rule not_empty)",
    "short": "fewer characters than the rule's `chars` (rule min_chars)",
    "replacement_chars": "a share of U+FFFD above the rule's `share` (rule max_replacement_share)",
}


def configured_rules(config: RulesConfig) -> list[Step]:
    """The steps a source's `rules` section switches on, in the section's field order."""
    steps: list[Step] = []
    for field in dataclasses.fields(config):
        parameters = getattr(config, field.name)
        if parameters is not None:
            steps.append(RULES[field.name](**dataclasses.asdict(parameters)))
    return steps
