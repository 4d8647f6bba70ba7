"""Wikipedia on real text: the MediaWiki exports gensim's wheel ships as test data.

gensim 4.4.0 carries three real exports in gensim/test/test_data/: 206 pages of English
Wikipedia (106 articles, the rest redirects), five English articles chosen for their
table markup, and one Bulgarian article. They are copied as they are (bz2 already) under
names the stage reads as dumps (`wikipedia/*.xml.bz2`).

The check is the issue's words-kept figure (word_recall.py): the share of the words an
article's wikitext carries, read plainly outside refs, tables, files, comments and the
infobox/navigation/citation/maintenance templates, that its cleaned text keeps; per dump
and over all, with the words lost per template name and the templates the stage did not
know (its `templates.unknown.<name>` counters).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline import io
from pipeline.counters import UNKNOWN_TEMPLATES
from pipeline.records import ReadOptions, read_records
from pipeline.sources.wikipedia.dump import Page, SiteInfo, iter_dump
from pipeline.sources.wikipedia.remnants import remnants, without_math
from pipeline.sources.wikipedia.word_recall import WordRecall, article_recall, prose_words
from realtext import outputs
from realtext.download import Package

PACKAGES = [Package("wheel", "gensim", "4.4.0")]
TEST_DATA = Path("gensim/test/test_data")
# gensim's file -> the name it gets among the inputs
DUMPS = {
    "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2":
        "enwiki-articles1-shortened.xml.bz2",
    "enwiki-table-markup.xml.bz2": "enwiki-table-markup.xml.bz2",
    "bgwiki-latest-pages-articles-shortened.xml.bz2": "bgwiki-shortened.xml.bz2",
}  # fmt: skip
TOP = 20


def build_inputs(packages: dict[str, Path], inputs: Path) -> dict:
    """Copy the three exports under inputs/wikipedia/; the manifest section reads them."""
    folder = inputs / "wikipedia"
    folder.mkdir(parents=True, exist_ok=True)
    for source, name in DUMPS.items():
        shutil.copyfile(packages["gensim"] / TEST_DATA / source, folder / name)
    return {"inputs": [str(folder / "*.xml.bz2")]}


def _namespace_names(site: SiteInfo | None, key: int) -> frozenset[str]:
    name = site.namespaces.get(key) if site else None
    return frozenset({name}) if name else frozenset()


def dump_recall(path: str, texts: dict[str, str]) -> tuple[WordRecall, int]:
    """The words-kept recall of one dump's articles (namespace 0, no redirects) in the
    documents kept (`texts`: id -> text; an article not kept keeps no word), and the pages
    read."""
    recall, pages, site = WordRecall(), 0, None
    for item in read_records(io.match_files([path])[0], iter_dump, ReadOptions(), lambda *a: None):
        if isinstance(item, SiteInfo):
            site = item
            continue
        if not isinstance(item, Page):
            continue
        pages += 1
        if item.namespace != 0 or item.redirect or site is None:
            continue
        prose = prose_words(item.text, _namespace_names(site, 6), _namespace_names(site, 14))
        text = texts.get(f"wikipedia/{site.language}/{item.page_id}", "")
        recall.add(article_recall(prose, text))
    return recall, pages


def _figures(recall: WordRecall) -> dict[str, Any]:
    return {
        "prose_word_share": round(recall.recall, 5),
        "words": recall.words,
        "words_lost": recall.words - recall.kept,
        "words_lost_by_template": recall.top_lost(TOP),
    }


def checks(run_dir: Path, inputs: Path) -> dict:
    """Words kept per dump and over all, pages read and kept, the unknown templates."""
    kept = outputs.kept(run_dir, "wikipedia")
    texts = {row["id"]: row["text"] for row in kept}
    total, dumps, pages = WordRecall(), {}, 0
    for path in sorted((inputs / "wikipedia").glob("*.xml.bz2")):
        recall, read = dump_recall(str(path), texts)
        pages += read
        dumps[path.name] = {**_figures(recall), "pages_read": read, "articles": recall.articles}
        for name in ("articles", "words", "kept"):
            setattr(total, name, getattr(total, name) + getattr(recall, name))
        total.lost_by_origin.update(recall.lost_by_origin)
    counters = json.loads((run_dir / "wikipedia" / "_stats.json").read_text())["counters"]
    unknown = sorted(
        ((k.removeprefix(UNKNOWN_TEMPLATES), v) for k, v in counters.items()
         if k.startswith(UNKNOWN_TEMPLATES)),
        key=lambda item: (-item[1], item[0]),
    )  # fmt: skip
    return {
        **_figures(total),
        "pages_read": pages,
        "articles": total.articles,
        "pages_kept": len(kept),
        "dumps": dumps,
        "unknown_templates": dict(unknown[:TOP]),
        "documents_with_markup_left": markup_left(texts.values()),
    }


def markup_left(texts: Iterable[str]) -> dict[str, int]:
    """Per kind of markup (remnants.py), the kept documents where some is left, math aside:
    what a reader would see as wiki syntax. A hit is a place to look ("()" can be prose)."""
    found: Counter[str] = Counter()
    for text in texts:
        found.update(remnants(without_math(text)).keys())
    return dict(sorted(found.items()))
