"""The arXiv tarballs open with tarfile, and each paper holds what the ground truth says."""

from __future__ import annotations

import gzip
import io
import tarfile
import zlib

import pytest

from pipeline.sample.arxiv import MACRO_USES

EXPANSIONS = {expanded: usage for usage, expanded in MACRO_USES}


def paper_sources(data: bytes) -> dict[str, str]:
    """{file name: text} of one member: a gzipped .tex or a gzipped tar."""
    inflated = gzip.decompress(data)
    if inflated[257:262] != b"ustar":  # a gzipped .tex, not a gzipped tar
        return {"main.tex": inflated.decode("utf-8")}
    with tarfile.open(fileobj=io.BytesIO(inflated)) as inner:
        return {m.name: inner.extractfile(m).read().decode("utf-8") for m in inner.getmembers()}


def members(sample_dir: str, truth: dict) -> dict[str, bytes]:
    out = {}
    for info in truth["tarballs"]:
        with tarfile.open(f"{sample_dir}/{info['file']}") as tar:
            names = tar.getnames()
            assert len(names) == info["members"]
            for name in names:
                out[f"{info['file']}:{name}"] = tar.extractfile(name).read()
    return out


def test_papers(sample_dir, ground_truth):
    truth = ground_truth["arxiv"]
    data = members(sample_dir, truth)
    layouts = set()
    for doc_id, paper in truth["papers"].items():
        assert paper["member"].endswith(doc_id.split("/")[1] + ".gz")
        sources = paper_sources(data[f"{paper['tar']}:{paper['member']}"])
        layouts.add(paper["layout"])
        mains = [n for n, t in sources.items() if "\n\\documentclass" in "\n" + t]
        assert mains == ["main.tex"]
        everything = "\n".join(sources.values())
        for kept in paper["present"]:
            assert (EXPANSIONS.get(kept) or kept) in everything, kept
        for marker in ("qxpreambleonly", "qxtexcomment", "qxbibonly", "qxappendixonly"):
            assert marker in everything
        assert "\\newcommand" in everything and "\\def\\norm#1" in everything
        if paper["layout"] == "tar.gz":
            assert "\\input{sections/method}" in sources["main.tex"]
            assert "\\include{sections/experiments}" in sources["main.tex"]
    assert layouts == {"tex.gz", "tar.gz"}


def test_planted_faults(sample_dir, ground_truth):
    truth = ground_truth["arxiv"]
    data = members(sample_dir, truth)
    (corrupt,) = truth["corrupt_members"]
    with pytest.raises((EOFError, OSError, zlib.error)):
        gzip.decompress(data[f"{corrupt['tar']}:{corrupt['member']}"])
    (evil,) = truth["path_traversal"]
    sources = paper_sources(data[f"{evil['tar']}:{evil['member']}"])
    assert "../evil.tex" in sources and evil["marker"] in sources["../evil.tex"]
    assert "\\input{../evil}" in sources["main.tex"]
    (big,) = truth["oversized"]
    compressed = data[f"{big['tar']}:{big['member']}"]
    assert len(compressed) < 1024 * 1024
    inflater, total = zlib.decompressobj(31), 0
    for start in range(0, len(compressed), 65536):
        total += len(inflater.decompress(compressed[start : start + 65536]))
    assert total == truth["oversized_decompressed_bytes"] > 100 * len(compressed)


def test_planted_latex_habits(sample_dir, ground_truth):
    truth = ground_truth["arxiv"]
    data = members(sample_dir, truth)
    assert set(truth["cases"]) == {"needs_tex_format", "def_in_group", "self_reference",
                                   "verb_section_chapter", "class_sectioning",
                                   "bibliography_commands"}  # fmt: skip
    source = {}
    for case, doc_id in truth["cases"].items():
        paper = truth["papers"][doc_id]
        assert paper["case"] == case
        (source[case],) = paper_sources(data[f"{paper['tar']}:{paper['member']}"]).values()
        assert source[case].count("qxtexcomment") >= 2 and "\\newcommand{\\vect}" in source[case]
    head = source["needs_tex_format"].split("\\documentclass")[0]
    assert "\\NeedsTeXFormat{LaTeX2e}%" in head and head.endswith(
        "% LaTeX date must be December 1994 or later\n"
    )
    assert "\\newenvironment{demo}{\\ttfamily\\def\\{{" in source["def_in_group"]
    assert "\n\\def\\{{\\ttfamily\\char`\\{}\n" in source["self_reference"]
    for case in ("def_in_group", "self_reference"):
        assert "$S = \\{x : x > 0\\}$" in source[case].split("\\begin{document}")[1]
    chapters = source["verb_section_chapter"]
    assert "\\verb|\\section{Title}|" in chapters and "\\Verb+\\section*{Title}+" in chapters
    body = chapters.split("\\appendix")[0]
    assert "\n\\section" not in body and body.count("\n\\chapter{") == 2
    assert source["class_sectioning"].count("\n\\Section{") == 2
    assert "\n\\section{" not in source["class_sectioning"].split("\\appendix")[0]
    cited = source["bibliography_commands"]
    assert "We cite every entry.\\nocite{*}\n\\bibliographystyle{unsrt}\n" in cited
