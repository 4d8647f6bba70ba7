"""Same scale and seed: byte-identical files; another seed: other files; scale 1 is small."""

from __future__ import annotations

import hashlib
import os

from click.testing import CliRunner

from pipeline.sample import write_sample
from pipeline.sample.cli import sample

SCALE_1_MAX_BYTES = 5 * 1024 * 1024
LAYOUT = (
    "wikipedia",
    "commoncrawl",
    "c4",
    "c4/raw",
    "github",
    "books/gutenberg",
    "books/books3",
    "arxiv",
    "stackexchange",
)


def digests(root: str) -> dict[str, str]:
    out = {}
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
    return out


def test_same_seed_is_byte_identical(sample_dir, tmp_path):
    again = tmp_path / "again"
    write_sample(str(again), scale=1, seed=0)
    assert digests(sample_dir) == digests(str(again))


def test_other_seed_differs(sample_dir, tmp_path):
    other = tmp_path / "other"
    write_sample(str(other), scale=1, seed=1)
    first, second = digests(sample_dir), digests(str(other))
    changed = [path for path in first if first[path] != second.get(path)]
    assert "ground_truth.json" in changed
    assert any(path.startswith("wikipedia/") for path in changed)
    assert any(path.startswith("commoncrawl/") for path in changed)


def test_layout_and_size(sample_dir):
    for folder in LAYOUT:
        assert os.listdir(os.path.join(sample_dir, folder)), folder
    total = sum(
        os.path.getsize(os.path.join(folder, name))
        for folder, _, files in os.walk(sample_dir)
        for name in files
    )
    assert total <= SCALE_1_MAX_BYTES


def test_scale_multiplies_documents(tmp_path, ground_truth):
    truth = write_sample(str(tmp_path / "scale2"), scale=2, seed=0)
    one = ground_truth["wikipedia"]["expected_documents"]
    two = truth["wikipedia"]["expected_documents"]
    assert len(two) == 2 * len(one)
    assert len(truth["commoncrawl"]["pages"]) > 1.8 * len(ground_truth["commoncrawl"]["pages"])


def test_command_prints_a_summary(tmp_path):
    result = CliRunner().invoke(sample, [str(tmp_path / "cli"), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "ground_truth.json" in result.output and "total in" in result.output
    assert (tmp_path / "cli" / "ground_truth.json").exists()
