"""Which pages of a dump are articles: steps over the dump's `Page` records (the contract of
pipeline.steps), applied in this order before the wikitext is cleaned."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.sources.wikipedia.dump import Page
from pipeline.steps import Dropped


@dataclass(frozen=True)
class NotSuperseded:
    """Drop the copies of a page that a later revision elsewhere in the input replaces
    (their positions in this file, from duplicates.SupersededPages)."""

    ordinals: frozenset[int]

    def __call__(self, page: Page) -> Page | Dropped:
        return Dropped("duplicate_page") if page.ordinal in self.ordinals else page


@dataclass(frozen=True)
class InNamespaces:
    """Keep pages of the given namespaces (0 = articles; 1 talk, 2 user, 6 file, ...)."""

    namespaces: tuple[int, ...]

    def __call__(self, page: Page) -> Page | Dropped:
        return page if page.namespace in self.namespaces else Dropped("namespace")


@dataclass(frozen=True)
class NotRedirect:
    """Drop redirects (a <redirect/> element in the page)."""

    def __call__(self, page: Page) -> Page | Dropped:
        return Dropped("redirect") if page.redirect else page


@dataclass(frozen=True)
class WikitextOnly:
    """Drop pages whose content model is not wikitext (JSON, Lua, CSS on some wikis)."""

    def __call__(self, page: Page) -> Page | Dropped:
        return page if page.model in (None, "wikitext") else Dropped("not_wikitext")
