"""The arxiv stage on the sample against its ground truth, and on damaged tarballs."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import zlib
from pathlib import Path

import pytest
import yaml

from pipeline.documents import read_documents
from tests.faults.conftest import ROOT, fleece, sample_manifest
from tests.helpers import tar_of

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("arxiv")
    manifest = sample_manifest(root / "m.yaml", root / "run")
    result = fleece("corpus", "--manifest", str(manifest), "--only", "sample,arxiv",
                    "--keep-dropped")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    run = root / "run"
    truth = json.loads((run / "inputs" / "ground_truth.json").read_text())["arxiv"]
    kept = {r["id"]: r for r in read_documents(str(run / "arxiv" / "part-*.parquet"))}
    drops = [r for r in read_documents(str(run / "arxiv" / "dropped" / "*.parquet"))]
    errors = list(read_documents(str(run / "arxiv" / "errors" / "*.parquet")))
    stats = json.loads((run / "arxiv" / "_stats.json").read_text())["counters"]
    return {"run": run, "manifest": manifest, "truth": truth, "kept": kept, "drops": drops,
            "errors": errors, "stats": stats}  # fmt: skip


def test_every_paper_is_kept_with_its_text_and_its_macros_expanded(built: dict) -> None:
    papers = built["truth"]["papers"]
    assert set(built["kept"]) == set(papers)
    for doc_id, paper in papers.items():
        text = built["kept"][doc_id]["text"]
        for wanted in paper["present"] + paper["expanded"]:
            assert wanted in text, (doc_id, wanted)
        # the preamble, title and abstract went
        assert text.startswith(paper.get("starts", "\\section{")), doc_id
        for unwanted in paper.get("absent", []):
            assert unwanted not in text, (doc_id, unwanted)


def test_preamble_comments_bibliography_appendix_and_macro_names_are_gone(built: dict) -> None:
    absent = built["truth"]["absent_everywhere"] + built["truth"]["macro_names_absent"]
    assert "qxtexcomment" in absent and "qxbibonly" in absent and "\\newcommand" in absent
    for doc in built["kept"].values():
        for marker in absent:
            assert marker not in doc["text"], (doc["id"], marker)
        assert "12\\%" in doc["text"] or "\\%" in doc["text"]  # escaped percent signs stay


def test_planted_latex_habits_are_kept_whole(built: dict) -> None:
    cases, stats = built["truth"]["cases"], built["stats"]
    assert len(cases) == 6 and set(cases.values()) <= set(built["kept"])
    for doc in built["kept"].values():  # no paper keeps bibliography commands or a loop
        for unwanted in built["truth"]["latex_absent"]:
            assert unwanted not in doc["text"], (doc["id"], unwanted)
    # the \def\{ and \def\} in \newenvironment{demo}; the \def\{ that mentions \{
    assert stats["macros.skipped.in_group"] == 2 and stats["macros.skipped.self_reference"] == 1
    chapters = built["kept"][cases["verb_section_chapter"]]["text"]
    assert "qxpreambleonly" not in chapters and "\\verb|" not in chapters


def test_includes_are_inlined_and_recorded(built: dict) -> None:
    projects = [i for i, p in built["truth"]["papers"].items() if p["layout"] == "tar.gz"]
    assert projects
    for doc_id in projects:
        meta = json.loads(built["kept"][doc_id]["meta"])
        assert meta["main_file"] == "main.tex"
        assert meta["files"] == ["main.tex", "macros.tex", "sections/method.tex",
                                 "sections/details.tex", "sections/experiments.tex"]  # fmt: skip


def test_ids_urls_and_the_latest_copy_of_a_resubmitted_paper(built: dict) -> None:
    for doc_id, doc in built["kept"].items():
        assert doc["url"] == "https://arxiv.org/abs/" + doc_id.removeprefix("arxiv/")
    (old,) = built["truth"]["superseded"]
    kept = json.loads(built["kept"][old["id"]]["meta"])
    assert kept["tarball"] == Path(built["truth"]["papers"][old["id"]]["tar"]).name
    assert kept["tarball"] != Path(old["tar"]).name
    (duplicate,) = [d for d in built["drops"] if d["reason"] == "duplicate"]
    assert duplicate["id"] == old["id"]
    assert json.loads(duplicate["meta"])["tarball"] == Path(old["tar"]).name


def test_planted_faults_are_errors_naming_their_member_and_neighbours_are_kept(built: dict) -> None:
    truth, errors = built["truth"], built["errors"]
    found = {(Path(e["file"]).name, e["record"], e["reason"]) for e in errors}
    for key, reason in (("corrupt_members", "corrupt_gzip"), ("oversized", "too_large")):
        (planted,) = truth[key]
        assert any(name == Path(planted["tar"]).name and planted["member"] in record and
                   why == reason for name, record, why in found), (key, found)  # fmt: skip
        assert planted["id"] not in built["kept"]
    # a refused entry loses no paper: a warning, not an error row, so the funnel adds up
    (evil,) = truth["path_traversal"]
    assert evil["id"] in built["kept"]  # the paper stays, without the refused entry
    assert built["stats"]["warnings.path_traversal"] == 1
    assert not any(why == "path_traversal" for _, _, why in found)
    assert built["stats"]["errors.corrupt_gzip"] == 1 and built["stats"]["errors.too_large"] == 1
    # the members after the corrupt one in its tarball are kept
    tar0 = truth["corrupt_members"][0]["tar"]
    assert sum(1 for p in truth["papers"].values() if p["tar"] == tar0) >= 5


def test_a_rerun_is_byte_identical(built: dict) -> None:
    def digests() -> dict[str, str]:
        out = built["run"] / "arxiv"
        return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(out.rglob("*.parquet"))}  # fmt: skip

    before = digests()
    result = fleece("arxiv", "--manifest", str(built["manifest"]), "--force", "--keep-dropped")
    assert result.returncode == 0, result.stderr[-3000:]
    assert digests() == before and len(before) >= 5


def gz_tar(entries: list[tuple[str, bytes]]) -> bytes:
    return gzip.compress(tar_of(entries), mtime=0)


def paper(n: int, extra: str = "") -> bytes:
    return (f"\\documentclass{{article}}\n\\begin{{document}}\nTitle\n\\section{{S{n}}}\n"
            f"Good paper {n}. {extra}\n\\end{{document}}\n").encode()  # fmt: skip


def bomb() -> bytes:
    """1 GiB of zeros as gzip, a few MB on disk."""
    compressor, chunk = zlib.compressobj(1, zlib.DEFLATED, 31), bytes(1 << 20)
    return b"".join(compressor.compress(chunk) for _ in range(1024)) + compressor.flush()


def write_tar(path: Path, members: list[tuple[str, bytes]]) -> None:
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("damaged")
    inputs = root / "inputs"
    inputs.mkdir()
    corrupt = bytearray(gzip.compress(paper(3) * 50, mtime=0))
    corrupt[len(corrupt) // 2] ^= 0xFF
    evil = gz_tar([("main.tex", paper(4, "\\input{../evil} \\input{/etc/x}")),
                   ("../evil.tex", b"\\section{Evil} qxevil"), ("/etc/x", b"qxevil")])  # fmt: skip
    write_tar(inputs / "a.tar", [
        ("2101/2101.00001.gz", gzip.compress(paper(1, "old copy"), mtime=0)),
        ("2101/2101.00002.pdf", b"%PDF-1.4 ..."),
        ("2101/2101.00003.gz", bytes(corrupt)),
        ("2101/2101.00004.gz", evil),
        ("2101/2101.00005.gz", gzip.compress(paper(5, "caf\xe9 na\xefve").decode().encode("cp1252"))),
        ("2101/2101.00006.gz", gzip.compress(b"")),
        ("2101/2101.00007.gz", bomb()),
        ("2101/2101.00008.gz", gzip.compress(paper(8), mtime=0)),
    ])  # fmt: skip
    write_tar(
        inputs / "b.tar",
        [
            ("2102/2102.00009.gz", gzip.compress(paper(9), mtime=0)),
            ("2102/2102.00010.gz", gzip.compress(paper(10) * 200)),
        ],
    )
    cut = (inputs / "b.tar").read_bytes()
    (inputs / "b.tar").write_bytes(cut[: 512 * 3 + 100])  # inside the second member's data
    write_tar(inputs / "c.tar", [("2101/2101.00001.gz", gzip.compress(paper(1, "new copy")))])
    (inputs / "d.tar").write_bytes(b"")
    manifest = root / "m.yaml"
    manifest.write_text(yaml.safe_dump({
        "run_dir": str(root / "run"),
        "sources": {"arxiv": {"inputs": [str(inputs / "*.tar")]}},
    }))  # fmt: skip
    return manifest


def tree(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*")}


def test_bad_members_are_counted_and_the_good_ones_kept(damaged: Path) -> None:
    root = damaged.parent
    before = tree(root)
    etc_x = Path("/etc/x").exists()
    result = fleece("arxiv", "--manifest", str(damaged), "--force", "--keep-dropped")
    assert result.returncode == 0, result.stderr[-3000:]
    run = root / "run"
    stats = json.loads((run / "arxiv" / "_stats.json").read_text())["counters"]
    # a tar cut between members, a file read as cp1252 and a refused entry lose no paper:
    # warnings
    expected = {"errors.corrupt_gzip": 1, "warnings.path_traversal": 2, "errors.too_large": 1,
                "warnings.truncated_tar": 1, "errors.truncated_tar": 1, "errors.empty_file": 1,
                "warnings.decoded_fallback": 1, "dropped.pdf_only": 1, "dropped.duplicate": 1,
                "dropped.no_main_file": 1}  # fmt: skip
    assert {k: stats.get(k) for k in expected} == expected
    kept = {r["id"]: r for r in read_documents(str(run / "arxiv" / "part-*.parquet"))}
    assert set(kept) == {f"arxiv/2101.0000{i}" for i in (1, 4, 5, 8)} | {"arxiv/2102.00009"}
    assert "new copy" in kept["arxiv/2101.00001"]["text"]
    assert "café naïve" in kept["arxiv/2101.00005"]["text"]
    assert "qxevil" not in kept["arxiv/2101.00004"]["text"]
    errors = list(read_documents(str(run / "arxiv" / "errors" / "*.parquet")))
    records = {(Path(e["file"]).name, e["record"]) for e in errors}
    assert ("a.tar", "member 3 '2101/2101.00003.gz'") in records
    assert ("b.tar", "after member 2") not in records  # a warning, counted: no paper lost
    # nothing was written outside the run directory: no evil.tex, no /etc/x
    assert {p for p in tree(root) - before if not p.startswith("run")} == set()
    for folder in (root, ROOT, ROOT.parent, Path(os.getcwd())):
        assert not (folder / "evil.tex").exists()
    assert not list(root.rglob("evil.tex")) and Path("/etc/x").exists() == etc_x


def test_strict_stops_at_the_first_bad_member_naming_it(damaged: Path) -> None:
    result = fleece("arxiv", "--manifest", str(damaged), "--force", "--strict")
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("Error: arxiv: --strict: ")
    assert any(f"{name}: {where}" in line for name, where in (
        ("a.tar", "member 3 '2101/2101.00003.gz': corrupt_gzip"),
        ("a.tar", "member 4 '2101/2101.00004.gz' entry '../evil.tex': path_traversal"),
        ("d.tar", "file: empty_file")))  # fmt: skip
