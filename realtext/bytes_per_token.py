"""Bytes per token per source on real text, for `fleece plan` (pipeline/plan_bytes_per_token.json).

Per source of the real-text run, the tokens of the documents its stage kept (every filter
and dedup applied) and two ratios over them:
- `text_bytes_per_token`: the kept text's UTF-8 bytes per token. This is what the plan uses:
  it depends on the language, the script and the kind of text (prose, code, LaTeX), which
  real text of each source has;
- `input_bytes_per_token`: the bytes of its declared inputs as stored (listed the way `fleece
  plan` lists them) per token kept. The plan does not use it: the real-text inputs have the
  real formats but not the real dumps' make-up (how much is another language, duplicated,
  boilerplate, figures in arXiv's tarballs, uncompressed where the dump ships 7z), so how
  much of them survives the filters says nothing of a 40 TB crawl.
Tokens are counted with a 32,000-piece
SentencePiece BPE tokenizer of LLaMA's kind: Mistral 7B's v1 model, shipped in the
mistral-common wheel. It is not LLaMA's own model (no registry ships that), but it is
trained the same way (BPE, 32k pieces, digits split, byte fallback). The run's own tokenizer
is not used: its vocabulary is sized for a few MB of text (realtext/manifest.py), far
smaller than LLaMA's, so it would count more tokens per byte than a 1.4T-token run has.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.config import load_manifest
from pipeline.plan import MEASURED_BYTES_PER_TOKEN, declared_inputs, list_inputs
from realtext.download import Package, fetch
from realtext.outputs import kept

PACKAGE = Package("wheel", "mistral-common", "1.13.1")
MODEL = "mistral_common/data/tokenizer.model.v1"
TOKENIZER = f"SentencePiece BPE 32000 pieces: Mistral 7B v1 ({PACKAGE} wheel, {MODEL})"


def source_figures(run: Any, run_dir: Path, source: str, encode: Any) -> dict[str, Any]:
    """One source's input bytes, kept documents and tokens, and their ratio."""
    patterns = [run.resolve(p) for p in declared_inputs(getattr(run.sources, source))]
    files, size, error = list_inputs(patterns)
    if error:
        raise RuntimeError(f"{source}: inputs cannot be listed: {error}")
    texts = [d["text"] for d in kept(run_dir, source)]
    tokens = sum(len(ids) for ids in encode(texts))
    text_bytes = sum(len(text.encode("utf-8")) for text in texts)
    return {
        "text_bytes_per_token": round(text_bytes / max(tokens, 1), 3),
        "input_bytes_per_token": round(size / max(tokens, 1), 3),
        "input_bytes": size,
        "input_files": files,
        "documents": len(texts),
        "text_bytes": text_bytes,
        "tokens": tokens,
    }


def write(
    manifest: Path, sources: Iterable[str], cache: Path, path: Path = MEASURED_BYTES_PER_TOKEN
) -> dict[str, Any]:
    """Measure every source of `sources` whose stage completed in the run of `manifest` and
    write the figures to `path`, keeping the sources measured before and not now."""
    # lazy: only this step of realtext needs SentencePiece
    import sentencepiece

    model = sentencepiece.SentencePieceProcessor(model_file=str(fetch(PACKAGE, cache) / MODEL))
    run = load_manifest(str(manifest))
    run_dir = Path(run.run_dir)
    before = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    measured = dict(before.get("sources", {}))
    for source in sources:
        if (run_dir / source / "_SUCCESS").is_file():
            figures = source_figures(run, run_dir, source, model.encode)
            if figures["tokens"]:  # a source that kept nothing gives no ratio
                measured[source] = figures
    content = {
        "about": (
            "Per source, on the real text of `make realtext` (realtext/bytes_per_token.py): "
            "UTF-8 bytes of the kept text per token, which `fleece plan` reads, and input "
            "bytes as stored per token kept, which it does not (see that module)."
        ),
        "tokenizer": TOKENIZER,
        "date": datetime.date.today().isoformat(),
        "sources": measured,
    }
    path.write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")
    return content
