"""`fleece report DIR --html`: on a small run written inline, the page is the same bytes on
every render, escapes the documents' text, fetches nothing, draws the figures the stages'
statistics call for, and adds the training curves with --train. The page of the real
sample run, opened in a browser: test_report_browser.py."""

from __future__ import annotations

import html
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from pipeline.documents import DOCUMENT_SCHEMA, DROPPED_SCHEMA, Document
from pipeline.report.cli import report
from pipeline.report.html import render
from pipeline.shards.format import FORMAT
from pipeline.show import show

HOSTILE = "<script>alert('x')</script> & </pre><b>bold</b>"


def stats(
    stage: Path,
    counters: dict,
    histograms: dict,
    figures: dict | None = None,
    timing: dict | None = None,
) -> None:
    stage.mkdir(parents=True, exist_ok=True)
    body = {"stage": stage.name, "counters": counters, "histograms": histograms}
    body |= {"figures": figures or {}}
    (stage / "_stats.json").write_text(json.dumps(body))
    if timing:  # where the harness records it (the marker's other fields do not matter here)
        (stage / "_SUCCESS").write_text(json.dumps({"timing": timing}))


def write_run(root: Path, keep_dropped: bool = False) -> Path:
    """Two sources' statistics and documents, ccnet's and StackExchange's statistics (its
    answers merged), and the shards' manifest.json; with `keep_dropped`, dropped rows."""
    stats(
        root / "wikipedia",
        {"read": 10, "kept": 7, "dropped.redirect": 2, "errors.bad_xml": 1, "bytes.kept": 900},
        {"chars.64": 3, "chars.128": 4, "language.en": 5, "language.de": 2},
        timing={"wall_seconds": 12.345, "core_seconds": 45.678},
    )
    stats(
        root / "stackexchange",
        {"read": 9, "kept": 3, "dropped.post_type": 1, "merged.answer": 5, "bytes.read": 2500,
         "bytes.kept": 2400, "bytes.stored": 1_234_567, "files.read": 2},
        {},
    )  # fmt: skip
    stats(
        root / "ccnet",
        {"read": 12, "kept": 8, "dropped.language": 3, "errors.corrupt_member": 1},
        {},
        timing={"wall_seconds": 3.0, "core_seconds": 5.5},
    )
    stats(
        root / "commoncrawl",
        {"read": 8, "kept": 4, "dropped.tail": 3, "dropped.not_reference": 1},
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
    if keep_dropped:
        write_dropped(root)
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


def write_dropped(root: Path) -> None:
    """Rows dropped by wikipedia (2 redirects) and commoncrawl (3 tail, 1 not_reference, and
    1 that ccnet dropped, carried along as commoncrawl's dropped rows carry ccnet's)."""
    dropped = {
        "wikipedia": ["redirect", "redirect"],
        "commoncrawl": ["tail", "tail", "tail", "not_reference", "language"],
    }
    for source, reasons in dropped.items():
        (root / source / "dropped").mkdir()
        rows = [
            Document(
                id=f"{source}/dropped-{i}", source=source, text=f"{reason} text", language="en"
            ).dropped_row(reason)
            for i, reason in enumerate(reasons)
        ]
        pq.write_table(
            pa.Table.from_pylist(rows, schema=DROPPED_SCHEMA),
            root / source / "dropped" / "part-00000.parquet",
        )


def figures(page: str) -> list[str]:
    return re.findall(r'<div class="figure" data-figure="([^"]+)"[^>]*><svg', page)


def test_two_renders_are_the_same_bytes_from_the_run_or_its_shards(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    first = render(str(run))
    assert render(str(run)) == first
    assert render(str(run / "shards")) == first


def test_the_page_draws_what_the_statistics_hold(tmp_path: Path) -> None:
    page = render(str(write_run(tmp_path / "run")))
    assert figures(page) == [
        "mixture", "shard-tokens", "commoncrawl-across",
        "stackexchange-funnel", "wikipedia-funnel", "wikipedia-lengths", "wikipedia-languages",
        "ccnet-funnel", "commoncrawl-funnel", "commoncrawl-lengths", "commoncrawl-perplexity-en",
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


COUNTER_CELL = re.compile(
    r'<td data-stage="([^"]+)" data-counter="([^"]+)" data-value="(-?\d+)">([^<]*)</td>'
)


def shown_counters(page: str) -> list[tuple[str, str, int]]:
    """(stage, counter, value) of every table cell that shows a counter, in page order."""
    return [(stage, name, int(value)) for stage, name, value, _ in COUNTER_CELL.findall(page)]


def recorded_counters(run: Path) -> dict[tuple[str, str], int]:
    found = {}
    for path in run.glob("*/_stats.json"):
        if path.parent.name != "sample":
            counters = json.loads(path.read_text())["counters"]
            found |= {(path.parent.name, name): value for name, value in counters.items()}
    return found


def test_every_counter_is_shown_once_with_its_value(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    shown = shown_counters(render(str(run)))
    keys = [(stage, name) for stage, name, _ in shown]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    assert {(stage, name): value for stage, name, value in shown} == recorded_counters(run)


def test_each_stage_funnel_reads_from_read_to_kept_as_its_counters(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    page = render(str(run))
    for stage in ("wikipedia", "stackexchange", "ccnet", "commoncrawl"):
        section = page[page.index(f'<section id="stage-{stage}">') :]
        funnel = section[section.index('<table class="funnel">') :]
        funnel = funnel[: funnel.index("</table>")]
        steps = [(name, value) for _, name, value in shown_counters(funnel)]
        counters = json.loads((run / stage / "_stats.json").read_text())["counters"]
        assert steps[0] == ("read", counters["read"]) and steps[-1] == ("kept", counters["kept"])
        families = ("read", "kept", "dropped.", "errors.", "merged.")
        assert dict(steps) == {k: v for k, v in counters.items() if k.startswith(families)}
    assert "merged: answer" in page


def test_the_commoncrawl_funnel_goes_from_wet_records_to_pages_kept(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    page = render(str(run))
    (steps,) = re.findall(r'data-figure="commoncrawl-across" data-steps="([^"]+)"', page)
    drawn = [step.split("=") for step in steps.split(" ")]
    counters = recorded_counters(run)
    assert [name for name, _ in drawn] == [
        "ccnet:read", "ccnet:dropped.language", "ccnet:errors.corrupt_member", "ccnet:kept",
        "commoncrawl:dropped.tail", "commoncrawl:dropped.not_reference", "commoncrawl:kept",
    ]  # fmt: skip
    for name, value in drawn:
        assert int(value) == counters[tuple(name.split(":"))], name
    assert "the two stages come from different runs" not in page  # commoncrawl read = ccnet kept


def test_each_stage_shows_its_time_when_the_run_recorded_it(tmp_path: Path) -> None:
    page = render(str(write_run(tmp_path / "run")))
    table = page[page.index('<table id="stages-table">') :]
    cell = r"<td data-timing>([^<]*)</td>"
    rows = re.findall(rf"<tr><td>(\w+)</td>{cell}{cell}", table)
    assert ("wikipedia", "12.3", "45.7") in rows and ("ccnet", "3.0", "5.5") in rows
    assert ("commoncrawl", "", "") in rows  # an older run's stage: no timing, no figure


def test_bytes_are_text_in_one_unit(tmp_path: Path) -> None:
    page = render(str(write_run(tmp_path / "run")))
    text = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)
    # no figure with a unit of its own (the tokens' "63.0 B" are billions, not bytes)
    assert not re.search(r"\d\s?[kKMGTP]i?B\b", text)
    assert 'data-field="bytes" data-value="900">0.001</td>' in text
    # stackexchange's input files (1,234,567 bytes) and its text, each in MB
    assert 'data-counter="bytes.stored" data-value="1234567">1.235</td>' in text
    assert 'data-counter="bytes.read" data-value="2500">0.003</td>' in text
    assert "<th>Input files as stored (MB)</th>" in text and "<th>Disk size (MB)</th>" in text
    assert "<td>83,000.000</td>" in text  # LLaMA's Wikipedia disk, 83 GB


def test_the_page_names_no_absolute_path_but_the_run_directory(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", keep_dropped=True)
    train = tmp_path / "train"
    train.mkdir()
    record = {"kind": "train", "step": 1, "loss": 7.0, "tokens_per_s": 10.0, "mfu": None}
    (train / "metrics.jsonl").write_text(json.dumps(record) + "\n")
    page = render(str(run), str(train))
    line = f'Run <code id="run-dir">{run}</code>'
    assert page.count(str(run)) == 1 and line in page
    rest = page.replace(line, "")
    for prefix in (str(tmp_path), "/tmp", "/home", "/work"):
        assert prefix not in rest, prefix


def test_the_contents_link_to_every_section_and_stage(tmp_path: Path) -> None:
    page = render(str(write_run(tmp_path / "run")))
    nav = page[page.index('<nav id="contents">') : page.index("</nav>")]
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert targets == [
        "mixture", "shards", "stages", "stage-stackexchange", "stage-wikipedia", "stage-ccnet",
        "stage-commoncrawl", "samples",
    ]  # fmt: skip
    assert all(f'id="{target}"' in page for target in targets)
    assert page.index('<nav id="contents">') < page.index('<section id="mixture">')


def test_three_dropped_documents_per_reason_each_with_its_command(
    tmp_path: Path, monkeypatch
) -> None:
    assert "<details" not in render(str(write_run(tmp_path / "plain")))
    run = write_run(tmp_path / "run", keep_dropped=True)
    page = render(str(run))
    assert "<script" not in page
    drawn = {}
    for stage in ("wikipedia", "commoncrawl"):
        block = page[page.index(f'<details id="dropped-{stage}">') :]
        block = block[: block.index("</details>")]
        for reason, articles in re.findall(r"<h4>(\w+)</h4>((?:(?!<h4>).)*)", block, re.S):
            drawn[stage, reason] = re.findall(r"<code>([^<]+)</code>", articles)
    assert {key: len(commands) for key, commands in drawn.items()} == {
        ("wikipedia", "redirect"): 2, ("commoncrawl", "tail"): 3,
        ("commoncrawl", "not_reference"): 1,  # ccnet's language drop is ccnet's, not shown here
    }  # fmt: skip
    monkeypatch.chdir(run)  # the commands are run from the run directory
    for (_, reason), commands in drawn.items():
        for command in commands:
            _, _, path, _, wanted, *_ = shlex.split(html.unescape(command))
            printed = CliRunner().invoke(show, [path, "--id", wanted, "--chars", "0"])
            assert printed.exit_code == 0 and f"reason: {reason}" in printed.output, command


def test_train_draws_each_source_validation_loss_beside_the_overall(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    train = tmp_path / "train"
    train.mkdir()
    records = [{"kind": "train", "step": 1, "loss": 7.0, "tokens_per_s": 10.0, "mfu": None}]
    for step, loss in ((0, 7.0), (10, 6.0)):
        records.append(
            {"kind": "val", "step": step, "val_loss": loss, "val/loss/c4": loss - 0.5,
             "val/tokens/c4": 4096, "val/loss/arxiv": loss + 1, "val/tokens/arxiv": 512}
        )  # fmt: skip
    (train / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    page = render(str(run), str(train))
    assert figures(page)[-3:] == ["loss", "val-loss-sources", "throughput"]
    assert "<tr><td>arxiv</td><td>7.0000</td><td>512</td></tr>" in page
    assert "<tr><td>c4</td><td>5.5000</td><td>4,096</td></tr>" in page
    # the legend names each source, drawn as glyphs each preceded by its text in a comment
    assert "<!-- arxiv -->" in page and "<!-- all sources -->" in page


def test_a_funnel_that_does_not_add_up_is_noted_with_its_gap(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    path = run / "wikipedia" / "_stats.json"
    body = json.loads(path.read_text())
    body["counters"]["read"] += 7  # seven records accounted nowhere
    path.write_text(json.dumps(body))
    page = render(str(run))
    assert page.count("The funnel does not add up") == 1
    assert "merged = 7 records." in page
