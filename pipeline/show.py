"""`fleece show PATH`: documents (Parquet) or token-shard rows (Arrow, decoded) for a look."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from typing import Any

import click
import pyarrow as pa
import sentencepiece as spm

from pipeline import io
from pipeline.documents import read_documents
from pipeline.shards.format import BOS_ID, EOS_ID, TOKENIZER_NAME, ShardReader, read_bytes


def _document_rows(path: str) -> Iterator[dict[str, Any]]:
    pattern = path
    if not path.endswith(".parquet") and not any(c in path for c in "*?["):
        pattern = io.join(path, "part-*.parquet")
    yield from read_documents(pattern)


def decode_rows(shard_path: str, tokenizer_path: str, n: int) -> list[dict[str, Any]]:
    """The first n rows of a shard decoded to text: id, source, tokens, text. BOS/EOS are
    dropped before decoding."""
    processor = spm.SentencePieceProcessor(model_proto=read_bytes(tokenizer_path))
    out: list[dict[str, Any]] = []
    with ShardReader(shard_path) as reader:
        for index, (doc_id, source, tokens) in enumerate(reader.rows()):
            if index >= n:
                break
            ids = tokens.tolist()
            body = ids[1:] if ids[:1] == [BOS_ID] else ids
            body = body[:-1] if body[-1:] == [EOS_ID] else body
            out.append(
                {"id": doc_id, "source": source, "tokens": len(ids), "text": processor.decode(body)}
            )
    return out


def _shard_rows(path: str, limit: int) -> list[dict[str, Any]]:
    tokenizer = io.join(path.rsplit("/", 1)[0] if "/" in path else ".", TOKENIZER_NAME)
    if not io.exists(tokenizer):
        raise click.ClickException(
            f"{path}: no {TOKENIZER_NAME} beside the shard to decode it with"
        )
    return decode_rows(path, tokenizer, limit)


def format_row(row: dict[str, Any], chars: int) -> str:
    head = [f"id: {row['id']}", f"source: {row.get('source')}"]
    for key in ("language", "url", "tokens", "reason"):
        if row.get(key) is not None:
            head.append(f"{key}: {row[key]}")
    lines = ["=" * 78, "  ".join(head)]
    if row.get("meta"):
        lines.append(f"meta: {json.dumps(json.loads(row['meta']), ensure_ascii=False)}")
    text = row.get("text") or ""
    shown = (
        text
        if chars <= 0 or len(text) <= chars
        else text[:chars] + f" [... {len(text) - chars} more characters]"
    )
    lines.append("-" * 78)
    lines.extend(textwrap.indent(shown, "  ").splitlines() or [""])
    return "\n".join(lines)


@click.command()
@click.argument("path")
@click.option("-n", "--limit", default=5, show_default=True, help="rows to show")
@click.option(
    "--chars", default=800, show_default=True, help="characters of text per row (0 = all)"
)
@click.option("--id", "wanted", default=None, help="show only the document with this id")
def show(path: str, limit: int, chars: int, wanted: str | None) -> None:
    """Print documents readably: a Parquet part, a glob, a stage directory, or an Arrow
    token shard (decoded with the tokenizer.model beside it)."""
    if not any(c in path for c in "*?[") and not io.exists(path):
        raise click.ClickException(f"{path}: no such file or folder")
    try:
        shown = _echo_rows(path, limit, chars, wanted)
    except FileNotFoundError as exc:  # a glob or a folder without parts; names the pattern
        raise click.ClickException(str(exc)) from None
    except pa.ArrowException as exc:  # a file that is neither Parquet nor an Arrow stream
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise click.ClickException(f"{path}: cannot be read: {reason}") from None
    if shown == 0:
        raise click.ClickException(f"{path}: no matching rows")


def _echo_rows(path: str, limit: int, chars: int, wanted: str | None) -> int:
    """Print up to `limit` rows of `path` (only the one with id `wanted` when given); return
    how many were printed."""
    if path.endswith(".arrow"):
        rows: Any = _shard_rows(path, limit if wanted is None else 10**12)
    else:
        rows = _document_rows(path)
    shown = 0
    for row in rows:
        if wanted is not None and row["id"] != wanted:
            continue
        click.echo(format_row(row, chars))
        shown += 1
        if shown >= limit:
            break
    return shown
