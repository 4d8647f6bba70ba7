"""`fleece plan`: estimates from listed file sizes, without reading a byte of input."""

from __future__ import annotations

from pathlib import Path

import pytest
from apache_beam.io.filesystems import FileSystems
from click.testing import CliRunner

from pipeline.plan import plan
from pipeline.registry import source_names, sources
from pipeline.shards.report import llama_rows


def write_manifest(tmp_path: Path, inputs: str, extra: str = "", sources: str = "") -> Path:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        f"run_dir: {tmp_path}/run\nsources:\n  wikipedia:\n    inputs: [{inputs}]\n{sources}"
        f"tokenizer:\n  vocab_size: 32000\nshards:\n  shard_bytes: 1000000000\n{extra}"
    )
    return manifest


def sparse(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)  # a hole: listing sees the size, reading would take minutes


@pytest.fixture
def no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    original = FileSystems.open

    def only_the_manifest(path: str, *args: object, **kwargs: object) -> object:
        if not path.endswith(".yaml"):
            raise AssertionError(f"plan opened an input file: {path}")
        return original(path, *args, **kwargs)

    monkeypatch.setattr(FileSystems, "open", only_the_manifest)


def test_plan_lists_inputs_and_estimates_tokens_epochs_and_shards(
    tmp_path: Path, no_reading: None
) -> None:
    for lang, size in (("en", 23_000_000_000), ("de", 6_900_000_000)):
        sparse(tmp_path / "dumps" / f"{lang}wiki.xml.bz2", size)
    manifest = write_manifest(
        tmp_path, f"'{tmp_path}/dumps/*.xml.bz2'", "  token_target: 26000000000\n"
    )
    # the ratio given, not the one `make realtext` measured: the arithmetic is under test
    args = [str(manifest), "--listed-only", "--bytes-per-token", "wikipedia=2.3"]
    result = CliRunner().invoke(plan, args)
    assert result.exit_code == 0, result.output
    out = result.output
    wiki = next(
        line for line in out.splitlines() if line.strip().startswith("wikipedia") and "GB" in line
    )
    # 29.9 GB listed / 2.3 bytes per token = 13.0 B tokens
    assert wiki.split()[1:6] == ["2", "29.9", "GB", "2.3", "13.0"]
    assert "commoncrawl" in out and "no inputs in the manifest" in out
    assert "missing sources, ratios renormalised" in out
    epochs = next(
        line for line in out.splitlines() if line.strip().startswith("wikipedia") and "%" in line
    )
    assert epochs.split()[-1] == "2.00"  # 26 B tokens wanted from 13 B available
    assert "train: 52 shards, 52.0 GB" in out  # 26 B uint16 tokens in 1 GB shards
    for stage in ("wikipedia", "tokenizer", "encode", "shards"):
        assert f"  {stage} " in out


def test_plan_assumes_published_sizes_when_inputs_cannot_be_listed(
    tmp_path: Path, no_reading: None
) -> None:
    manifest = write_manifest(
        tmp_path,
        f"'{tmp_path}/nothing/*.bz2'",
        "  token_target: 1400000000000\n",
        f"  arxiv:\n    inputs: ['{tmp_path}/nothing/*.tar']\n",
    )
    result = CliRunner().invoke(plan, [str(manifest), "--bytes-per-token", "arxiv=30"])
    assert result.exit_code == 0, result.output
    assert "ASSUMED published size" in result.output
    arxiv = next(
        line
        for line in result.output.splitlines()
        if line.strip().startswith("arxiv") and "TB" in line
    )
    assert "30.0" in arxiv and "66.7 B" in arxiv  # 2 TB / 30 bytes per token
    assert "train: 2800 shards" in result.output


def test_bad_override_is_a_usage_error(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, "'x'")
    result = CliRunner().invoke(plan, [str(manifest), "--bytes-per-token", "usenet=3"])
    assert result.exit_code == 2
    assert "SOURCE=RATIO" in result.output


def test_plan_counts_every_input_glob_a_source_declares(tmp_path: Path, no_reading: None) -> None:
    # C4 as released and Books3 sit in fields beside `inputs`; the plan lists them too
    for name in ("c4-train.00000-of-01024.json.gz", "c4-train.00001-of-01024.json.gz"):
        sparse(tmp_path / "c4" / name, 300_000_000)
    sparse(tmp_path / "books3" / "a.epub.txt", 7_000_000)
    manifest = write_manifest(
        tmp_path,
        f"'{tmp_path}/none/*.bz2'",
        sources=f"  c4:\n    built_inputs: ['{tmp_path}/c4/*.json.gz']\n"
        f"  books:\n    books3_inputs: ['{tmp_path}/books3/*.txt']\n",
    )
    result = CliRunner().invoke(plan, [str(manifest), "--listed-only"])
    assert result.exit_code == 0, result.output
    inputs = result.output.split("token estimates:", 1)[1].split("\n\n", 1)[0]
    rows = {c[0]: c[1:4] for c in (line.split() for line in inputs.splitlines()) if c}
    assert rows["c4"] == ["2", "600.0", "MB"], result.output
    assert rows["books"] == ["1", "7.0", "MB"], result.output


def mixture_rows(output: str) -> dict[str, tuple[float, float]]:
    """source -> (share in percent, epochs) from the plan's Mixture table."""
    table = output.split("Mixture:", 1)[1].split("\n\n", 1)[0]
    return {
        cells[0]: (float(cells[1].rstrip("%")), float(cells[-1]))
        for cells in (line.split() for line in table.splitlines())
        if len(cells) == 5 and cells[1].endswith("%")
    }


def test_plan_of_the_full_recipe_mixes_all_seven_sources_as_table_one(
    no_reading: None,
) -> None:
    # the gs:// placeholders cannot be listed (no GCS client, no network): every source
    # falls back to its published size, as a user sees before copying the inputs
    root = Path(__file__).resolve().parents[2]
    # the sources' declared (Table 1) ratios, not those `make realtext` measured: published
    # sizes over them must give back Table 1's epochs
    declared = [f"--bytes-per-token={s.name}={s.plan.bytes_per_token}" for s in sources()]
    result = CliRunner().invoke(plan, [str(root / "manifests" / "llama-1.4t.yaml"), *declared])
    assert result.exit_code == 0, result.output
    assert "token target 1.4 T" in result.output
    assert "no inputs in the manifest" not in result.output
    assert "missing sources" not in result.output
    mixture = mixture_rows(result.output)
    table_one = llama_rows()
    assert set(mixture) == set(table_one) == set(source_names())
    for source, (share, epochs) in mixture.items():
        assert abs(share - 100 * table_one[source].share) < 0.5, (source, share)
        # published sizes / bytes per token land near Table 1's epochs (within 10%)
        assert abs(epochs / table_one[source].epochs - 1) < 0.1, (source, epochs)
