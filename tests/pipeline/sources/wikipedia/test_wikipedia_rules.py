"""The generic rules a manifest switches on for Wikipedia judge each final article (title
on top) after the page rules and the cleaning; process_dump is pure of Beam."""

from __future__ import annotations

import json

from pipeline import io
from pipeline.counters import Tally
from pipeline.records import ReadOptions
from pipeline.rules.config import MinCharsRule, RulesConfig
from pipeline.sources.wikipedia.config import WikipediaConfig
from pipeline.sources.wikipedia.stage import process_dump
from tests.pipeline.sources.wikipedia.dumps import dump_xml, page_xml


def test_a_generic_rule_switched_on_in_the_config_drops_an_article(write_dump) -> None:
    pages = [
        page_xml(1, "Short", "A stub."),
        page_xml(2, "Long", "An article with enough text to pass the rule that is on."),
    ]
    path = write_dump("enwiki.xml.bz2", dump_xml("en", pages))
    file = io.match_files([str(path)])[0]
    config = WikipediaConfig(rules=RulesConfig(min_chars=MinCharsRule(chars=40)))
    tally = Tally()
    rows = list(process_dump(file, config, ReadOptions(), keep_dropped=True, count=tally))
    documents = [row for kind, row in rows if kind == "document"]
    dropped = [row for kind, row in rows if kind == "dropped"]
    assert [d["id"] for d in documents] == ["wikipedia/en/2"]
    assert documents[0]["text"].startswith("Long\n\n")  # judged with its title on top
    assert [(d["id"], d["reason"]) for d in dropped] == [("wikipedia/en/1", "short")]
    assert json.loads(dropped[0]["meta"])["title"] == "Short"
    assert tally["dropped.short"] == 1 and tally["kept"] == 1
    plain = list(process_dump(file, WikipediaConfig(), ReadOptions(), keep_dropped=True))
    assert [row["id"] for kind, row in plain if kind == "document"] == [
        "wikipedia/en/1", "wikipedia/en/2"]  # fmt: skip
