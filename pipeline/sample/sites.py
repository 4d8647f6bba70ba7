"""Web addresses shared by the Wikipedia and CommonCrawl samples.

Some CommonCrawl pages are cited by Wikipedia articles: the crawl holds the page under one
spelling of its URL and the article cites another spelling that normalises to the same address
(scheme, `www.`, host case, trailing slash and fragment differ; the path never does). These
are the positives of the reference classifier downstream.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pipeline.sample import lexicon
from pipeline.sample.seeding import rng_for

HOST_NOUNS = lexicon.words(
    "chronicle|archive|gazette|register|journal|review|heritage|history|museum|times|post|"
    "herald|society|records|survey|institute"
)
SECTIONS = lexicon.words("history|news|articles|research|features|places|people|archive|reports")
TLDS = lexicon.words("com|org|net|co.uk|info|org|com")
SLUG_WORDS = lexicon.EN["nouns"][:40] + lexicon.EN["adjectives"][:20]


@dataclass(frozen=True)
class CitedPage:
    """A CommonCrawl page that Wikipedia cites: where it was crawled and how it is cited."""

    crawled_url: str
    cited_url: str
    topic: str


def random_host(rng: random.Random) -> str:
    syllables = lexicon.EN["syllables"]
    name = "".join(rng.choice(syllables) for _ in range(rng.randrange(2, 4)))
    return f"{name}-{rng.choice(HOST_NOUNS)}.{rng.choice(TLDS)}"


def random_path(rng: random.Random) -> tuple[str, str]:
    """('/history/1890/old-bridge-opening-412', 'old bridge opening')."""
    topic_words = [rng.choice(SLUG_WORDS).replace(" ", "-") for _ in range(rng.randrange(2, 5))]
    slug = "-".join(topic_words)
    path = f"/{rng.choice(SECTIONS)}/{rng.randrange(1995, 2020)}/{slug}-{rng.randrange(10, 9999)}"
    return path, slug.replace("-", " ")


def cited_spelling(rng: random.Random, host: str, path: str) -> tuple[str, str]:
    """(crawled, cited) spellings of one address; they differ only where normalisation allows."""
    crawled = f"{rng.choice(('http', 'https'))}://{rng.choice(('', 'www.'))}{host}{path}"
    variant = rng.randrange(5)
    if variant == 0:
        cited = crawled
    elif variant == 1:
        cited = f"https://www.{host}{path}/"
    elif variant == 2:
        cited = f"http://{host.title()}{path}#section-{rng.randrange(1, 9)}"
    elif variant == 3:
        cited = f"https://{host.upper()}{path}"
    else:
        cited = f"http://www.{host}{path}"
    return crawled, cited


def plan_cited_pages(seed: int, count: int) -> list[CitedPage]:
    """`count` distinct CommonCrawl pages that the Wikipedia sample will cite."""
    rng = rng_for(seed, "sites", "cited")
    pages, seen = [], set()
    while len(pages) < count:
        host, (path, topic) = random_host(rng), random_path(rng)
        if (host, path) in seen:
            continue
        seen.add((host, path))
        crawled, cited = cited_spelling(rng, host, path)
        pages.append(CitedPage(crawled_url=crawled, cited_url=cited, topic=topic))
    return pages


def uncrawled_url(rng: random.Random) -> str:
    """An external address that no CommonCrawl page of the sample has."""
    path, _ = random_path(rng)
    return f"https://{random_host(rng).replace('-', '')}{path}"
