"""The ground truth of the sample: what a correct stage does with each planted case.

`OUT/ground_truth.json` is written with sorted keys and indent 1, so it is byte-stable.
Top-level keys: "scale", "seed", and one entry per source below.

"wikipedia"
    "languages": {lang: {"file", "in_llama", "articles", "redirects", "other_namespaces",
        "empty"}} - page ids (int). `articles` are namespace-0, non-redirect articles with text;
        `empty` are namespace-0 articles made only of markup (a single template; an infobox and
        a category; or a comment, a template and a table): their cleaned body is empty and the
        stage drops them (it drops documents whose body is empty). `redirects` are
        namespace-0 pages with <redirect>; `other_namespaces` are pages in namespaces
        1, 2, 4, 6, 10 and 14.
        `fi` is the one language outside LLaMA's twenty (`in_llama` false): all of its pages
        are dropped.
    "expected_documents": sorted "wikipedia/<lang>/<id>" for every article of a LLaMA language.
    "absent_markup": strings no cleaned text may contain: wiki syntax, plus marker tokens that
        occur only in one kind of markup each - qxtemplparam (template parameters),
        qxcommentonly (comments), qxrefonly (<ref> bodies, outside templates), qxtablecell
        (table cells), qxfilecaption (File/Image/localized file captions), qxcategoryname
        (category names). File links use the language's local namespace name (Datei, Fichier,
        Archivo, Tiedosto) or the canonical English File/Image.
    "present_text": {doc id: [the bold title, link targets of [[Target]], shown texts of
        [[Target|shown]] and [[Target#Section|shown]], bold names]} - each must survive.
    "cited_urls": {doc id: [URLs exactly as written in url= parameters of cite templates and in
        [URL text] external links, first occurrence order]}. Articles cite the crawled
        CommonCrawl pages under spellings that differ from the crawled URL only in scheme,
        `www.`, host case, a trailing slash or a #fragment.
    "titles": {doc id: title} (one title per language contains '&', escaped in the XML).
    "unknown_templates": {name: uses} - the planted templates no policy knows (names as
        templates.template_key writes them): the stage drops them and counts each as
        `templates.unknown.<name>`; no other template of the sample is unknown.
    "dangling_colon": sorted doc ids whose text has a line ending in ":" right before a
        dropped table (`warnings.dangling_colon`, one per article).
    The planted template articles (wikipedia_cases.py) put each family of word-carrying
        templates (convert in its range forms, e, sfrac, val, As of, dates, mdashb, snd, chem,
        vr, angbr, coord, IPAc-en, Columns-list, hlist, flatlist) in `present_text` as rendered.

"commoncrawl"  (ids "commoncrawl/<uuid>", the uuid of the record's WARC-Record-ID)
    "files": [{"file", "dump", "post_2020_headers", "records"}] - records counts the warcinfo
        record (index 0) and the corrupt one. CC-MAIN-2019-30 has old headers, CC-MAIN-2023-06
        adds WARC-Identified-Content-Language (ISO 639-3, sometimes "deu,eng"; absent on
        gibberish pages).
    "pages": {id: {"kind", "language", "url", "file", "record", "digest", ["cited_as"]}} for
        every readable page; kind is reference, web, non_english, gibberish, short or duplicate.
        English pages are recognised as `en` by lid.176 with score >= 0.83 (seed 0), the
        others as their own language; gibberish pages are >= 300 chars and some of them look
        English to lid.176, so the perplexity filter must catch them.
    "short": ids of pages under 300 characters - dropped by the length filter.
    "non_english": {id: language} - dropped by language identification.
    "gibberish": ids - should land in the tail perplexity bucket (dropped).
    "duplicate_groups": [[ids with one WARC-Block-Digest, sorted]] spanning files and both
        dumps; "duplicate_pages": every id of a group but its smallest - what exact dedup
        keeping the first id drops. Exactly one page of each group survives dedup.
    "cited_by_wikipedia": ids of the pages Wikipedia cites (positives of the reference
        classifier); `cited_as` is the spelling used in the wiki, equal after URL normalisation.
    "corrupt_records": [{"file", "record", "offset", "next_offset", "record_id"}] - a gzip member
        cut in half at byte `offset`; the next good member starts at `next_offset`. A reader must
        log it, skip it and read every later record of the file.
    "boilerplate_lines": [{"family", "variants", "documents"}] - variants differ only in digits,
        case or punctuation, so they normalise to one line; `documents` pages carry a variant
        and line dedup removes all of them. Forum lines "<user> wrote:" and the page title lines
        of shop pages also repeat across pages.
    "navigation_site": {"host", "lines", "pages"} - web pages on one host, each carrying 2-3
        of `lines` (no letter or digit: "«", "|", "•") under its title and at its end; the
        page's own `navigation_lines` (in "pages") says which. No kept page holds such a
        line: the ccnet stage removes them before line dedup.

"c4"
    "built_files": [{"file", "rows"}] already-built C4 rows {"text", "timestamp", "url"} in which
        every line passes C4's line rules.
    "raw_files", "raw_pages": {uuid: {"file", "record", "url", "kind", "expected", "lines"}} -
        see pipeline.sample.c4 for the kinds and statuses; a page of kind `language` also has
        "language" (de, or fr for the last page), which its dropped row must name with a
        lang_score; "duplicate_spans": [{"span", "pages"}] - the span
        (one line of three sentences) must survive in exactly one of its pages.
    "badwords_file", "bad_words": the list written to OUT/c4/badwords.txt.

"github"  (ids "github/<repo_name>/<path>")
    "rows": {id: {"file", "line", "license", "expected"}} with expected keep or drop:<reason>
        (licence, extension, licence_file, max_line_length, mean_line_length,
        alphanumeric_fraction, alpha_per_token, duplicate); "duplicate_groups": [[ids]] (the smallest id is the one
        kept); "licence_headers": {id: {"style", "code_starts_with", ["description"]}};
        "malformed_lines": [{"file", "line"}] (1-based line number).

"books"  (ids "books/gutenberg/<number>[-<rest of the file name>]", "books/books3/<file stem>")
    "gutenberg", "books3": {id: {"file", "title", "first_body_line", "last_body_line",
        "old_style_markers"}} - the cleaned body runs from first to last body line;
        "licence_markers": strings no cleaned book may contain;
        "near_duplicates": [{"ids", "jaccard", "target", "expected"}] with the measured word
        5-gram Jaccard (~0.92: the higher id is dropped; ~0.80: both stay);
        "cases": {id: {"file", "variant", "title", "first_body_line", "last_body_line"}} -
        Gutenberg files in older shapes (no_blank_lines: BOM, CRLF, number only in the
        header; small_print: the 1990s header), cleaned like the others;
        "copy_groups": [{"variant", "files": {id: file}, "first_body_lines",
        "last_body_lines", "jaccard_sums": {id: sum}, "kept", "kept_by", "ocr_slips"}] -
        name_shapes (`pg<n>-<w>.txt` and `pg<n>-<w>-alt-edition.txt`, kept by word_share)
        and three_copies (the central copy, the largest id, kept by jaccard_sum); the
        others are dropped as near_duplicate naming the kept copy and both files.

"arxiv"  (ids "arxiv/<yymm.nnnnn>")
    "tarballs"; "papers": {id: {"tar", "member", "layout", "main", "present"}} - `present`
        holds sentences and macro expansions the cleaned text must contain (e.g.
        "$\\mathbf{x} \\in \\mathbb{R}^{n}$", "... 12\\% ..."); "macro_names_absent" and
        "absent_everywhere" (markers before the first section, in comments, bibliography,
        appendix, and the path-traversal file) must not appear in any cleaned paper;
        "corrupt_members", "path_traversal", "oversized" (+ "oversized_decompressed_bytes"):
        members a correct stage skips (logged and counted), never writing outside its folder.
        "cases": {case: id} - planted real-LaTeX habits (pipeline.sample.arxiv.CASES), each
        kept; their papers add "case", "starts" (what the cleaned text begins with: a
        `\\chapter{`, a class's `\\Section{`) and "absent" (what it must not hold);
        "latex_absent": strings no kept paper may contain (`\\bibliographystyle`, `\\nocite`,
        `\\NeedsTeXFormat`, a `\\ttfamily\\char` grown by a looping macro).

"stackexchange"  (ids "stackexchange/<site>/<question Id>")
    "sites": {site: {"file", "rows", "questions": {id: {"title", "answer_order",
        "answer_scores", "present", "table_rows"}}, "orphan_answers", "tag_wiki_rows",
        "malformed_lines"}} - answer_order is by numeric score, highest first; table_rows are
        lines "cell | cell" of a table whose cells wrap <p>; "absent_markup": HTML that must
        not survive. The smallest site has few posts.
"""

from __future__ import annotations

import json


def save(ground_truth: dict, path: str) -> None:
    """Write the ground truth deterministically (sorted keys, indent 1, trailing newline)."""
    with open(path, "w", encoding="utf-8") as out:
        json.dump(ground_truth, out, sort_keys=True, indent=1, ensure_ascii=False)
        out.write("\n")
