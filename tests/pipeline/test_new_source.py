"""An eighth source, added the way the README's "Adding a source" says: its files are the
README's code blocks (read from there, so the two cannot drift), installed with pip as a
distribution of their own and registered through the entry-point group `fleece.sources`.

pip installs it with `--target` into this test's folder and the `fleece` processes get that
folder on PYTHONPATH (Beam's workers inherit it), so the project's virtualenv, and every
other test, never sees the source. The run is a copy of the sample corpus the test worker
built (`sample_run`, only read here): the copied stages are complete, so `fleece corpus` runs
only the new source, the tokenizer, encode and shards.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from pipeline.documents import read_documents
from pipeline.registry import source_names
from pipeline.shards.format import ShardReader
from pipeline.stages import stage_names

ROOT = Path(__file__).resolve().parents[2]
FLEECE = str(Path(sys.executable).with_name("fleece"))
RUFF = str(Path(sys.executable).with_name("ruff"))
SECTION = "## Adding a source"
DISTRIBUTION = "fleece-reviews"
# the seven and the stage table, as this process (which has not the new source) sees them
BUILT_IN, TABLE = source_names(), stage_names()
RUN = ("reviews", "tokenizer", "encode", "shards")  # what a run with the new source redoes

# the review files of the test; one is too short for `min_words` and one is not JSON
REVIEWS = [
    {"id": f"r{i:03d}", "product": f"kettle-{i % 7}", "text": text}
    for i, text in enumerate(
        f"Review {i}: the kettle boils {i % 5 + 1} litres in {i % 9 + 2} minutes, "
        f"{['quietly', 'loudly', 'slowly', 'fast'][i % 4]} and without a drip; "
        f"the handle stays cool and the lid {['clicks', 'sticks', 'opens'][i % 3]} shut."
        for i in range(60)
    )
]
SHORT = {"id": "short-1", "product": "kettle-0", "text": "Too loud."}
NOT_JSON = b'{"id": "broken", "text": "unterminated'


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n{SECTION}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else None]


def readme_blocks() -> list[tuple[str, str]]:
    """(language, text) of every fenced block of the README's "Adding a source"."""
    return re.findall(r"^```(\w*)\n(.*?)^```$", readme_section(), flags=re.M | re.S)


def readme_files() -> dict[str, str]:
    """The distribution's files: the blocks whose first line is `# fleece-reviews/<path>`."""
    files = {}
    for _, block in readme_blocks():
        first, _, rest = block.partition("\n")
        if first.startswith(f"# {DISTRIBUTION}/"):
            files[first.removeprefix(f"# {DISTRIBUTION}/")] = rest
    return files


def readme_manifest_lines() -> dict:
    (block,) = [text for language, text in readme_blocks() if language == "yaml"]
    return yaml.safe_load(block)


def merged(base: dict, changes: dict) -> dict:
    """`base` with `changes` laid over it, mapping by mapping."""
    out = dict(base)
    for key, value in changes.items():
        both = isinstance(value, dict) and isinstance(base.get(key), dict)
        out[key] = merged(base[key], value) if both else value
    return out


def install(tmp: Path) -> dict[str, str]:
    """Write the README's distribution under `tmp`, pip-install it into `tmp/site`; the
    environment in which `fleece` sees it."""
    source = tmp / DISTRIBUTION
    for name, text in readme_files().items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text, encoding="utf-8")
    site = tmp / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    pip += ["--no-build-isolation", "--target", str(site), str(source)]
    result = subprocess.run(pip, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    path = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


def write_reviews(path: Path) -> None:
    lines = [json.dumps(r).encode() for r in REVIEWS[:30]]
    lines += [json.dumps(SHORT).encode(), NOT_JSON]
    lines += [json.dumps(r).encode() for r in REVIEWS[30:]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n", mtime=0))


def fleece(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [FLEECE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )


class Built(NamedTuple):
    """The copied run after `fleece corpus`, the user's folder, the environment in which
    `fleece` sees the new source, and what `fleece corpus` said."""

    run_dir: Path
    work: Path
    env: dict[str, str]
    corpus: subprocess.CompletedProcess


@pytest.fixture(scope="module")
def built(sample_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    tmp = tmp_path_factory.mktemp("eighth-source")
    env = install(tmp)
    # a copy of the sample corpus, inputs and all; copytree keeps every file's mtime
    run_dir = tmp / "run"
    shutil.copytree(sample_run, run_dir)
    # the user's working folder: the manifest and the review files the README names
    work = tmp / "work"
    write_reviews(work / "data" / "reviews" / "reviews.jsonl.gz")
    manifest = yaml.safe_load((ROOT / "manifests" / "sample.yaml").read_text())
    manifest = merged({**manifest, "run_dir": str(run_dir)}, readme_manifest_lines())
    (work / "my.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    corpus = fleece(env, work, "corpus", "--manifest", "my.yaml")
    assert corpus.returncode == 0, corpus.stdout + corpus.stderr
    return Built(run_dir, work, env, corpus)


def test_the_readme_shows_the_whole_distribution(tmp_path: Path) -> None:
    files = readme_files()
    assert sorted(files) == [
        "fleece_reviews/__init__.py",
        "fleece_reviews/config.py",
        "fleece_reviews/stage.py",
        "pyproject.toml",
    ]
    assert set(readme_manifest_lines()["shards"]["ratios"]) == {*BUILT_IN, "reviews"}
    # the example keeps the project's lint and format rules, seen from its own folder (where
    # fleece_reviews is first-party and pipeline is not)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    for check in (["check"], ["format", "--check"]):
        command = [RUFF, *check, "--config", str(ROOT / "pyproject.toml"), "."]
        result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_corpus_runs_only_the_new_source_and_what_follows_it(built: Built) -> None:
    said = built.corpus.stdout
    for name in [n for n in TABLE if n not in RUN]:  # the sample and the seven sources' stages
        assert re.search(rf"^{name}: complete \(.*; nothing to do$", said, re.M), said
    for name in RUN:
        assert re.search(rf"^{name}: running ", said, re.M), said
        assert re.search(rf"^{name}: done ", said, re.M), said
    assert "reviews: 1 bad record(s):" in said  # the line that is not JSON


@pytest.mark.slow
def test_the_rule_and_the_reader_count_what_they_removed(built: Built) -> None:
    stats = json.loads((built.run_dir / "reviews" / "_stats.json").read_text())["counters"]
    assert stats["kept"] == len(REVIEWS)
    assert stats["dropped.short"] == 1
    assert stats["errors.malformed_json"] == 1
    ids = {row["id"] for row in read_documents(str(built.run_dir / "reviews" / "part-*.parquet"))}
    assert ids == {f"reviews/{r['id']}" for r in REVIEWS}


@pytest.mark.slow
def test_its_documents_reach_the_shards(built: Built) -> None:
    shards = built.run_dir / "shards"
    rows = []  # (source, id) of every training row
    for path in sorted(shards.glob("train-*.arrow")):
        with ShardReader(str(path)) as shard:
            rows += zip(shard.sources(), shard.ids(), strict=True)
    reviews = {id_ for source, id_ in rows if source == "reviews"}
    assert reviews and reviews <= {f"reviews/{r['id']}" for r in REVIEWS}
    manifest = json.loads((shards / "manifest.json").read_text())
    assert set(manifest["mixture"]) == {*BUILT_IN, "reviews"}
    assert manifest["mixture"]["reviews"]["tokens"] > 0


@pytest.mark.slow
def test_the_report_shows_its_row_and_its_stage(built: Built) -> None:
    page = (built.run_dir / "report.html").read_text(encoding="utf-8")
    assert '<tr data-source="reviews">' in page
    assert '<section id="stage-reviews">' in page


@pytest.mark.slow
def test_help_and_the_defaults_list_it(built: Built) -> None:
    listed = fleece(built.env, built.work, "--help")
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^\s+reviews\s+Stage: product reviews", listed.stdout, re.M), listed.stdout
    defaults = fleece(built.env, built.work, "config", "--defaults")
    assert defaults.returncode == 0, defaults.stderr
    assert re.search(r"^  reviews:", defaults.stdout, re.M), defaults.stdout
    assert "min_words: 5" in defaults.stdout
