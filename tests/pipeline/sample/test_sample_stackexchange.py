"""Posts.xml rows parse one by one (bar the planted bad row) and match the ground truth."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET


def rows(sample_dir: str, info: dict) -> tuple[list[dict], list[int]]:
    parsed, bad = [], []
    with open(f"{sample_dir}/{info['file']}", encoding="utf-8", newline="") as f:
        for number, line in enumerate(f, start=1):
            line = line.strip()
            if not line.startswith("<row"):
                continue
            try:
                parsed.append(dict(ET.fromstring(line).attrib))
            except ET.ParseError:
                bad.append(number)
    return parsed, bad


def visible_text(body: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_sites(sample_dir, ground_truth):
    sites = ground_truth["stackexchange"]["sites"]
    assert len(sites) >= 3
    assert min(len(site["questions"]) for site in sites.values()) <= 5
    assert sum(len(site["malformed_lines"]) for site in sites.values()) == 1
    lexicographic_differs = False
    for name, info in sites.items():
        with open(f"{sample_dir}/{info['file']}", encoding="utf-8") as f:
            assert f.readline().startswith('<?xml version="1.0" encoding="utf-8"?>')
        parsed, bad = rows(sample_dir, info)
        assert bad == [m["line"] for m in info["malformed_lines"]]
        assert len(parsed) == info["rows"]
        if bad:
            assert bad[0] < len(parsed)  # good rows follow the bad one
        by_id = {int(r["Id"]): r for r in parsed}
        answers: dict[int, list[dict]] = {}
        for row in parsed:
            if row["PostTypeId"] == "2":
                answers.setdefault(int(row["ParentId"]), []).append(row)
        for orphan in info["orphan_answers"]:
            assert int(by_id[orphan]["ParentId"]) not in by_id
        for wiki in info["tag_wiki_rows"]:
            assert by_id[wiki]["PostTypeId"] in ("4", "5")
        for doc_id, question in info["questions"].items():
            qid = int(doc_id.rsplit("/", 1)[1])
            assert doc_id.startswith(f"stackexchange/{name}/")
            row = by_id[qid]
            assert row["PostTypeId"] == "1" and row["Title"] == question["title"]
            mine = answers.get(qid, [])
            numeric = [int(a["Id"]) for a in sorted(mine, key=lambda a: -int(a["Score"]))]
            assert numeric == question["answer_order"]
            by_string = sorted(mine, key=lambda a: a["Score"], reverse=True)
            as_strings = [int(a["Id"]) for a in by_string]
            lexicographic_differs |= as_strings != numeric
            if "AcceptedAnswerId" in row:
                assert int(row["AcceptedAnswerId"]) in question["answer_order"]
            text = "\n".join(visible_text(r["Body"]) for r in [row, *mine]) + row["Title"]
            for kept in question["present"]:
                assert kept in text, kept
            assert "<p>" in row["Body"]
    assert lexicographic_differs
