"""The command line refuses what it does not understand, in one line and before any stage
runs: a flag neither fleece nor Beam knows (Beam would drop it with a hidden warning), an
unknown manifest or `-o` key (blamed on where it was typed), a path `fleece show` cannot
find. Exit codes: 0 done, 1 the user's input or environment, 2 usage."""

from __future__ import annotations

import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.helpers import run_fleece, write_manifest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    return write_manifest(tmp_path / "m.yaml", {"run_dir": str(tmp_path / "run")})


def refusal(*args: str) -> tuple[int, str]:
    result = run_fleece(*args, expect_ok=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("command", ["corpus", "wikipedia", "shards"])
@pytest.mark.parametrize(
    ("flags", "line"),
    [
        (["--limt", "5"], "no such option: --limt (did you mean --limit?)"),
        (["--limt=5"], "no such option: --limt (did you mean --limit?)"),
        (["--keep_dropped"], "no such option: --keep_dropped (did you mean --keep-dropped?)"),
        (["--runer=DirectRunner"], "no such option: --runer (did you mean --runner?)"),
        (["--xyzzy"], "no such option: --xyzzy"),
        (["surplus"], "unexpected argument: surplus"),
        (
            ["--", "--runner=DirectRunner"],
            "unexpected argument after --: --runner=DirectRunner (Beam's flags go before --)",
        ),
        (
            ["--direct_num_workers=two"],
            "argument --direct_num_workers: invalid int value: 'two'",
        ),
    ],
)
def test_a_flag_beam_does_not_know_is_a_usage_line_before_any_stage_runs(
    manifest: Path, command: str, flags: list[str], line: str
) -> None:
    code, output = refusal(command, "--manifest", str(manifest), *flags)
    assert (code, output) == (2, f"Error: {line}\n")
    assert not (manifest.parent / "run").exists()


def test_the_flags_are_refused_before_the_manifest_is_read(tmp_path: Path) -> None:
    code, output = refusal("corpus", "--manifest", str(tmp_path / "none.yaml"), "--limt", "5")
    assert (code, output) == (2, "Error: no such option: --limt (did you mean --limit?)\n")


@pytest.mark.parametrize(
    ("command", "module"), [("corpus", "pipeline.corpus"), ("github", "pipeline.harness.commands")]
)
def test_flags_beam_knows_still_reach_it(
    manifest: Path, monkeypatch: pytest.MonkeyPatch, command: str, module: str
) -> None:
    handed: list[list[str]] = []

    def run_stages(*_args: object, extra_beam_args: list[str], **_flags: object) -> list[str]:
        handed.append(extra_beam_args)
        return []

    monkeypatch.setattr(f"{module}.run_stages", run_stages)
    monkeypatch.setattr("pipeline.corpus.write_report", lambda *_args: None)
    flags = ["--runner=DirectRunner", "--direct_num_workers", "2", "--experiments=a"]
    run_fleece(command, "--manifest", str(manifest), *flags)
    assert handed == [flags]


def test_an_unknown_beam_flag_in_the_manifest_names_the_manifest_key(tmp_path: Path) -> None:
    manifest = write_manifest(
        tmp_path / "m.yaml",
        {"run_dir": str(tmp_path / "run"), "runner": {"beam_args": ["--runer=DirectRunner"]}},
    )
    code, output = refusal("corpus", "--manifest", str(manifest))
    line = f"{manifest}: runner.beam_args: no such option: --runer (did you mean --runner?)"
    assert (code, output) == (1, f"Error: {line}\n")


def test_an_unknown_manifest_key_says_which_key_was_meant(tmp_path: Path) -> None:
    manifest = write_manifest(
        tmp_path / "m.yaml",
        {"run_dir": str(tmp_path / "run"), "sources": {"wikipedia": {"languges": ["en"]}}},
    )
    code, output = refusal("corpus", "--manifest", str(manifest))
    line = "sources.wikipedia.languges: unknown key (did you mean languages?)"
    assert (code, output) == (1, f"Error: {line}\n")


def test_an_unknown_key_with_no_close_one_offers_none(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "m.yaml", {"xyzzy": 1})
    assert refusal("config", "--manifest", str(manifest)) == (
        1,
        "Error: xyzzy: unknown key\n",
    )


def test_a_typo_made_with_dash_o_is_blamed_on_the_dash_o(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text("steps: 3\noptim:\n  lr: 1.0e-3\n")
    code, output = refusal("train", "--config", str(config), "-o", "optim.lrr=1e-3")
    line = "-o optim.lrr=1e-3: optim.lrr: unknown key (did you mean lr?)"
    assert (code, output) == (1, f"Error: {line}\n")
    code, output = refusal("train", "--config", str(config), "-o", "optim={lr: x}")
    line = "-o optim={lr: x}: optim.lr: expected a number, got string 'x'"
    assert code == 1 and output.startswith(f"Error: {line}") and output.count("\n") == 1


def test_a_typo_in_the_yaml_is_blamed_on_the_yaml(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text("optim:\n  lrr: 1.0e-3\n")
    code, output = refusal("train", "--config", str(config), "-o", "optim.warmup_steps=5")
    line = f"{config}: optim.lrr: unknown key (did you mean lr?)"
    assert (code, output) == (1, f"Error: {line}\n")


def test_version_prints_the_package_version_and_the_commit() -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert run_fleece("--version").output == f"fleece {version('fleece')}+{commit}\n"


def test_show_of_a_missing_path_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    assert refusal("show", str(missing)) == (1, f"Error: {missing}: no such file or folder\n")
    assert refusal("show", str(missing / "val-00000.arrow"))[0] == 1


def test_show_of_a_file_that_is_not_parquet_is_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "part-00000.parquet"
    junk.write_text("not parquet")
    code, output = refusal("show", str(junk))
    assert code == 1 and output.startswith(f"Error: {junk}: cannot be read: ")
    assert output.count("\n") == 1


def test_the_exit_codes_are_in_the_help() -> None:
    text = " ".join(run_fleece("--help").output.split())
    assert (
        "Exit codes: 0 done; 1 the user's input or environment (a bad manifest, a missing "
        "file, a full disk); 2 usage (an unknown command or option)." in text
    )
