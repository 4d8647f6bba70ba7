"""`write_sample`: every source's generator in turn, then the ground truth file."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from pipeline.sample import sites, truth
from pipeline.sample.arxiv import write_arxiv
from pipeline.sample.books import write_books
from pipeline.sample.c4 import write_c4
from pipeline.sample.commoncrawl import write_commoncrawl
from pipeline.sample.github import write_github
from pipeline.sample.stackexchange import write_stackexchange
from pipeline.sample.wikipedia import write_wikipedia

CITED_PAGES_PER_SCALE = 40
# the sources the sample writes inputs for: the seven of LLaMA's mixture
SOURCES = ("commoncrawl", "c4", "github", "wikipedia", "books", "arxiv", "stackexchange")


def write_sample(
    out_dir: str, scale: int = 1, seed: int = 0, only: Sequence[str] | None = None
) -> dict:
    """Write the sample under `out_dir` (created if missing); return the ground truth.

    Each source draws from its own seeded random stream, so the same scale and seed give
    byte-identical files whichever sources are written (`only`: a subset, e.g. for a
    benchmark of one source at a large scale); files are streamed, so memory stays bounded
    at any scale.
    """
    if scale < 1:
        raise ValueError(f"scale must be >= 1, got {scale}")
    unknown = sorted(set(only or ()) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)}; sources are {SOURCES}")
    os.makedirs(out_dir, exist_ok=True)

    def under(source: str) -> str:
        return os.path.join(out_dir, source)

    cited_pages = sites.plan_cited_pages(seed, CITED_PAGES_PER_SCALE * scale)
    writers: dict[str, Callable[[], dict]] = {
        "wikipedia": lambda: write_wikipedia(under("wikipedia"), scale, seed, cited_pages),
        "commoncrawl": lambda: write_commoncrawl(under("commoncrawl"), scale, seed, cited_pages),
        "c4": lambda: write_c4(under("c4"), scale, seed),
        "github": lambda: write_github(under("github"), scale, seed),
        "books": lambda: write_books(under("books"), scale, seed),
        "arxiv": lambda: write_arxiv(under("arxiv"), scale, seed),
        "stackexchange": lambda: write_stackexchange(under("stackexchange"), scale, seed),
    }
    ground_truth: dict = {"scale": scale, "seed": seed}
    for source, write in writers.items():
        if only is None or source in only:
            ground_truth[source] = write()
    truth.save(ground_truth, os.path.join(out_dir, "ground_truth.json"))
    return ground_truth
