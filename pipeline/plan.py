"""`fleece plan MANIFEST`: what a run would do and produce, estimated from file listings.

Inputs are listed (path and size), never opened. Tokens per source are estimated as listed
input bytes / a bytes-per-token ratio per source (raw input bytes, compressed as shipped, per
final token, filters included), printed beside every estimate: measured on real text by
`make realtext` (plan_bytes_per_token.json beside this module) where it measured a source,
else the source's declared figure from LLaMA's Table 1 and the published sizes of the dumps,
marked ASSUMED; --bytes-per-token overrides. Below, what the run will cost per stage, from the
rates `make bench` measured (plan_cost.py).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click

from pipeline import io, plan_cost
from pipeline.declaration import SourceSpec
from pipeline.harness.beam import set_filesystem_options
from pipeline.harness.commands import load_or_fail
from pipeline.harness.stage import all_stages, stage_dir
from pipeline.registry import source_names, sources
from pipeline.shards import quotas
from pipeline.shards.format import token_dtype
from pipeline.shards.report import human

# What a source that declares no plan figures is assumed to need: about 4 bytes of text per
# token (LLaMA's tokenizer on English prose), as if its inputs were plain text.
UNDECLARED_BYTES_PER_TOKEN = 4.0
# written by `make realtext` (realtext/bytes_per_token.py)
MEASURED_BYTES_PER_TOKEN = Path(__file__).resolve().parent / "plan_bytes_per_token.json"


def measured_bytes_per_token() -> dict[str, Any]:
    """The file `make realtext` writes ({} where it has not run): per source, the UTF-8
    bytes of kept real text per token, and the tokenizer that counted them."""
    path = MEASURED_BYTES_PER_TOKEN
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def composed(spec: SourceSpec, measured: dict[str, Any]) -> float | None:
    """Raw input bytes per final token as (raw input bytes per byte of kept text: the
    published size of the inputs over Table 1's disk size of the text LLaMA kept) x (bytes
    of kept text per token: measured on real text); None without both figures. The first
    factor is the dumps' make-up (what survives the filters, the compression), which the
    real-text inputs do not have (realtext/bytes_per_token.py); the second is the text's
    own, which they do."""
    figures = measured.get(spec.name)
    if not figures or spec.plan is None or spec.table_one is None:
        return None
    return (
        spec.plan.published_input_bytes
        / spec.table_one.disk_bytes
        * figures["text_bytes_per_token"]
    )


def bytes_per_token_defaults() -> dict[str, float]:
    """Raw input bytes per final token per source: composed with the kept text's bytes per
    token measured on real text where `make realtext` measured it, else as the source
    declares it (derived from Table 1's tokens)."""
    measured = measured_bytes_per_token().get("sources", {})
    ratios = {}
    for spec in sources():
        declared = spec.plan.bytes_per_token if spec.plan else UNDECLARED_BYTES_PER_TOKEN
        ratio = composed(spec, measured)
        ratios[spec.name] = declared if ratio is None else round(ratio, 2)
    return ratios


def ratio_note(overridden: set[str]) -> str:
    """Where each source's bytes per token comes from, in one line."""
    measured = measured_bytes_per_token()
    real = [
        spec.name
        for spec in sources()
        if composed(spec, measured.get("sources", {})) is not None and spec.name not in overridden
    ]
    assumed = [s for s in source_names() if s not in real and s not in overridden]
    parts = []
    if real:
        parts.append(
            f"for {', '.join(real)}, raw bytes per byte of kept text (published input size /"
            " Table 1 disk size: ASSUMED) x kept text bytes per token measured on real text by"
            f" `make realtext` ({MEASURED_BYTES_PER_TOKEN.name}: {measured.get('tokenizer', '?')})"
        )
    if assumed:
        parts.append(f"for {', '.join(assumed)}, ASSUMED from Table 1's tokens, not measured")
    if overridden:
        parts.append(f"given with --bytes-per-token for {', '.join(sorted(overridden))}")
    return "Bytes/token (raw input bytes per final token): " + "; ".join(parts) + "."


@dataclasses.dataclass
class SourceEstimate:
    source: str
    patterns: list[str]
    files: int
    input_bytes: int
    bytes_per_token: float
    error: str = ""
    assumed: bool = False

    @property
    def tokens(self) -> int:
        return int(self.input_bytes / self.bytes_per_token) if self.input_bytes else 0


def declared_inputs(config: Any) -> list[str]:
    """Every input glob of a source's manifest section: each of its own fields declared as
    files (`param(path="files")`), so C4's `built_inputs` and books' `books3_inputs` count
    beside `inputs`. Not the stages' `input_patterns`: those also name what a stage reads
    besides text (C4's badwords_file, lm's ready models, refclf's positives), and the
    source's own stage may read none of the raw inputs (commoncrawl reads ccnet's output)."""
    return [
        pattern
        for field in dataclasses.fields(config)
        if field.metadata.get("path") == "files"
        for pattern in getattr(config, field.name)
    ]


def list_inputs(patterns: list[str]) -> tuple[int, int, str]:
    """(files, total bytes, error) for globs, by listing only."""
    try:
        files = io.match_files(patterns)
    except Exception as error:  # a missing bucket, no credentials, a typo: report, go on
        return 0, 0, f"{type(error).__name__}: {error}"
    return len(files), sum(f.size for f in files), ""


def estimate_sources(
    run: Any, ratios: dict[str, float], assume_published: bool
) -> dict[str, SourceEstimate]:
    """Per source: listed input size (or, with assume_published, the published size when the
    inputs cannot be listed) and the token estimate."""
    estimates = {}
    for spec in sources():
        source = spec.name
        patterns = [run.resolve(p) for p in declared_inputs(getattr(run.sources, source))]
        if not patterns:
            files, size, error = 0, 0, "no inputs in the manifest"
        else:
            files, size, error = list_inputs(patterns)
        estimate = SourceEstimate(source, patterns, files, size, ratios[source], error)
        if error and assume_published and patterns and spec.plan is not None:
            estimate.input_bytes = spec.plan.published_input_bytes
            estimate.assumed = True
            estimate.error = f"ASSUMED published size ({error})"
        estimates[source] = estimate
    return estimates


def plan_text(
    run: Any,
    ratios: dict[str, float],
    assume_published: bool = True,
    estimates: dict[str, SourceEstimate] | None = None,
) -> str:
    lines = ["Stages (in order):"]
    for stage in all_stages():
        state = "enabled" if stage.enabled(run) else "not configured"
        lines.append(f"  {stage.name:<14} {state:<15} -> {stage_dir(run, stage.name)}/")

    if estimates is None:
        estimates = estimate_sources(run, ratios, assume_published)
    lines += ["", "Inputs (listed, not read) and token estimates:"]
    header = f"  {'source':<14}{'files':>7}{'input size':>12}{'bytes/token':>13}{'est. tokens':>13}  note"
    lines.append(header)
    for e in estimates.values():
        note = e.error[:110] or ", ".join(e.patterns)[:110]
        lines.append(
            f"  {e.source:<14}{e.files:>7}{human(e.input_bytes):>12}{e.bytes_per_token:>13.1f}"
            f"{human(e.tokens, ''):>13}  {note}"
        )

    present = {s: e.tokens for s, e in estimates.items() if e.tokens > 0}
    lines.append("")
    if not present:
        lines.append("Mixture: no source has listed inputs; nothing to mix.")
        return "\n".join(lines)
    shares, missing = quotas.target_shares(run.shards.ratios, present)
    target = run.shards.token_target or quotas.automatic_target(present, shares)
    itemsize = token_dtype(run.tokenizer.vocab_size).itemsize
    lines.append(
        f"Mixture: token target {human(target, '')} tokens"
        f"{' (automatic: no source repeats)' if not run.shards.token_target else ''}"
    )
    if missing:
        lines.append(f"  missing sources, ratios renormalised over the rest: {', '.join(missing)}")
    lines.append(f"  {'source':<14}{'share':>8}{'quota':>10}{'epochs':>8}")
    for source in sorted(shares, key=list(source_names()).index):
        share = shares[source]
        quota = share * target
        lines.append(
            f"  {source:<14}{100 * share:>7.2f}%{human(quota, ''):>10}{quota / present[source]:>8.2f}"
        )
    over = [s for s, share in shares.items() if share * target / present[s] > run.shards.max_epochs]
    if over:
        lines.append(
            f"  WARNING: more than shards.max_epochs={run.shards.max_epochs} epochs: {', '.join(over)}"
        )

    train_bytes = target * itemsize
    train_shards = quotas.shard_count(target, itemsize, run.shards.shard_bytes)
    val_tokens = int(run.shards.val_fraction * sum(present.values()))
    val_shards = quotas.shard_count(val_tokens, itemsize, run.shards.shard_bytes)
    lines += [
        "",
        f"Shards: {token_dtype(run.tokenizer.vocab_size).name} tokens (vocab {run.tokenizer.vocab_size}),"
        f" target {human(run.shards.shard_bytes)} each",
        f"  train: {train_shards} shards, {human(train_bytes)} (~{human(train_bytes / train_shards)} each)",
        f"  val:   {val_shards} shards, ~{human(val_tokens, '')} tokens"
        f" ({100 * run.shards.val_fraction:g}% of documents)",
        f"Tokenizer: vocab {run.tokenizer.vocab_size}, trained on {human(run.tokenizer.sample_bytes)}"
        " of text drawn at the mixture ratios",
        "",
        ratio_note({s for s, r in ratios.items() if r != bytes_per_token_defaults().get(s)}),
        "Override with --bytes-per-token SOURCE=RATIO.",
    ]
    if any(e.assumed for e in estimates.values()):
        lines.append(
            "ASSUMED rows use the published size of the real inputs because they could not be "
            "listed (--listed-only drops them)."
        )
    return "\n".join(lines)


def raw_input_bytes(run: Any, estimates: dict[str, SourceEstimate]) -> dict[str, float]:
    """Stage -> the size of its source's inputs, for every enabled stage of a source (the
    rates say which of them read those inputs)."""
    return {
        stage.name: estimates[spec.name].input_bytes
        for spec in sources()
        for stage in spec.stages
        if spec.name in estimates
    }


def plan_cost_text(
    run: Any,
    estimates: dict[str, SourceEstimate],
    rates_path: str | None,
    workers: int,
    cores_per_worker: int,
    price_per_core_hour: float | None,
) -> str:
    """The cost table of the stages the run runs, or one line saying why there is none."""
    try:
        rates = plan_cost.load_rates(Path(rates_path) if rates_path else plan_cost.RATES_FILE)
    except plan_cost.RatesError as error:
        if rates_path:  # a file the user named must be there
            raise click.ClickException(str(error)) from None
        return f"Cost: {error}"
    stages = [(s.name, s.requires) for s in all_stages() if s.name != "sample" and s.enabled(run)]
    costs, unrated = plan_cost.stage_costs(stages, raw_input_bytes(run, estimates), rates)
    return plan_cost.cost_text(
        costs, unrated, rates, workers, cores_per_worker, price_per_core_hour
    )


def parse_overrides(values: tuple[str, ...]) -> dict[str, float]:
    ratios = bytes_per_token_defaults()
    for value in values:
        source, sep, number = value.partition("=")
        if not sep or source not in ratios:
            raise click.BadParameter(
                f"{value!r}: expected SOURCE=RATIO with SOURCE in {', '.join(ratios)}"
            )
        try:
            ratios[source] = float(number)
        except ValueError as error:
            raise click.BadParameter(f"{value!r}: {number!r} is not a number") from error
        if ratios[source] <= 0:
            raise click.BadParameter(f"{value!r}: the ratio must be positive")
    return ratios


@click.command()
@click.argument("manifest")
@click.option(
    "--bytes-per-token",
    "overrides",
    multiple=True,
    metavar="SOURCE=RATIO",
    help="Raw input bytes per final token for a source (repeatable).",
)
@click.option(
    "--listed-only",
    is_flag=True,
    help="Estimate only from inputs that can be listed (no published-size assumptions).",
)
@click.option(
    "--workers",
    default=100,
    show_default=True,
    type=click.IntRange(min=1),
    help="Workers the cost table's wall time assumes.",
)
@click.option(
    "--cores-per-worker",
    default=4,
    show_default=True,
    type=click.IntRange(min=1),
    help="Cores per worker the cost table's wall time assumes.",
)
@click.option(
    "--price-per-core-hour",
    type=click.FloatRange(min=0),
    default=None,
    help="Price of one core-hour: the cost table adds the money.",
)
@click.option(
    "--rates",
    "rates_path",
    default=None,
    metavar="FILE",
    help="Per-stage rates (default: pipeline/plan_rates.json, written by `make bench`).",
)
def plan(
    manifest: str,
    overrides: tuple[str, ...],
    listed_only: bool,
    workers: int,
    cores_per_worker: int,
    price_per_core_hour: float | None,
    rates_path: str | None,
) -> None:
    """Print MANIFEST's stages, estimated tokens, epochs and shards, and what the run will
    cost (lists inputs only)."""
    run = load_or_fail(manifest)
    set_filesystem_options(list(run.runner.beam_args))
    ratios = parse_overrides(overrides)
    estimates = estimate_sources(run, ratios, assume_published=not listed_only)
    click.echo(plan_text(run, ratios, estimates=estimates))
    click.echo("")
    click.echo(
        plan_cost_text(run, estimates, rates_path, workers, cores_per_worker, price_per_core_hour)
    )
