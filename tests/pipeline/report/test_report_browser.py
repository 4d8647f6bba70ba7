"""The report `fleece corpus` writes for the sample run, opened in a real headless browser:
Debian's chromium driven through Debian's chromedriver (never a downloaded one). No console
error, every figure drawn, the mixture table equal to manifest.json, every sample's
`fleece show` command printing its document; `fleece corpus` says where the page is, and
renders it again in the same bytes."""

from __future__ import annotations

import html
import json
import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.counters import UNKNOWN_TEMPLATES
from pipeline.show import show
from tests.faults.conftest import fleece
from tests.pipeline.report.test_report_html import recorded_counters, shown_counters

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
        reason="Debian's chromium and chromium-driver are not installed (`make install` adds them)",
    ),
]

# the declared order: a source after those it reads (commoncrawl reads wikipedia), then by name
SOURCES = ["arxiv", "books", "c4", "github", "stackexchange", "wikipedia", "commoncrawl"]
# what the sample's statistics call for: every source's funnel and lengths, the languages of
# the multilingual ones, CommonCrawl's perplexity (English has the sample's only model) and
# wiki_prob
EXPECTED_FIGURES = {
    "mixture", "shard-tokens", "ccnet-funnel", "ccnet-lengths", "wikipedia-languages",
    "commoncrawl-perplexity-en", "commoncrawl-wiki-prob",
    *(f"{source}-{kind}" for source in SOURCES for kind in ("funnel", "lengths")),
}  # fmt: skip


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must never fetch a driver
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_window_size(1200, 900)
    yield driver
    driver.quit()


# For each figure: its size on the page and how many of its paths enclose some area
# (matplotlib draws bars, lines and glyphs as paths).
DRAWN = """
return [...document.querySelectorAll('div.figure')].map(figure => {
  const svg = figure.querySelector('svg'), box = svg.getBoundingClientRect();
  const painted = [...svg.querySelectorAll('path')].filter(path => {
    const b = path.getBBox(); return b.width > 0 || b.height > 0; }).length;
  return [figure.dataset.figure, box.width, box.height, painted];
});
"""


def test_the_sample_report_opens_in_a_browser_with_every_figure_drawn(
    sample_run: Path, browser
) -> None:
    from selenium.webdriver.common.by import By

    page = sample_run / "report.html"
    assert page.exists(), "fleece corpus wrote no report.html"
    browser.get(page.as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    drawn = browser.execute_script(DRAWN)
    names = [name for name, *_ in drawn]
    assert len(names) == len(set(names)) and EXPECTED_FIGURES <= set(names), names
    for name, width, height, painted in drawn:
        assert width > 100 and height > 50 and painted > 10, (name, width, height, painted)

    manifest = json.loads((sample_run / "shards" / "manifest.json").read_text())
    rows = browser.find_elements(By.CSS_SELECTOR, "#mixture-table tr[data-source]")
    assert [row.get_attribute("data-source") for row in rows] == SOURCES
    for row in rows:
        figures = manifest["mixture"][row.get_attribute("data-source")]
        for cell in row.find_elements(By.CSS_SELECTOR, "td[data-field]"):
            field = cell.get_attribute("data-field")
            assert float(cell.get_attribute("data-value")) == figures[field], field
            if field in ("achieved", "target"):
                assert cell.text == f"{100 * figures[field]:.2f}%"
            elif field == "epochs":
                assert cell.text == f"{figures[field]:.2f}"


def test_each_sample_names_the_command_that_prints_it(sample_run: Path, monkeypatch) -> None:
    text = (sample_run / "report.html").read_text(encoding="utf-8")
    samples = text[text.index('<section id="samples">') :]
    commands = [html.unescape(command) for command in _commands(samples)]
    assert len(commands) == 3 * len(SOURCES)
    _, _, path, _, wanted, *_ = shlex.split(commands[0])
    monkeypatch.chdir(sample_run)  # the page's paths are relative to the run directory
    printed = CliRunner().invoke(show, [path, "--id", wanted, "--chars", "0"])
    assert printed.exit_code == 0 and f"id: {wanted} " in printed.output


def _commands(page: str) -> Iterator[str]:
    for line in page.splitlines():
        if line.startswith("<p>Whole: <code>"):
            yield line.removeprefix("<p>Whole: <code>").removesuffix("</code></p>")


def test_corpus_says_where_the_report_is_and_renders_it_again_the_same(sample_run: Path) -> None:
    page = sample_run / "report.html"
    first = page.read_bytes()
    manifest = sample_run.parent / f"{sample_run.name}.yaml"  # as tests/faults/stage_runs.py
    result = fleece("corpus", "--manifest", str(manifest))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"report: {page}"
    assert page.read_bytes() == first


def test_the_sample_report_shows_every_counter_once_as_recorded(sample_run: Path) -> None:
    page = (sample_run / "report.html").read_text(encoding="utf-8")
    shown = shown_counters(page)
    keys = [(stage, name) for stage, name, _ in shown]
    assert len(keys) == len(set(keys))
    recorded = recorded_counters(sample_run)
    assert all(recorded[stage, name] == value for stage, name, value in shown)
    # every counter but the unknown templates past the top 50
    assert {k for k in recorded if not k[1].startswith(UNKNOWN_TEMPLATES)} <= set(keys)
    (steps,) = re.findall(r'data-figure="commoncrawl-across" data-steps="([^"]+)"', page)
    for step in steps.split(" "):
        name, value = step.split("=")
        assert int(value) == recorded[tuple(name.split(":"))], name
