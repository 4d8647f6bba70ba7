"""The report's figures, drawn with matplotlib to SVG text to inline in the page.

Two renders of the same figures give the same bytes: no date in the metadata, element ids
hashed with a fixed salt (the figure's name, so ids stay unique among the page's figures),
glyphs drawn as paths (no font to fetch when the page is viewed). Figures are built on
`matplotlib.figure.Figure` directly, not pyplot: no GUI backend, no figure registry, and the
style holds only inside each render (rc_context). matplotlib is imported only by this
module, which only `--html` loads.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullFormatter

from pipeline.histograms import PERPLEXITY_BINS_PER_DECADE, WIKI_PROB_BINS, Bin
from pipeline.report.statistics import Shard, Training

KEPT, DROPPED, ERROR, READ = "#2b7a3d", "#c8553d", "#7d3c98", "#4a6fa5"
MERGED = "#d4a017"
MIDDLE = "#8cbf6a"  # the perplexity bucket kept after head
OURS, TARGET, LLAMA = "#4a6fa5", "#9ab3d5", "#e0a458"
WIDTH = 6.4  # inches; each figure's height follows its content

STYLE = {
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",  # bundled with matplotlib: the same glyphs everywhere
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e4e4e4",
    "axes.axisbelow": True,
}


def to_svg(figure: Figure, name: str) -> str:
    """The figure as an inline `<svg>` element (no XML prologue), deterministic."""
    buffer = io.StringIO()
    with matplotlib.rc_context({**STYLE, "svg.hashsalt": f"fleece-report-{name}"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :].strip()


def _drawn(
    name: str, height: float, draw: Callable[[Axes], None], left: float = 0.9, bottom: float = 0.5
) -> str:
    """A one-axes figure `height` inches tall, drawn by `draw`, as SVG. Margins are set in
    inches (`left` for the tick labels and y label, `bottom` for the x ones), not computed
    by a layout engine, which would draw every figure three times."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, height))
        figure.subplots_adjust(
            left=left / WIDTH, right=1 - 0.15 / WIDTH, bottom=bottom / height, top=1 - 0.3 / height
        )
        draw(figure.add_subplot())
        return to_svg(figure, name)


def _thousands(value: float, _: int) -> str:
    return f"{value:,.0f}"


def step_color(label: str) -> str:
    """A funnel bar's colour by what its label says: a drop, an error, a merge, what was
    kept, or what was read."""
    for prefix, color in (("dropped", DROPPED), ("error", ERROR), ("merged", MERGED)):
        if label.startswith(prefix) or f", {prefix}" in label:
            return color
    return KEPT if "kept" in label else READ


def funnel(name: str, title: str, rows: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars from read to kept, each drop, error and merge reason between."""

    def draw(axes: Axes) -> None:
        labels = [label for label, _ in rows]
        values = [value for _, value in rows]
        positions = range(len(rows))
        axes.barh(positions, values, color=[step_color(label) for label in labels])
        axes.set_yticks(list(positions), labels)
        axes.invert_yaxis()
        for position, value in zip(positions, values, strict=True):
            axes.annotate(
                f"{value:,}", (value, position), xytext=(3, 0), textcoords="offset points",
                va="center", fontsize=8,
            )  # fmt: skip
        axes.set_xlabel("records")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.xaxis.set_major_formatter(FuncFormatter(_thousands))
        axes.set_xlim(0, max(values) * 1.15 or 1)
        axes.set_title(title)

    # about 0.07 inch a character of the labels at this size, plus the ticks
    left = 0.25 + 0.07 * max(len(label) for label, _ in rows)
    return _drawn(name, 0.9 + 0.28 * len(rows), draw, left=left)


def _power_of_two(value: float, _: int) -> str:
    return "0" if value < 0 else f"{2 ** int(value):,}"


def lengths(name: str, stage: str, bins: Sequence[Bin]) -> str:
    """Kept documents by length, log2 bins (n to 2n-1 characters)."""

    def draw(axes: Axes) -> None:
        # bin 0 (empty texts) sits left of 1 (2**0)
        xs = [int(math.log2(b.lower)) if b.lower >= 1 else -1 for b in bins]
        axes.bar(xs, [b.count for b in bins], width=0.9, align="edge", color=KEPT)
        edges = range(min(xs), max(xs) + 2)  # every bin's edges, the last one's upper too
        axes.set_xlim(min(xs) - 0.3, max(xs) + 1.3)
        if len(edges) <= 12:
            axes.xaxis.set_major_locator(FixedLocator(list(edges)))
        else:
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.xaxis.set_major_formatter(FuncFormatter(_power_of_two))
        axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
        axes.set_xlabel("characters (bin from n to 2n-1)")
        axes.set_ylabel("documents kept")
        axes.set_title(f"{stage}: document lengths")

    return _drawn(name, 2.4, draw)


def languages(name: str, stage: str, counts: Mapping[str, int]) -> str:
    """Share of the kept documents per language, largest first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    total = sum(counts.values())

    def draw(axes: Axes) -> None:
        labels = [language for language, _ in ordered]
        shares = [100 * n / total for _, n in ordered]
        axes.bar(labels, shares, color=READ)
        for index, share in enumerate(shares):
            axes.annotate(
                f"{share:.1f}%", (index, share), xytext=(0, 2), textcoords="offset points",
                ha="center", fontsize=7,
            )  # fmt: skip
        axes.set_ylabel("% of documents kept")
        axes.set_ylim(0, max(shares) * 1.15)
        axes.set_title(f"{stage}: languages")

    return _drawn(name, 2.2, draw)


def _one_two_five(low: float, high: float) -> list[float]:
    """log10 of 1, 2, 5, 10, 20, 50... from the first at or below 10**low to the first at
    or above 10**high: round tick values on a log axis."""
    ticks = []
    for decade in range(math.floor(low), math.ceil(high) + 1):
        ticks += [decade + math.log10(m) for m in (1, 2, 5)]
    return [t for t in ticks if low - 0.2 <= t <= high + 0.2]


def perplexity(
    name: str,
    stage: str,
    language: str,
    bins: Sequence[Bin],
    cutoffs: tuple[float, float] | None,
) -> str:
    """Pages judged by log10 perplexity, coloured by the bucket their bin falls in (head,
    middle, tail), with the two cutoffs."""
    width = 1 / PERPLEXITY_BINS_PER_DECADE

    def bucket_color(lower: float) -> str:
        if cutoffs is None:
            return READ
        middle = 10 ** (lower + width / 2)
        return KEPT if middle <= cutoffs[0] else MIDDLE if middle <= cutoffs[1] else DROPPED

    def draw(axes: Axes) -> None:
        axes.bar(
            [b.lower for b in bins], [b.count for b in bins], width=width * 0.9, align="edge",
            color=[bucket_color(b.lower) for b in bins],
        )  # fmt: skip
        if cutoffs is not None:
            for label, value, color in (("head ≤", cutoffs[0], KEPT),
                                        ("middle ≤", cutoffs[1], DROPPED)):  # fmt: skip
                axes.axvline(
                    math.log10(value), color=color, linestyle="--", linewidth=1.2,
                    label=f"{label} {value:,.4g}",
                )  # fmt: skip
            axes.legend(frameon=False, fontsize=8, title="cutoffs", title_fontsize=8)
        low, high = bins[0].lower, bins[-1].lower + width
        axes.xaxis.set_major_locator(FixedLocator(_one_two_five(low, high)))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{10**v:,.4g}"))
        axes.set_xlim(low - width, high + width)
        axes.set_xlabel("perplexity (log scale; bars: head, middle, tail)")
        axes.set_ylabel("pages")
        axes.set_title(f"{stage}, {language}: perplexity of the pages judged")

    return _drawn(name, 2.4, draw)


def wiki_prob(name: str, stage: str, bins: Sequence[Bin], threshold: float) -> str:
    """Pages scored by the reference classifier, by wiki_prob, with the threshold kept at."""
    width = 1 / WIKI_PROB_BINS

    def draw(axes: Axes) -> None:
        colors = [KEPT if b.lower + width / 2 >= threshold else DROPPED for b in bins]
        axes.bar(
            [b.lower for b in bins], [b.count for b in bins], width=width * 0.9, align="edge",
            color=colors,
        )  # fmt: skip
        axes.axvline(threshold, color="black", linestyle="--", linewidth=1.2)
        axes.annotate(
            f"min_wiki_prob {threshold:g}", (threshold, 1), xycoords=("data", "axes fraction"),
            xytext=(3, -2), textcoords="offset points", va="top", fontsize=7,
        )  # fmt: skip
        axes.set_xlim(0, 1)
        axes.set_xlabel("wiki_prob (reference classifier)")
        axes.set_ylabel("pages")
        axes.set_title(f"{stage}: wiki_prob of the pages scored")

    return _drawn(name, 2.4, draw)


def mixture(name: str, rows: Sequence[tuple[str, float, float, float]]) -> str:
    """Per source, the share achieved, the target and LLaMA's (each a fraction)."""

    def draw(axes: Axes) -> None:
        positions = range(len(rows))
        for offset, index, label, color in (
            (-0.27, 1, "achieved", OURS), (0.0, 2, "target", TARGET), (0.27, 3, "LLaMA", LLAMA),
        ):  # fmt: skip
            axes.bar(
                [p + offset for p in positions], [100 * row[index] for row in rows],
                width=0.26, label=label, color=color,
            )  # fmt: skip
        axes.set_xticks(list(positions), [row[0] for row in rows])
        axes.set_yscale("log")  # 2% and 67% in one figure
        axes.yaxis.set_major_locator(FixedLocator([0.5, 1, 2, 5, 10, 20, 50, 100]))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%"))
        axes.yaxis.set_minor_formatter(NullFormatter())
        axes.set_ylabel("share of training tokens")
        axes.legend(frameon=False)
        axes.set_title("Mixture: achieved, target and LLaMA's Table 1")

    return _drawn(name, 2.6, draw)


def shard_tokens(name: str, shards: Sequence[Shard]) -> str:
    """Tokens per shard, train and validation."""

    def draw(axes: Axes) -> None:
        colors = [OURS if s.split == "train" else LLAMA for s in shards]
        axes.bar(range(len(shards)), [s.tokens for s in shards], color=colors)
        axes.set_xticks(
            range(len(shards)), [s.file.removesuffix(".arrow") for s in shards],
            rotation=0 if len(shards) <= 8 else 90, fontsize=7,
        )  # fmt: skip
        axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
        axes.set_ylabel("tokens")
        axes.set_title("Tokens per shard (blue: train, orange: validation)")

    upright = len(shards) <= 8  # more names than fit side by side are turned on end
    return _drawn(name, 2.4 if upright else 3.0, draw, bottom=0.5 if upright else 1.1)


def losses(name: str, curves: Training) -> str:
    def draw(axes: Axes) -> None:
        axes.plot(curves.steps, curves.loss, color=OURS, linewidth=1, label="training loss")
        if curves.val_steps:
            axes.plot(
                curves.val_steps, curves.val_loss, color=LLAMA, marker="o", markersize=3,
                linewidth=1.5, label="validation loss",
            )  # fmt: skip
        axes.set_xlabel("step")
        axes.set_ylabel("loss (nats per token)")
        axes.legend(frameon=False)
        axes.set_title("Training and validation loss")

    return _drawn(name, 2.6, draw)


def throughput(name: str, curves: Training) -> str:
    def draw(axes: Axes) -> None:
        axes.plot(curves.steps, curves.tokens_per_s, color=OURS, linewidth=1)
        axes.set_ylim(bottom=0)
        axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
        axes.set_xlabel("step")
        axes.set_ylabel("tokens/s")
        axes.set_title("Training throughput")

    return _drawn(name, 2.2, draw)


def utilisation(name: str, curves: Training) -> str:
    def draw(axes: Axes) -> None:
        steps = [s for s, m in zip(curves.steps, curves.mfu, strict=True) if m is not None]
        values = [100 * m for m in curves.mfu if m is not None]
        axes.plot(steps, values, color=KEPT, linewidth=1)
        axes.set_ylim(bottom=0)
        axes.set_xlabel("step")
        axes.set_ylabel("MFU (%)")
        axes.set_title("Model FLOPs utilisation (of the GPU's dense bf16 peak)")

    return _drawn(name, 2.2, draw)


def source_losses(name: str, curves: Training) -> str:
    """The validation loss of each source beside the overall one."""

    def draw(axes: Axes) -> None:
        axes.plot(
            curves.val_steps, curves.val_loss, color="black", marker="o", markersize=3,
            linewidth=2, label="all sources",
        )  # fmt: skip
        for source, points in curves.val_sources.items():
            steps, values = zip(*points, strict=True)
            axes.plot(steps, values, marker=".", markersize=3, linewidth=1, label=source)
        axes.set_xlabel("step")
        axes.set_ylabel("validation loss (nats per token)")
        axes.legend(frameon=False, fontsize=7, ncols=2)
        axes.set_title("Validation loss per source")

    return _drawn(name, 3.0, draw)
