"""The manifest `make realtext` writes: fleece's own configuration loads it, a source's own
keys win over the small-corpus settings, and a wrong key fails before the run."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.config import load_manifest_text
from realtext.__main__ import SOURCES
from realtext.manifest import manifest_text, merged, run_manifest, sections_of
from settings.loader import ConfigError


def sections(inputs: Path) -> dict[str, dict]:
    found = {source: {"inputs": [str(inputs / source / "*")]} for source in SOURCES}
    found["commoncrawl"]["lm"] = {"vocab_size": 2000}  # the module's own, over the defaults
    return found


def test_the_manifest_of_all_seven_sources_loads_with_the_real_config_classes(
    tmp_path: Path,
) -> None:
    run = load_manifest_text(manifest_text(run_manifest(tmp_path / "run", sections(tmp_path))))
    assert run.run_dir == str(tmp_path / "run")
    for source in SOURCES:
        assert getattr(run.sources, source).inputs == [str(tmp_path / source / "*")]
    commoncrawl = run.sources.commoncrawl
    assert commoncrawl.lm.vocab_size == 2000
    assert commoncrawl.lm.min_characters == 50_000  # the small-corpus setting stays beside it
    assert commoncrawl.reference_classifier.enabled is False
    assert run.tokenizer.vocab_size == 8000
    assert run.shards.token_target == 1_000_000


def test_a_wrong_key_fails_naming_it(tmp_path: Path) -> None:
    wrong = sections(tmp_path)
    wrong["github"]["licences"] = ["mit"]  # the key is `licenses`
    with pytest.raises(ConfigError, match=r"sources\.github\.licences"):
        manifest_text(run_manifest(tmp_path / "run", wrong))


def test_merged_replaces_values_and_merges_mappings_key_by_key() -> None:
    base = {"lm": {"min_characters": 5, "vocab_size": 4}, "inputs": ["a"], "keep": 1}
    over = {"lm": {"vocab_size": 9}, "inputs": ["b"]}
    assert merged(base, over) == {"lm": {"min_characters": 5, "vocab_size": 9}, "inputs": ["b"],
                                  "keep": 1}  # fmt: skip
    assert base["lm"]["vocab_size"] == 4  # left as it was


def test_sections_of_reads_back_a_written_manifest(tmp_path: Path) -> None:
    path = tmp_path / "manifest.yaml"
    assert sections_of(path) == {}
    written = run_manifest(tmp_path / "run", sections(tmp_path))
    path.write_text(manifest_text(written))
    assert sections_of(path) == yaml.safe_load(path.read_text())["sources"]
    assert sections_of(path)["books"] == {"inputs": [str(tmp_path / "books" / "*")]}
