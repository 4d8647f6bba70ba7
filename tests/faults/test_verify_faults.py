"""`fleece verify` on damaged shard directories: one line per problem and exit 1, never a
traceback; a fuzz over thousands of flips in a subprocess (a segfault fails it too)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.shards.manifest import manifest_checksum
from pipeline.shards.verify import verify
from tests.faults.verify_fuzz import build_directory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_directory(tmp_path_factory.mktemp("pristine"))


@pytest.fixture
def shards(pristine: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine, tmp_path / "shards"))


def run_verify(directory: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(verify, [str(directory)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output.splitlines()


def edit_manifest(directory: Path, change, resign: bool = True) -> None:
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    if resign:
        manifest["checksum"] = manifest_checksum(manifest)
    path.write_text(json.dumps(manifest, indent=1))


def test_a_pristine_directory_verifies(shards: Path) -> None:
    code, lines = run_verify(shards)
    assert code == 0 and lines[0].startswith("OK"), lines


def test_a_flipped_byte_in_the_arrow_header_is_named(shards: Path) -> None:
    path = shards / "train-00000.arrow"
    data = bytearray(path.read_bytes())
    data[12] ^= 0xFF  # inside the schema message's flatbuffer
    path.write_bytes(bytes(data))
    code, lines = run_verify(shards)
    assert code == 1
    assert any(line.startswith("FAIL train-00000.arrow: sha256") for line in lines)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_a_truncated_shard_is_named_not_a_crash(shards: Path, keep: float) -> None:
    path = shards / "val-00000.arrow"
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    code, lines = run_verify(shards)
    assert code == 1
    assert (
        f"FAIL val-00000.arrow: {int(len(data) * keep)} bytes, manifest says {len(data)}" in lines
    )
    assert any("val-00000.arrow: cannot be read: not a valid Arrow IPC stream" in x for x in lines)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda m: m["shards"][0].update(bytes=m["shards"][0]["bytes"] + 1),
            "train-00000.arrow: {size} bytes, manifest says {edited}",
        ),
        (lambda m: m.update(tolerance=0.5), "tolerance 0.5 != 0.01, the run manifest's"),
        (
            lambda m: m["mixture"]["c4"].update(val_documents=99),
            "mixture.c4.val_documents 99 != 6 in the shards",
        ),
        (lambda m: m.update(dtype="uint17"), "dtype: expected one of uint16, uint32, got 'uint17'"),
        (lambda m: m.update(dtype="uint32"), "dtype uint32 does not fit vocab_size 400"),
        (
            lambda m: m["shards"][2].update(split="test"),
            "shards[2].split: expected one of train, val, got 'test'",
        ),
        (lambda m: m.update(vocab_size=-3), "vocab_size: expected a positive integer, got -3"),
        (lambda m: m.pop("splits"), "splits: missing"),
        (lambda m: m.update(extra=1), "extra: unknown field"),
        (lambda m: m["shards"][0].update(max_id=1000), "shards[0].max_id 1000 >= vocab_size 400"),
        (lambda m: m.update(seed=7), "seed 7 != run_manifest's 0"),
        (
            lambda m: m["run_manifest"]["shards"].update(tolerance=-1),
            "run_manifest.shards.tolerance: must be above 0, got -1",
        ),
    ],
)
@pytest.mark.parametrize("resign", [False, True], ids=["edited", "edited-and-resigned"])
def test_each_manifest_edit_is_one_line_naming_the_field(
    shards: Path, change, expected: str, resign: bool
) -> None:
    size = (shards / "train-00000.arrow").stat().st_size
    edit_manifest(shards, change, resign=resign)
    code, lines = run_verify(shards)
    assert code == 1
    wanted = expected.format(size=size, edited=size + 1)
    assert any(wanted in line for line in lines), lines
    checksum_line = "manifest.json: its content does not match its checksum"
    assert any(checksum_line in line for line in lines) != resign
    assert all(line.startswith("FAIL ") for line in lines[:-1]) and "problem(s)" in lines[-1]


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b"\xff\xfe", b'{"format": 3}'])
def test_a_manifest_that_is_not_one_is_one_line(shards: Path, content: bytes) -> None:
    (shards / "manifest.json").write_bytes(content)
    code, lines = run_verify(shards)
    assert code == 1 and len(lines) == 2 and lines[0].startswith("FAIL manifest.json: ")


def test_verify_fuzz_over_thousands_of_flips_reports_every_harmful_one() -> None:
    # 600 of each of the five kinds of damage = 3,000 verifies; `make fuzz` runs far more.
    result = subprocess.run(
        [sys.executable, "-m", "tests.faults.verify_fuzz", "--flips", "600", "--seed", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]  # a segfault is a negative code
    figures = json.loads(result.stdout.splitlines()[-1])
    assert figures["failures"] == 0
    outcomes = figures["outcomes"]
    assert outcomes["shard"] == {"reported": 600}
    assert set(outcomes["truncated"]) <= {"reported", "harmless"}
    assert set(outcomes["resigned-shard"]) <= {"reported", "harmless", "uncheckable"}
    assert outcomes["manifest"]["reported"] >= 590
