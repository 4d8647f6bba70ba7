"""Perplexity models (pipeline/signals/perplexity.py): missing or corrupt files are clear
errors. Scoring under trained models: tests/pipeline/sources/commoncrawl/test_commoncrawl_models.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.signals.perplexity import PerplexityModel


def test_missing_or_corrupt_model_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="en.sp.model: language model file missing"):
        PerplexityModel(str(tmp_path / "en.sp.model"), str(tmp_path / "en.arpa.bin"))
    (tmp_path / "en.sp.model").write_bytes(b"junk")
    (tmp_path / "en.arpa.bin").write_bytes(b"junk")
    with pytest.raises(ValueError, match="not a SentencePiece model"):
        PerplexityModel(str(tmp_path / "en.sp.model"), str(tmp_path / "en.arpa.bin"))
