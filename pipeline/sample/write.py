"""`write_sample`: every source's generator in turn, then the ground truth file."""

from __future__ import annotations

import os

from pipeline.sample import sites, truth
from pipeline.sample.arxiv import write_arxiv
from pipeline.sample.books import write_books
from pipeline.sample.c4 import write_c4
from pipeline.sample.commoncrawl import write_commoncrawl
from pipeline.sample.github import write_github
from pipeline.sample.stackexchange import write_stackexchange
from pipeline.sample.wikipedia import write_wikipedia

CITED_PAGES_PER_SCALE = 40


def write_sample(out_dir: str, scale: int = 1, seed: int = 0) -> dict:
    """Write the sample under `out_dir` (created if missing); return the ground truth.

    Each source draws from its own seeded random stream, so the same scale and seed give
    byte-identical files; files are streamed, so memory stays bounded at any scale.
    """
    if scale < 1:
        raise ValueError(f"scale must be >= 1, got {scale}")
    os.makedirs(out_dir, exist_ok=True)

    def under(source: str) -> str:
        return os.path.join(out_dir, source)

    cited_pages = sites.plan_cited_pages(seed, CITED_PAGES_PER_SCALE * scale)
    ground_truth = {
        "scale": scale,
        "seed": seed,
        "wikipedia": write_wikipedia(under("wikipedia"), scale, seed, cited_pages),
        "commoncrawl": write_commoncrawl(under("commoncrawl"), scale, seed, cited_pages),
        "c4": write_c4(under("c4"), scale, seed),
        "github": write_github(under("github"), scale, seed),
        "books": write_books(under("books"), scale, seed),
        "arxiv": write_arxiv(under("arxiv"), scale, seed),
        "stackexchange": write_stackexchange(under("stackexchange"), scale, seed),
    }
    truth.save(ground_truth, os.path.join(out_dir, "ground_truth.json"))
    return ground_truth
