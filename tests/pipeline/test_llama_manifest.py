"""manifests/llama-1.4t.yaml: LLaMA's recipe with every source's real inputs, loaded by the
same config classes a run uses (an unknown key fails here, not on a cluster)."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_manifest
from pipeline.plan import declared_inputs
from pipeline.registry import source_names

MANIFEST = Path(__file__).resolve().parents[2] / "manifests" / "llama-1.4t.yaml"


def test_every_source_is_configured_with_its_inputs() -> None:
    run = load_manifest(str(MANIFEST))
    empty = [s for s in source_names() if not declared_inputs(getattr(run.sources, s))]
    assert len(source_names()) == 7 and not empty, f"sources without inputs: {empty}"
    assert run.sources.c4.built_inputs and not run.sources.c4.inputs  # C4 as released
    assert run.sources.books.inputs and run.sources.books.books3_inputs  # Gutenberg, Books3
    assert len(run.sources.wikipedia.inputs) == 20
    stackexchange = run.sources.stackexchange
    assert len(stackexchange.inputs) == stackexchange.max_sites == 28
    assert all(p.endswith(".7z") for p in stackexchange.inputs)
