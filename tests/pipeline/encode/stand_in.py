"""A second source for the tokenizer and encode tests: the source-stage contract (documents
under <run>/books/) standing in for the books stage until its package lands."""

from __future__ import annotations

from pipeline.sources.stage import SourceStage


class BooksStandIn(SourceStage):
    name = "books"


STAGE = BooksStandIn()
