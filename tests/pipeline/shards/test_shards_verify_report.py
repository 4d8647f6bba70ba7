"""`fleece verify` passes on a built corpus and fails on any tampering; `report` prints it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pipeline.report.cli import report
from pipeline.shards.format import ShardReader, ShardWriter, file_sha256
from pipeline.shards.verify import verify


def test_verify_passes_then_fails_after_one_byte_changes(mix_run) -> None:
    _, shards = mix_run(token_target=400_000)
    runner = CliRunner()
    ok = runner.invoke(verify, [str(shards)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("OK")
    target = shards / "train-00001.arrow"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit inside the token buffer
    target.write_bytes(bytes(data))
    bad = runner.invoke(verify, [str(shards)])
    assert bad.exit_code == 1
    assert "train-00001.arrow: sha256" in bad.output


def test_verify_reports_counts_mixture_and_unlisted_files(mix_run) -> None:
    _, shards = mix_run(token_target=400_000)
    manifest_path = shards / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["shards"][0]["documents"] += 1
    manifest["mixture"]["c4"]["target"] = 0.30
    manifest_path.write_text(json.dumps(manifest))
    (shards / "train-09999.arrow").write_bytes(b"")
    result = CliRunner().invoke(verify, [str(shards)])
    assert result.exit_code == 1
    assert "train-00000.arrow:" in result.output and "documents, manifest says" in result.output
    assert "mixture.c4: achieved" in result.output
    assert "train-09999.arrow: shard file not listed" in result.output
    assert "splits" in result.output


def test_verify_catches_a_validation_document_in_training(mix_run, tiny_model: bytes) -> None:
    _, shards = mix_run(token_target=400_000)
    manifest = json.loads((shards / "manifest.json").read_text())
    val_id = ShardReader(str(shards / "val-00000.arrow")).ids()[0]
    entry = manifest["shards"][0]
    path = shards / entry["file"]
    reader = ShardReader(str(path))
    rows = list(reader.rows())
    reader.close()
    with ShardWriter(str(path), manifest["vocab_size"]) as writer:
        for index, (doc_id, source, tokens) in enumerate(rows):
            writer.write(tokens, source, val_id if index == 0 else doc_id)
    entry["sha256"] = file_sha256(str(path))
    (shards / "manifest.json").write_text(json.dumps(manifest))
    result = CliRunner().invoke(verify, [str(shards)])
    assert result.exit_code == 1
    assert f"1 validation documents in training, e.g. {val_id}" in result.output


def test_report_prints_table_one_beside_llama(mix_run) -> None:
    _, shards = mix_run(token_target=400_000)
    result = CliRunner().invoke(report, [str(shards)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["Dataset", "Sampling", "prop."]
    books = next(line for line in lines if line.startswith("Books"))
    assert "2.23" in books and "85.0 GB" in books
    manifest = json.loads((Path(shards) / "manifest.json").read_text())
    assert f"{100 * manifest['mixture']['books']['achieved']:.2f}%" in books
    assert any(line.startswith("Total") for line in lines)


def test_report_takes_a_run_directory_as_well(mix_run) -> None:
    _, shards = mix_run(token_target=400_000)
    from_shards = CliRunner().invoke(report, [str(shards)])
    from_run = CliRunner().invoke(report, [str(Path(shards).parent)])
    assert from_run.exit_code == 0, from_run.output
    assert from_run.output == from_shards.output


def test_report_on_a_folder_without_shards_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(report, [str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tmp_path}/manifest.json: no shard manifest here"
