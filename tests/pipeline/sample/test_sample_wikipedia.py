"""The Wikipedia sample parses as MediaWiki XML and agrees with its ground truth."""

from __future__ import annotations

import bz2
import xml.etree.ElementTree as ET

import mwparserfromhell

from pipeline.sample.sites import plan_cited_pages
from pipeline.sample.wikipedia import LLAMA_LANGUAGES, base36_sha1
from pipeline.sample.write import CITED_PAGES_PER_SCALE

NS = "{http://www.mediawiki.org/xml/export-0.11/}"
REQUIRED_NAMESPACES = {0, 1, 2, 4, 6, 10, 14}


def parse(sample_dir: str, relative: str) -> ET.Element:
    with bz2.open(f"{sample_dir}/{relative}") as f:
        return ET.parse(f).getroot()


def pages(root: ET.Element):
    for page in root.iter(f"{NS}page"):
        text = page.find(f"{NS}revision/{NS}text")
        yield {
            "id": int(page.findtext(f"{NS}id")),
            "ns": int(page.findtext(f"{NS}ns")),
            "title": page.findtext(f"{NS}title"),
            "redirect": page.find(f"{NS}redirect"),
            "text": text.text or "",
            "bytes": int(text.get("bytes")),
            "sha1": page.findtext(f"{NS}revision/{NS}sha1"),
        }


def reference_clean(wikitext: str, hidden_prefixes: set[str]) -> str:
    """A minimal cleaner (templates, comments, refs, tables, files, categories out) showing
    that the ground truth is reachable with mwparserfromhell."""

    def strip(code) -> None:
        for node in code.filter_templates(recursive=False) + code.filter_comments(recursive=False):
            code.remove(node)
        for tag in code.filter_tags(recursive=False):
            if str(tag.tag) in ("ref", "references", "table"):
                code.remove(tag)
            elif tag.contents:
                strip(tag.contents)
        for link in code.filter_wikilinks(recursive=False):
            if str(link.title).split(":")[0].strip() in hidden_prefixes:
                code.remove(link)

    code = mwparserfromhell.parse(wikitext)
    strip(code)
    return code.strip_code().strip()


def test_exports_have_real_headers(sample_dir, ground_truth):
    languages = ground_truth["wikipedia"]["languages"]
    assert len(languages) >= 5
    assert sum(not info["in_llama"] for info in languages.values()) == 1
    for language, info in languages.items():
        assert info["in_llama"] == (language in LLAMA_LANGUAGES)
        root = parse(sample_dir, info["file"])
        assert root.tag == f"{NS}mediawiki"
        assert root.get("version") == "0.11"
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == language
        assert root.findtext(f"{NS}siteinfo/{NS}dbname") == f"{language}wiki"
        assert root.findtext(f"{NS}siteinfo/{NS}sitename")
        assert root.findtext(f"{NS}siteinfo/{NS}base").startswith(f"https://{language}.")
        keys = {int(n.get("key")): n.text for n in root.iter(f"{NS}namespace")}
        assert REQUIRED_NAMESPACES <= set(keys)
        if language == "de":
            assert keys[6] == "Datei" and keys[14] == "Kategorie"


def test_page_lists_match_the_files(sample_dir, ground_truth):
    truth = ground_truth["wikipedia"]
    expected = []
    for language, info in truth["languages"].items():
        seen = {"articles": [], "redirects": [], "other_namespaces": [], "empty": []}
        for page in pages(parse(sample_dir, info["file"])):
            data = page["text"].encode("utf-8")
            assert page["bytes"] == len(data)
            assert page["sha1"] == base36_sha1(data)
            if page["ns"] != 0:
                seen["other_namespaces"].append(page["id"])
            elif page["redirect"] is not None:
                seen["redirects"].append(page["id"])
                assert page["text"].startswith("#")
            elif page["id"] in info["empty"]:
                seen["empty"].append(page["id"])
            else:
                seen["articles"].append(page["id"])
                if info["in_llama"]:
                    doc_id = f"wikipedia/{language}/{page['id']}"
                    expected.append(doc_id)
                    assert truth["titles"][doc_id] == page["title"]
                    for url in truth["cited_urls"][doc_id]:
                        assert url in page["text"]
        for key, ids in seen.items():
            assert ids == info[key], (language, key)
        assert 40 <= len(info["articles"]) <= 80
        assert info["redirects"] and info["other_namespaces"] and info["empty"]
        other = {p["ns"] for p in pages(parse(sample_dir, info["file"])) if p["ns"]}
        assert other <= REQUIRED_NAMESPACES
    assert sorted(expected + truth["update"]["new"]) == truth["expected_documents"]


def test_every_crawled_citation_is_cited(ground_truth):
    cited = {url for urls in ground_truth["wikipedia"]["cited_urls"].values() for url in urls}
    for page in plan_cited_pages(0, CITED_PAGES_PER_SCALE):
        assert page.cited_url in cited


def test_reference_cleaning_reaches_the_truth(sample_dir, ground_truth):
    truth = ground_truth["wikipedia"]
    for language, info in truth["languages"].items():
        root = parse(sample_dir, info["file"])
        hidden = {"File", "Image", "Category"} | {
            n.text for n in root.iter(f"{NS}namespace") if n.get("key") in ("6", "14")
        }
        updated = {int(i.rsplit("/", 1)[1]) for i in truth["update"]["newer"]}
        for page in pages(root):
            if page["id"] in info["empty"]:
                assert reference_clean(page["text"], hidden) == ""
            elif page["id"] in info["hard"] or (language == "en" and page["id"] in updated):
                continue  # hard cases defeat a naive cleaner (next test); updates read later
            elif page["id"] in info["articles"] and info["in_llama"]:
                cleaned = reference_clean(page["text"], hidden)
                for marker in truth["absent_markup"]:
                    assert marker not in cleaned, (page["id"], marker)
                for kept in truth["present_text"][f"wikipedia/{language}/{page['id']}"]:
                    assert kept in cleaned, (page["id"], kept)


def test_markers_occur_in_the_raw_text(sample_dir, ground_truth):
    """Each absent string does occur in the wikitext, so checking its absence means something."""
    raw = "".join(
        page["text"]
        for info in ground_truth["wikipedia"]["languages"].values()
        for page in pages(parse(sample_dir, info["file"]))
    )
    naive = " ".join(reference_clean(page["text"], {"File", "Category"}) for page in
                     pages(parse(sample_dir, ground_truth["wikipedia"]["languages"]["en"]["file"])))  # fmt: skip
    for marker in ground_truth["wikipedia"]["absent_markup"]:
        # "()" and "( ;" are what removing a template inside brackets leaves behind
        assert marker in raw or marker in naive, marker


def test_hard_cases_defeat_a_naive_cleaner(sample_dir, ground_truth):
    """The planted hard cases are hard: mwparserfromhell's strip_code after removing
    templates, refs and tables leaves markup or loses text in most of them."""
    truth = ground_truth["wikipedia"]
    failed = total = 0
    for language, info in truth["languages"].items():
        if not info["in_llama"]:
            continue
        for page in pages(parse(sample_dir, info["file"])):
            if page["id"] not in info["hard"]:
                continue
            doc_id = f"wikipedia/{language}/{page['id']}"
            cleaned = reference_clean(page["text"], {"File", "Category", "Datei", "Kategorie"})
            total += 1
            failed += any(m in cleaned for m in truth["absent_markup"]) or not all(
                kept in cleaned for kept in truth["present_text"][doc_id]
            )
    assert total >= 5 * 13 and failed >= total // 2, (failed, total)


def test_update_export_overlaps_the_main_one(sample_dir, ground_truth):
    truth = ground_truth["wikipedia"]
    update = truth["update"]
    main = {p["id"]: p for p in pages(parse(sample_dir, truth["languages"]["en"]["file"]))}
    root = parse(sample_dir, update["file"])
    revisions = {}
    for page in root.iter(f"{NS}page"):
        revisions[int(page.findtext(f"{NS}id"))] = int(page.findtext(f"{NS}revision/{NS}id"))
    main_revisions = {}
    for page in parse(sample_dir, truth["languages"]["en"]["file"]).iter(f"{NS}page"):
        main_revisions[int(page.findtext(f"{NS}id"))] = int(page.findtext(f"{NS}revision/{NS}id"))

    def pid(doc_id):
        return int(doc_id.rsplit("/", 1)[1])

    assert all(revisions[pid(d)] > main_revisions[pid(d)] for d in update["newer"])
    assert all(revisions[pid(d)] < main_revisions[pid(d)] for d in update["older"])
    assert all(revisions[pid(d)] == main_revisions[pid(d)] for d in update["same"])
    assert all(pid(d) not in main for d in update["new"])
    assert set(update["new"]) <= set(truth["expected_documents"])


def test_template_cases_are_planted(sample_dir, ground_truth):
    """The word-carrying templates, the unknown one and the dangling colon are in the raw
    exports, and the ground truth names them (the stage tests check the stage against it)."""
    truth = ground_truth["wikipedia"]
    raw = "".join(
        page["text"]
        for info in truth["languages"].values()
        if info["in_llama"]
        for page in pages(parse(sample_dir, info["file"]))
    )
    for form in ("{{convert|", "|and(-)|", "{{e|", "{{sfrac|", "{{As of|", "{{mdashb}}",
                 "{{chem|", "{{vr|", "{{angbr|", "{{coord|", "{{IPAc-en|", "{{Columns-list|",
                 "{{hlist|", "{{flatlist|"):  # fmt: skip
        assert form in raw, form
    names = truth["unknown_templates"]
    assert names and all(f"{{{{{name[0].upper()}{name[1:]}|" in raw for name in names)
    assert len(truth["dangling_colon"]) >= 5
    assert all(":\n{|" in raw for _ in truth["dangling_colon"])
