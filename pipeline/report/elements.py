"""The pieces every section of the report page is built from: escaping, the page's parts,
tables, byte figures in one unit, paths relative to the run directory, and a sampled
document with the command that prints it whole."""

from __future__ import annotations

import html
import shlex
from collections.abc import Iterable
from typing import Any

from pipeline.report.samples import SHOWN_CHARS, Sample


def escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


class Page:
    """The page's parts in order; each figure has a name unique in the page."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, *parts: str) -> None:
        self.parts.extend(parts)

    def figure(self, name: str, svg: str, data: str = "") -> None:
        self.add(f'<div class="figure" data-figure="{escape(name)}"{data}>{svg}</div>')


def table(header: list[str], rows: Iterable[list[str]]) -> str:
    """A table of plain text cells (each escaped)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# Every byte figure of the page in one unit, so that two compare at a glance: decimal
# megabytes (10**6 bytes, as the paper's GB and TB) with three decimals, a kilobyte apart.
BYTE_UNIT = "MB"


def megabytes(n: float) -> str:
    return f"{n / 1e6:,.3f}"


def relative(path: str, run_dir: str) -> str:
    """`path` as seen from the run directory (the page names no other absolute path)."""
    prefix = run_dir.rstrip("/") + "/"
    return path.removeprefix(prefix)


def show_command(sample: Sample, run_dir: str) -> str:
    """The command that prints `sample` whole, run from the run directory."""
    part = shlex.quote(relative(sample.part, run_dir))
    return f"fleece show {part} --id {shlex.quote(sample.id)} --chars 0"


def sample_article(sample: Sample, run_dir: str) -> list[str]:
    """A sampled document: its id, language, url and length, its first SHOWN_CHARS
    characters, and the command that prints it whole."""
    shown = sample.text[:SHOWN_CHARS]
    more = len(sample.text) - len(shown)
    about = [f"<b>{escape(sample.id)}</b>"]
    if sample.language:
        about.append(escape(sample.language))
    if sample.url:
        about.append(escape(sample.url))
    about.append(f"{len(sample.text):,} characters")
    return [
        f'<article class="sample" data-id="{escape(sample.id)}">',
        f"<p>{' · '.join(about)}</p>",
        f"<pre>{escape(shown)}{f' […{more:,} more characters]' if more else ''}</pre>",
        f"<p>Whole: <code>{escape(show_command(sample, run_dir))}</code></p>",
        "</article>",
    ]
