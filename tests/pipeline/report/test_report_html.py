"""`fleece report DIR --html`: on a small run written inline, the page is the same bytes on
every render, escapes the documents' text, fetches nothing, draws the figures the stages'
statistics call for, and adds the training curves with --train. The page of the real
sample run, opened in a browser: test_report_browser.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from pipeline.documents import DOCUMENT_SCHEMA, Document
from pipeline.report.cli import report
from pipeline.report.html import render
from pipeline.shards.format import FORMAT

HOSTILE = "<script>alert('x')</script> & </pre><b>bold</b>"


def stats(stage: Path, counters: dict, histograms: dict, figures: dict | None = None) -> None:
    stage.mkdir(parents=True, exist_ok=True)
    body = {"stage": stage.name, "counters": counters, "histograms": histograms}
    (stage / "_stats.json").write_text(json.dumps({**body, "figures": figures or {}}))


def write_run(root: Path) -> Path:
    """Two sources' statistics and documents, and the shards' manifest.json."""
    stats(
        root / "wikipedia",
        {"read": 10, "kept": 7, "dropped.redirect": 2, "errors.bad_xml": 1, "bytes.kept": 900},
        {"chars.64": 3, "chars.128": 4, "language.en": 5, "language.de": 2},
    )
    stats(
        root / "commoncrawl",
        {"kept": 4, "dropped.tail": 3, "dropped.not_reference": 1},
        {
            "chars.512": 4, "language.en": 4, "log10_perplexity.en.1.00": 3,
            "log10_perplexity.en.2.00": 5, "wiki_prob.0.20": 1, "wiki_prob.0.85": 4,
        },
        {"cutoffs.en.head": 20.0, "cutoffs.en.middle": 110.0, "min_wiki_prob": 0.65},
    )  # fmt: skip
    stats(root / "sample", {"files.written": 3}, {})
    for source, texts in {"wikipedia": [HOSTILE, "plain"], "commoncrawl": ["a page"]}.items():
        rows = [
            Document(id=f"{source}/{i}", source=source, text=t, language="en").row()
            for i, t in enumerate(texts)
        ]
        pq.write_table(
            pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA),
            root / source / "part-00000.parquet",
        )
    mixture = {
        "commoncrawl": {"target": 0.8, "achieved": 0.7925, "epochs": 3.5, "tokens": 792,
                        "documents": 12, "bytes": 400},
        "wikipedia": {"target": 0.2, "achieved": 0.2075, "epochs": 1.25, "tokens": 208,
                      "documents": 9, "bytes": 900},
    }  # fmt: skip
    manifest = {
        "format": FORMAT,
        "vocab_size": 600,
        "dtype": "uint16",
        "shards": [
            {"file": "train-00000.arrow", "split": "train", "documents": 21, "tokens": 1000},
            {"file": "val-00000.arrow", "split": "val", "documents": 2, "tokens": 30},
        ],
        "splits": {
            "train": {"documents": 21, "tokens": 1000},
            "val": {"documents": 2, "tokens": 30},
        },
        "mixture": mixture,
        "missing_sources": [],
        "token_target": 1000,
        "seed": 0,
        # the threshold drawn is the one the stage recorded in its figures, not this
        "run_manifest": {"sources": {"commoncrawl": {"keep": {"min_wiki_prob": 0.9}}}},
        "code_version": "0.1.0+test",
    }
    (root / "shards").mkdir()
    (root / "shards" / "manifest.json").write_text(json.dumps(manifest))
    return root


def figures(page: str) -> list[str]:
    return re.findall(r'<div class="figure" data-figure="([^"]+)"><svg', page)


def test_two_renders_are_the_same_bytes_from_the_run_or_its_shards(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    first = render(str(run))
    assert render(str(run)) == first
    assert render(str(run / "shards")) == first


def test_the_page_draws_what_the_statistics_hold(tmp_path: Path) -> None:
    page = render(str(write_run(tmp_path / "run")))
    assert figures(page) == [
        "mixture", "shard-tokens",
        "wikipedia-funnel", "wikipedia-lengths", "wikipedia-languages",
        "commoncrawl-funnel", "commoncrawl-lengths", "commoncrawl-perplexity-en",
        "commoncrawl-wiki-prob",
    ]  # fmt: skip
    # the figures' texts are drawn as glyphs, each preceded by itself in a comment
    assert "<!-- head ≤ 20 -->" in page and "<!-- middle ≤ 110 -->" in page
    assert "<!-- min_wiki_prob 0.65 -->" in page
    assert "<!-- dropped: redirect -->" in page and "<!-- error: bad_xml -->" in page
    assert 'id="stage-sample"' not in page  # the inputs' writer is not a corpus stage
    assert '<tr data-source="commoncrawl"><td>CommonCrawl</td><td data-field="achieved" ' in page
    assert 'data-value="0.7925">79.25%</td>' in page
    assert page.count('<article class="sample"') == 3


def test_document_text_is_escaped(tmp_path: Path) -> None:
    page = render(str(write_run(tmp_path / "run")))
    assert "<script" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;/pre&gt;" in page


def test_the_page_fetches_nothing(tmp_path: Path) -> None:
    page = render(str(write_run(tmp_path / "run")))
    links = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page)
    assert links and all(link.startswith(("#", "data:")) for link in links), links
    # url() only to the page's own elements (matplotlib's clip paths)
    assert "@import" not in page and not re.search(r"url\((?!#)", page)


def test_train_adds_the_curves(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    train = tmp_path / "train"
    train.mkdir()
    records = [{"kind": "val", "step": 0, "val_loss": 6.5}]
    records += [
        {"kind": "train", "step": s, "loss": 7.0 - s / 10, "tokens_per_s": 1000.0 + s,
         "mfu": 0.3 if s > 1 else None, "lr": 1e-3}
        for s in range(1, 11)
    ]  # fmt: skip
    records.append({"kind": "val", "step": 10, "val_loss": 6.2})
    (train / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    page = render(str(run), str(train))
    assert figures(page)[-3:] == ["loss", "throughput", "mfu"]
    assert "last training loss 6.0000, last validation loss 6.2000" in page
    assert "median 1,006 tokens/s, median MFU 30.0%" in page


def test_the_command_writes_the_page_and_says_where(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(report, [str(run), "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"report: {out}\n"
    assert out.read_text(encoding="utf-8") == render(str(run))
    misuse = CliRunner().invoke(report, [str(run), "--train", str(tmp_path)])
    assert misuse.exit_code == 2 and "--train goes with --html" in misuse.output
    missing = CliRunner().invoke(report, [str(tmp_path / "nothing"), "--html", str(out)])
    assert missing.exit_code == 1 and "neither a run directory nor shards" in missing.output
    no_run = CliRunner().invoke(report, [str(run), "--html", str(out), "--train", str(run)])
    assert no_run.exit_code == 1 and "no metrics.jsonl" in no_run.output


def test_only_the_page_imports_matplotlib() -> None:
    code = (
        "import sys\nfrom pipeline.cli import main\n"
        "try:\n    main(['report', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('LOADED', 'matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--html OUT.html" in out.stdout and "LOADED False" in out.stdout
