"""The mix rule (DESIGN.md, Mix), as pure functions the Beam stage composes.

1. Validation split: a hash of (split_seed, id) below a per-source threshold sends a document
   to validation, never to training. The threshold is val_fraction of the hash range, raised
   so that at least val_min_documents (at most a quarter of the source) are held out.
2. Quotas: source s gets quota_s = share_s x target training tokens, where the shares are the
   manifest's ratios renormalised over the sources present. With T_s the training tokens of s,
   every training document gets floor(quota_s / T_s) copies; the remainder is filled with one
   more copy of documents taken in the order of an unseeded hash of their id until the quota is
   reached, so the achieved share misses the target by less than one document.
3. Placement: a hash of (seed, id, copy) picks the shard and the order inside it. The seed
   never changes which documents are repeated, nor any count.

Token counts are row lengths: BOS + ids + EOS, what the shards hold.

The remainder's hash order is found in two passes that scale to billions of documents: a
histogram of tokens over the top bits of the hash finds the boundary bucket, and only that
bucket's documents are sorted to find the exact threshold.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Iterable, Mapping

# 63-bit hashes: they stay inside int64, which every Beam coder and Arrow column takes.
HASH_BITS = 63
BUCKET_BITS = 16
SPECIAL_TOKENS = 2  # BOS + EOS per row


def _hash(*parts: object) -> int:
    text = "\x00".join(str(p) for p in parts)
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def validation_key(doc_id: str, split_seed: int) -> int:
    """The hash that decides the validation split (seeded by split_seed only)."""
    return _hash("fleece-val", split_seed, doc_id)


def repeat_key(doc_id: str) -> int:
    """The unseeded hash whose order decides which documents get the remainder copy."""
    return _hash("fleece-repeat", doc_id)


def placement_key(doc_id: str, copy: int, seed: int) -> int:
    """The seeded hash that picks a copy's shard and its position inside the shard."""
    return _hash("fleece-place", seed, doc_id, copy)


def bucket(key: int) -> int:
    return key >> (HASH_BITS - BUCKET_BITS)


def row_tokens(ids_count: int) -> int:
    return ids_count + SPECIAL_TOKENS


# ---------------------------------------------------------------- validation split


def validation_threshold(
    documents: int, smallest_keys: Iterable[int], fraction: float, min_documents: int
) -> int:
    """Keys strictly below the result go to validation.

    smallest_keys: at least the min_documents smallest validation keys of the source."""
    if not 0 <= fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), got {fraction}")
    threshold = int(fraction * (1 << HASH_BITS))
    wanted = min(min_documents, documents // 4)
    if wanted > 0:
        smallest = sorted(smallest_keys)[:wanted]
        if len(smallest) < wanted:
            raise ValueError(f"need the {wanted} smallest validation keys, got {len(smallest)}")
        threshold = max(threshold, smallest[-1] + 1)
    return threshold


# ---------------------------------------------------------------- shares and quotas


def target_shares(
    ratios: Mapping[str, float], present: Iterable[str]
) -> tuple[dict[str, float], list[str]]:
    """The ratios of the present sources renormalised to sum 1, and the sources missing.

    A present source without a ratio (or a ratio of 0) gets share 0: it is not mixed."""
    present = sorted(set(present))
    for source, ratio in ratios.items():
        if ratio < 0:
            raise ValueError(f"shards.ratios.{source}: negative ratio {ratio}")
    total = sum(ratios.get(s, 0.0) for s in present)
    if total <= 0:
        raise ValueError(
            f"no present source has a positive mix ratio (present: {present}, ratios: {dict(ratios)})"
        )
    missing = sorted(s for s, r in ratios.items() if r > 0 and s not in present)
    return {s: ratios.get(s, 0.0) / total for s in present}, missing


def automatic_target(train_tokens: Mapping[str, int], shares: Mapping[str, float]) -> int:
    """The largest token target at which no source needs more than one epoch."""
    limits = [train_tokens[s] / share for s, share in shares.items() if share > 0]
    return int(min(limits))


@dataclasses.dataclass(frozen=True)
class SourceQuota:
    """How one source fills its share of the training tokens."""

    source: str
    share: float  # target share of training tokens
    quota: int  # training tokens wanted
    tokens: int  # unique training tokens available (rows incl. BOS/EOS)
    documents: int  # unique training documents
    full_copies: int  # copies every document gets
    remainder: int  # tokens still wanted after the full copies

    @property
    def epochs_wanted(self) -> float:
        return self.quota / self.tokens if self.tokens else 0.0


class InfeasibleMix(ValueError):
    """A token target or an epoch limit the sources' tokens cannot meet: one line naming the
    `shards.*` keys to change."""


def _too_many_epochs(
    source: str, quota: int, tokens: int, token_target: int, max_epochs: float
) -> str:
    target = f"{token_target:,}" if token_target else "0 (automatic)"
    return (
        f"shards.token_target: {target} repeats source {source!r} {quota / tokens:.1f} times "
        f"({quota:,} tokens wanted, {tokens:,} available), more than "
        f"shards.max_epochs={max_epochs:g}; lower shards.token_target, raise "
        "shards.max_epochs or add data"
    )


def plan_quotas(
    train_tokens: Mapping[str, int],
    train_documents: Mapping[str, int],
    shares: Mapping[str, float],
    token_target: int,
    max_epochs: float,
) -> dict[str, SourceQuota]:
    """Per source: full copies and the remainder to fill, for a token target (0 = automatic)."""
    target = token_target or automatic_target(train_tokens, shares)
    if target <= 0:
        raise InfeasibleMix("shards: the token target is 0: no source has training tokens")
    quotas: dict[str, SourceQuota] = {}
    for source in sorted(shares):
        tokens = train_tokens.get(source, 0)
        quota = round(shares[source] * target)
        if quota and not tokens:
            raise InfeasibleMix(
                f"shards.ratios.{source}: the source has a share but no training tokens"
            )
        if tokens and quota / tokens > max_epochs:
            raise InfeasibleMix(_too_many_epochs(source, quota, tokens, token_target, max_epochs))
        full = quota // tokens if tokens else 0
        quotas[source] = SourceQuota(
            source=source,
            share=shares[source],
            quota=quota,
            tokens=tokens,
            documents=train_documents.get(source, 0),
            full_copies=full,
            remainder=quota - full * tokens,
        )
    return quotas


# ---------------------------------------------------------------- the remainder copy


@dataclasses.dataclass(frozen=True)
class Boundary:
    """Where in repeat-key order the remainder is reached: bucket, and tokens needed in it."""

    bucket: int
    needed: int


def find_boundary(histogram: Mapping[int, int], remainder: int) -> Boundary | None:
    """The bucket where the cumulative tokens (in bucket order) first reach the remainder.

    histogram: bucket -> training tokens of the source's documents in that bucket."""
    if remainder <= 0:
        return None
    cumulative = 0
    for index in sorted(histogram):
        tokens = histogram[index]
        if cumulative + tokens >= remainder:
            return Boundary(index, remainder - cumulative)
        cumulative += tokens
    raise ValueError(f"remainder {remainder} exceeds the source's {cumulative} training tokens")


# A document's position in remainder order: (repeat key, id) is a total order.
RepeatOrder = tuple[int, str]


def find_threshold(candidates: Iterable[tuple[int, str, int]], needed: int) -> RepeatOrder:
    """The last document taken, among the boundary bucket's (repeat key, id, tokens), when
    documents are taken in (key, id) order until `needed` tokens are reached."""
    cumulative = 0
    for key, doc_id, tokens in sorted(candidates):
        cumulative += tokens
        if cumulative >= needed:
            return key, doc_id
    raise ValueError(f"the boundary bucket holds {cumulative} tokens, fewer than {needed}")


def copies(doc_id: str, full_copies: int, threshold: RepeatOrder | None) -> int:
    """How many times a training document appears in the train shards."""
    if threshold is None:
        return full_copies
    return full_copies + ((repeat_key(doc_id), doc_id) <= threshold)


def remainder_threshold(documents: Iterable[tuple[str, int]], remainder: int) -> RepeatOrder | None:
    """In-memory version of histogram + boundary + threshold, for (id, tokens) documents."""
    if remainder <= 0:
        return None
    ordered = sorted((repeat_key(doc_id), doc_id, tokens) for doc_id, tokens in documents)
    return find_threshold(ordered, remainder)


# ---------------------------------------------------------------- shards


def shard_count(tokens: int, itemsize: int, shard_bytes: int) -> int:
    """Shards for this many tokens at the target shard size (at least one)."""
    if shard_bytes <= 0:
        raise ValueError(f"shard_bytes must be positive, got {shard_bytes}")
    return max(1, math.ceil(tokens * itemsize / shard_bytes))
