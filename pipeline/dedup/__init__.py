"""Deduplication any source may use: what needs a shuffle, or the hashes that feed one.

Each module's docstring says which copy survives: `lines` (a line held by two pages or
more; and exact dedup of whole pages on a digest, which must come first), `minhash` (the
signatures and LSH bands of near-duplicate detection; the caller picks the survivor).
Only hashes and small keys are grouped, never document text.
"""
