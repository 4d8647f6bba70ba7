"""CommonCrawl WET sample: two dumps (one with post-2020 headers), planted hard cases.

Pages are of these kinds (ground truth `pages[id].kind`):
  reference   English prose of two registers (`register`): encyclopedic, or archive and
              local-history reports (bylines, dates, record numbers, sources). Every page
              Wikipedia cites (`cited_as`) is a report and so are half of the others, so the
              reference classifier has a register to learn and to generalise to, as news and
              archive pages on the real web
  web         English shop, review and forum pages framed by boilerplate lines
  non_english de fr es it fi pages
  gibberish   random letter strings shaped like text
  word_salad  shop and encyclopedic words in shuffled order (keyword stuffing): passes
              language ID as English, so only the perplexity filter can catch it (it must
              land in the tail bucket)
  short       fewer than 300 characters
  duplicate   byte-identical copy of an earlier page (same WARC-Block-Digest), in another
              file or dump, under the same or another URL
Boilerplate lines come in families whose variants differ only in digits, case or punctuation,
so cc_net's line normalisation maps a family to one hash. One record in the middle of the first
file is a truncated gzip member followed by good records.
Some web pages lie on one navigation site (ground truth `navigation_site`): each ends in
navigation lines with no letter or digit ("«", "|", "•"), as a real site's sidebar toggle and
link bars leave them (the Python docs end every page in "«"); no kept page may end in one.
They are chosen and written with a random stream of their own, so every other page and
record of the sample is the same as without them.
"""

from __future__ import annotations

import os
import random

from pipeline.sample import sites, text
from pipeline.sample.seeding import rng_for
from pipeline.sample.wet import WetWriter

DUMPS = (("2019-30", False), ("2023-06", True))  # (dump, post-2020 headers)
FILES_PER_DUMP_PER_SCALE = 2
PAGES_PER_FILE = 120
NON_ENGLISH = ("de", "fr", "es", "it", "fi")
ISO639_3 = {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "fi": "fin"}
KIND_WEIGHTS = (
    ("web", 50),
    ("reference", 17),
    ("non_english", 15),
    ("gibberish", 5),
    ("word_salad", 5),
    ("short", 6),
    ("duplicate", 7),
)
MIN_PAGE_CHARS = 300

# Each family normalises (strip, lower-case, digits->0, punctuation removed) to one line.
BOILERPLATE: dict[str, tuple[str, ...]] = {
    "skip": ("Skip to main content", "Skip to Main Content", "Skip to main content»"),
    "menu": (
        "Home | About Us | Blog | Contact",
        "HOME | ABOUT US | BLOG | CONTACT",
        "Home | About us | Blog | Contact.",
    ),
    "cart": (
        "Items in cart: 0 | Total: $0.00",
        "Items in cart: 3 | Total: $9.99",
        "Items in cart: 7 | Total: $4.50",
    ),
    "posted": (
        "Posted on 14.03.2019 by admin",
        "Posted on 21.11.2020 by Admin",
        "Posted on 02/07/2018 by admin.",
    ),
    "share": (
        "Share this: Facebook, Twitter, Email",
        "Share this; Facebook. Twitter. Email",
        "share this: facebook, twitter, email",
    ),
    "reply": (
        "Leave a Reply Cancel reply",
        "Leave a reply. Cancel reply.",
        "LEAVE A REPLY CANCEL REPLY",
    ),
    "newsletter": (
        "Sign up for our newsletter!",
        "Sign up for our newsletter.",
        "SIGN UP FOR OUR NEWSLETTER",
    ),
    "copyright": (
        "Copyright © 2019 All rights reserved.",
        "Copyright © 2021 All Rights Reserved",
        "COPYRIGHT © 2018 ALL RIGHTS RESERVED!",
    ),
}
FAMILY_OF_LINE = {line: family for family, lines in BOILERPLATE.items() for line in lines}
HEADER_FAMILIES = ("skip", "menu", "cart")
FOOTER_FAMILIES = ("posted", "share", "reply", "newsletter", "copyright")
SHOP_SUFFIXES = ("shop", "store", "forum", "blog", "deals", "outlet", "reviews", "market")
NAVIGATION_HOST = "www.kettle-corner.com"
NAVIGATION_SHARE = 0.3  # of the web pages
# lines made of marks only: none normalises to a line of words, some to nothing at all
NAVIGATION_LINES = ("«", "»", "|", "•", "·", "–", ">>", "« | »", "‹ ›")


class PageMaker:
    """Writes the text of each kind of page."""

    def __init__(self) -> None:
        self.english = text.grammar("en")
        self.web = text.WebWriter()
        self.report = text.ReportWriter()
        self.others = {language: text.grammar(language) for language in NON_ENGLISH}

    def boilerplate(self, rng: random.Random, families: tuple[str, ...], count: int) -> list[str]:
        chosen = rng.sample(families, count)
        return [rng.choice(BOILERPLATE[family]) for family in chosen]

    def reference(self, rng: random.Random, topic: str) -> str:
        lines = [topic.capitalize() + " - " + self.english.place_title(rng)]
        if rng.random() < 0.5:
            lines += self.boilerplate(rng, HEADER_FAMILIES[:2], 1)
        lines += [
            self.english.paragraph(rng, rng.randrange(3, 7)) for _ in range(rng.randrange(3, 7))
        ]
        if rng.random() < 0.5:
            lines += self.boilerplate(rng, ("copyright",), 1)
        return "\n".join(lines)

    def report_page(self, rng: random.Random, topic: str, url: str) -> str:
        host = url.split("://", 1)[1].split("/", 1)[0].removeprefix("www.")
        publisher = host.split(".", 1)[0].replace("-", " ").title()
        lines = [topic.capitalize() + " - " + self.english.place_title(rng)]
        if rng.random() < 0.5:
            lines += self.boilerplate(rng, HEADER_FAMILIES[:2], 1)
        lines.append(self.report.byline(rng, publisher))
        for _ in range(rng.randrange(3, 6)):
            sentences = [
                self.report.sentence(rng) if rng.random() < 0.6 else self.english.sentence(rng)
                for _ in range(rng.randrange(3, 6))
            ]
            lines.append(" ".join(sentences))
        lines.append(self.report.sources_line(rng))
        if rng.random() < 0.5:
            lines += self.boilerplate(rng, ("copyright",), 1)
        return "\n".join(lines)

    def web_page(self, rng: random.Random) -> str:
        product = self.web.product(rng)
        lines = [f"{product.title()} | {rng.choice(('Best Prices', 'Reviews', 'Forum', 'Shop'))}"]
        lines += self.boilerplate(rng, HEADER_FAMILIES, rng.randrange(1, 3))
        for _ in range(rng.randrange(2, 6)):
            if rng.random() < 0.3:
                lines.append(f"{self.web.user(rng)} wrote:")
            lines.append(self.web.paragraph(rng, rng.randrange(2, 6)))
        lines += self.boilerplate(rng, FOOTER_FAMILIES, rng.randrange(1, 4))
        return "\n".join(lines)

    def non_english(self, rng: random.Random, language: str) -> str:
        grammar = self.others[language]
        lines = [grammar.place_title(rng)]
        lines += [grammar.paragraph(rng, rng.randrange(3, 6)) for _ in range(rng.randrange(2, 6))]
        while len("\n".join(lines)) < MIN_PAGE_CHARS:  # short pages are their own kind
            lines.append(grammar.paragraph(rng, 3))
        return "\n".join(lines)

    def gibberish(self, rng: random.Random) -> str:
        lines = [text.gibberish(rng, rng.randrange(15, 40))]
        lines += [text.gibberish(rng, rng.randrange(150, 500)) for _ in range(rng.randrange(2, 5))]
        return "\n".join(lines)

    def word_salad(self, rng: random.Random) -> str:
        """Keyword stuffing: the words of shop and encyclopedic sentences, shuffled."""
        lines = []
        for _ in range(rng.randrange(3, 6)):
            words = self.web.paragraph(rng, rng.randrange(1, 4)).split()
            words += self.english.paragraph(rng, rng.randrange(1, 4)).split()
            rng.shuffle(words)
            lines.append(" ".join(words))
        return "\n".join(lines)

    def short(self, rng: random.Random) -> str:
        page = f"{self.web.product(rng).title()}\n{self.web.sentence(rng)}"
        while len(page) >= MIN_PAGE_CHARS:
            page = page[: page.rfind(" ")]
        return page


def web_url(rng: random.Random) -> str:
    name = "".join(rng.choice(text.lexicon.EN["syllables"]) for _ in range(2))
    host = f"{rng.choice(('', 'www.'))}{name}{rng.choice(SHOP_SUFFIXES)}.com"
    path, _ = sites.random_path(rng)
    return f"{rng.choice(('http', 'https'))}://{host}{path}"


def on_navigation_site(rng: random.Random, text: str) -> tuple[str, str, list[str]]:
    """(URL on the navigation site, the page with its navigation lines, those lines): one
    under the title, the others ending the page."""
    path, _ = sites.random_path(rng)
    lines = rng.sample(NAVIGATION_LINES, rng.randrange(2, 4))
    title, *body = text.split("\n")
    page = "\n".join([title, lines[0], *body, *lines[1:]])
    return f"https://{NAVIGATION_HOST}{path}", page, lines


def plan_file_kinds(rng: random.Random, count: int) -> list[str]:
    kinds, weights = zip(*KIND_WEIGHTS, strict=True)
    return rng.choices(kinds, weights=weights, k=count)


def write_commoncrawl(
    out_dir: str, scale: int, seed: int, cited_pages: list[sites.CitedPage]
) -> dict:
    """Write the WET files under `out_dir`; return the "commoncrawl" ground truth."""
    os.makedirs(out_dir, exist_ok=True)
    rng = rng_for(seed, "commoncrawl")
    maker = PageMaker()
    files = [
        (dump, post_2020, k)
        for dump, post_2020 in DUMPS
        for k in range(FILES_PER_DUMP_PER_SCALE * scale)
    ]
    cited_by_file: dict[int, list[sites.CitedPage]] = {}
    for i, page in enumerate(cited_pages):
        cited_by_file.setdefault(i % len(files), []).append(page)
    truth: dict = {
        "id_scheme": "commoncrawl/<dump>/<uuid of WARC-Record-ID>",
        "files": [],
        "pages": {},
        "cited_by_wikipedia": [],
        "non_english": {},
        "gibberish": [],
        "word_salad": [],
        "short": [],
        "duplicate_groups": [],
        "duplicate_pages": [],
        "corrupt_records": [],
        "boilerplate_lines": [],
        "navigation_site": {"host": NAVIGATION_HOST, "lines": list(NAVIGATION_LINES), "pages": []},
    }
    navigation_rng = rng_for(seed, "commoncrawl", "navigation")
    originals: list[dict] = []  # a bounded reservoir of pages that later pages may duplicate
    groups: dict[str, list[str]] = {}
    boilerplate_documents = {family: 0 for family in BOILERPLATE}
    for file_index, (dump, post_2020, k) in enumerate(files):
        filename = f"CC-MAIN-{dump}-{k:05d}.warc.wet.gz"
        relative = f"commoncrawl/{filename}"
        writer = WetWriter(os.path.join(out_dir, filename), filename, dump, rng, post_2020)
        kinds = plan_file_kinds(rng, PAGES_PER_FILE)
        for page in cited_by_file.get(file_index, []):
            kinds.insert(rng.randrange(len(kinds) + 1), page)
        corrupt_at = len(kinds) // 2 if file_index == 0 else -1
        for position, kind in enumerate(kinds):
            if position == corrupt_at:
                record = writer.truncated_conversion(web_url(rng), maker.web_page(rng))
                truth["corrupt_records"].append({"file": relative, **record})
            language: str | None = "en"
            register = None
            if isinstance(kind, sites.CitedPage):
                url, kind_name, register = kind.crawled_url, "reference", "report"
                page_text = maker.report_page(rng, kind.topic, url)
            elif kind == "duplicate" and originals:
                source = rng.choice(originals)
                url = source["url"] if rng.random() < 0.5 else web_url(rng)
                page_text, kind_name, language = source["text"], "duplicate", source["language"]
            elif kind == "reference" and rng.random() < 0.5:
                path, topic = sites.random_path(rng)
                url = f"https://{sites.random_host(rng)}{path}"
                page_text, kind_name, register = maker.report_page(rng, topic, url), kind, "report"
            elif kind == "reference":
                _, topic = sites.random_path(rng)
                url, page_text, kind_name = web_url(rng), maker.reference(rng, topic), "reference"
                register = "encyclopedic"
            elif kind == "non_english":
                language = rng.choice(NON_ENGLISH)
                url, page_text, kind_name = web_url(rng), maker.non_english(rng, language), kind
            elif kind == "gibberish":
                url, page_text, kind_name, language = web_url(rng), maker.gibberish(rng), kind, None
            elif kind == "word_salad":
                url, page_text, kind_name = web_url(rng), maker.word_salad(rng), kind
            elif kind == "short":
                url, page_text, kind_name = web_url(rng), maker.short(rng), kind
            else:
                url, page_text, kind_name = web_url(rng), maker.web_page(rng), "web"
            navigation: list[str] = []
            if kind_name == "web" and navigation_rng.random() < NAVIGATION_SHARE:
                url, page_text, navigation = on_navigation_site(navigation_rng, page_text)
            header_language = ISO639_3[language] if language else None
            if header_language and header_language != "eng" and rng.random() < 0.3:
                header_language += ",eng"
            record = writer.conversion(url, page_text, header_language)
            for family in {FAMILY_OF_LINE.get(line) for line in page_text.split("\n")} - {None}:
                boilerplate_documents[family] += 1
            doc_id = f"commoncrawl/{dump}/{record['record_id']}"
            truth["pages"][doc_id] = {
                "kind": kind_name,
                "language": language,
                "url": url,
                "file": relative,
                "record": record["record"],
                "digest": record["digest"],
            }
            if register:
                truth["pages"][doc_id]["register"] = register
            if navigation:
                truth["pages"][doc_id]["navigation_lines"] = navigation
                truth["navigation_site"]["pages"].append(doc_id)
            if isinstance(kind, sites.CitedPage):
                truth["pages"][doc_id]["cited_as"] = kind.cited_url
                truth["cited_by_wikipedia"].append(doc_id)
            elif kind_name == "non_english":
                truth["non_english"][doc_id] = language
            elif kind_name in ("gibberish", "word_salad", "short"):
                truth[kind_name].append(doc_id)
            if kind_name == "duplicate":
                groups.setdefault(record["digest"], []).append(doc_id)
            elif kind_name in ("web", "reference", "non_english") and not isinstance(
                kind, sites.CitedPage
            ):
                groups[record["digest"]] = [doc_id]
                if len(originals) < 64:
                    originals.append({"url": url, "text": page_text, "language": language})
                else:  # reservoir sampling keeps memory bounded at any scale
                    slot = rng.randrange(len(truth["pages"]))
                    if slot < len(originals):
                        originals[slot] = {"url": url, "text": page_text, "language": language}
        writer.close()
        truth["files"].append(
            {
                "file": relative,
                "dump": f"CC-MAIN-{dump}",
                "post_2020_headers": post_2020,
                "records": writer.records,
            }
        )
    for ids in groups.values():
        if len(ids) > 1:
            ordered = sorted(ids)
            truth["duplicate_groups"].append(ordered)
            truth["duplicate_pages"] += ordered[1:]
    truth["duplicate_groups"].sort()
    truth["duplicate_pages"].sort()
    truth["cited_by_wikipedia"].sort()
    for family, variants in BOILERPLATE.items():
        truth["boilerplate_lines"].append(
            {
                "family": family,
                "variants": list(variants),
                "documents": boilerplate_documents[family],
            }
        )
    return truth
