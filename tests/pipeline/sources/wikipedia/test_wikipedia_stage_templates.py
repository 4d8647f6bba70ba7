"""The stage's page path (process_dump, no Beam) on articles whose templates carry words:
the words stay in the document, unknown templates are counted per name, and an article
whose sentence announces a dropped table is counted as a dangling colon."""

from __future__ import annotations

from pipeline import io
from pipeline.counters import Tally
from pipeline.records import ReadOptions
from pipeline.sources.wikipedia.config import WikipediaConfig
from pipeline.sources.wikipedia.stage import process_dump
from tests.pipeline.sources.wikipedia.dumps import dump_xml, page_xml

ARTICLE = (
    "{{Infobox planet|mass=5.97}}\n"
    "'''Earth''' has a mass of 5.97{{e|24}}&nbsp;kg. {{As of|2013|June|8}}, a total of "
    "{{convert|60|and(-)|80|kg}} was counted at {{coord|8|8|N|165|1|W}}, in the Pacific. "
    "The general formula is {{chem|C|n|H|2n+2}}, where n{{mdashb}}the count{{mdashb}}varies."
    " {{Mystery box|hidden}} {{Mystery box}} {{cite web|url=https://example.org/x|title=T}}\n"
    "Its moons are:\n"
    '{| class="wikitable"\n| Moon || 1\n|}\n'
    "Related: {{hlist|Mars|Venus}}\n"
)


def run(tmp_path, text: str) -> tuple[list[dict], Tally]:
    path = tmp_path / "enwiki.xml"
    path.write_text(dump_xml("en", [page_xml(1, "Earth", text)]), encoding="utf-8")
    tally = Tally()
    rows = list(
        process_dump(io.match_files([str(path)])[0], WikipediaConfig(), ReadOptions(), count=tally)
    )
    return [row for kind, row in rows if kind == "document"], tally


def test_words_carried_by_templates_are_kept(tmp_path) -> None:
    (document,), _ = run(tmp_path, ARTICLE)
    text = document["text"]
    for shown in (
        "a mass of 5.97×10^24\xa0kg.",
        "As of June 8, 2013, a total of 60 and 80 kg (132 and 176 lb)",
        "at 8°8′N 165°1′W, in the Pacific.",
        "The general formula is CnH2n+2, where n—the count—varies.",
        "Related: Mars · Venus",
    ):
        assert shown in text, (shown, text)
    assert "hidden" not in text and "5.97\n" not in text


def test_unknown_templates_and_dangling_colons_are_counted(tmp_path) -> None:
    _, tally = run(tmp_path, ARTICLE)
    unknown = {k: v for k, v in tally.items() if k.startswith("templates.unknown.")}
    assert unknown == {"templates.unknown.mystery box": 2}
    assert tally["warnings.dangling_colon"] == 1
    assert tally["kept"] == 1
