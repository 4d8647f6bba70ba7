"""The manifest contract and the command line: bad manifests fail before anything runs,
naming the key; the reference lists every key; `fleece --help` imports neither Beam nor
torch; every stage documents its parameters."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
import yaml

from pipeline.config import RunConfig, load_manifest_text
from pipeline.harness.commands import config_section
from pipeline.harness.stage import find_stage
from pipeline.stages import ALIASES, table
from settings import ConfigError, defaults_yaml, to_dict
from tests.helpers import run_fleece, write_manifest


def test_unknown_key_is_named_with_its_path():
    with pytest.raises(
        ConfigError,
        match=r"^sources\.wikipedia\.languges: unknown key \(did you mean languages\?\)$",
    ):
        load_manifest_text("sources:\n  wikipedia:\n    languges: [en]\n")


def test_wrong_types_are_named_with_their_path():
    with pytest.raises(
        ConfigError, match=r"^sources\.wikipedia\.min_body_chars: expected an integer"
    ):
        load_manifest_text("sources: {wikipedia: {min_body_chars: ten}}")
    with pytest.raises(
        ConfigError, match=r"^sources\.wikipedia\.languages\[1\]: expected a string"
    ):
        load_manifest_text("sources: {wikipedia: {languages: [en, 3]}}")
    with pytest.raises(ConfigError, match=r"^runner: expected a mapping"):
        load_manifest_text("runner: fast")


def test_overrides_keep_the_other_defaults():
    run = load_manifest_text("seed: 7\nsources: {wikipedia: {languages: [en, de]}}")
    assert run.seed == 7 and run.sources.wikipedia.languages == ["en", "de"]
    assert run.sources.wikipedia.namespaces == [0] and run.tokenizer.vocab_size == 32000


def test_bad_manifest_fails_before_any_stage_runs(tmp_path):
    manifest = write_manifest(
        tmp_path / "m.yaml",
        {"run_dir": str(tmp_path / "run"), "sources": {"wikipedia": {"languges": []}}},
    )
    result = run_fleece("corpus", "--manifest", str(manifest), expect_ok=False)
    assert result.exit_code == 1 and "sources.wikipedia.languges: unknown key" in result.output
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"sample": {"scale": -3}}, "sample.scale: must be at least 1, got -3"),
        ({"runner": {"direct_running_mode": "bogus"}}, "runner.direct_running_mode: 'bogus' is"),
        ({"shards": {"shard_bytes": 0}}, "shards.shard_bytes: must be at least 1024, got 0"),
        ({"tokenizer": {"vocab_size": 0}}, "tokenizer.vocab_size: must be at least 300"),
    ],
)
def test_values_out_of_bounds_fail_before_anything_is_written(tmp_path, section, message):
    manifest = write_manifest(tmp_path / "m.yaml", {"run_dir": str(tmp_path / "run"), **section})
    result = run_fleece("corpus", "--manifest", str(manifest), expect_ok=False)
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "run").exists()


def test_defaults_reference_is_the_complete_manifest_with_comments():
    text = run_fleece("config", "--defaults").output
    assert text == defaults_yaml(RunConfig)
    assert yaml.safe_load(text) == to_dict(RunConfig())
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.lstrip().startswith("#"):
            assert lines[i - 1].lstrip().startswith("# "), f"no comment above {line!r}"


def test_help_lists_the_stages_without_importing_beam_or_torch():
    code = (
        "import sys\nfrom pipeline.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('LOADED', 'apache_beam' in sys.modules, 'torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "LOADED False False" in out.stdout
    tools = ["corpus", "verify", "report", "plan", "show", "config", "train", "generate"]
    for name in [*tools, *(e.name for e in table()), *ALIASES]:
        assert f"\n  {name} " in out.stdout


# `fleece sample OUT` writes a sample anywhere (its options are its own), so the stages whose
# command runs the stage of a manifest are the others.
MANIFEST_STAGES = [e.name for e in table() if e.name != "sample"]


@pytest.mark.parametrize("name", MANIFEST_STAGES)
def test_every_stage_documents_its_parameters(name):
    text = " ".join(run_fleece(name, "--help").output.split())
    for f in dataclasses.fields(config_section(RunConfig(), find_stage(name).config_key)):
        assert f"{f.name} =" in text, f.name
        assert " ".join(f.metadata["help"].split()) in text, f.name


def test_an_alias_runs_the_same_stage():
    for alias, name in ALIASES.items():
        shown, real = (run_fleece(n, "--help").output.splitlines() for n in (alias, name))
        assert shown[0] == real[0].replace(f" {name} ", f" {alias} ") and shown[1:] == real[1:]
