"""Word 5-gram shingles of a document, its MinHash signature, LSH bands, and the exact
Jaccard: the parts of near-duplicate detection, for any source.

Which copy survives is the caller's rule, as it groups the pairs these find: the books
stage keeps, of each connected component of pairs whose exact Jaccard reaches
`min_jaccard`, the most central copy, then the one with more common words, then the
smallest id (pipeline/sources/books/keep.py).

Shingles are the sets the sample's ground truth measures (`pipeline/sample/books.py`):
five consecutive words of `str.split()`, case kept, joined by one space (words hold no
white space, so the join is one-to-one). Each shingle is hashed once with SHA-1; the first
four bytes (little-endian) are datasketch's `sha1_hash32`, the first eight the 64-bit hash
of the shingle set used for the exact Jaccard (a document of 10^6 shingles expects a 64-bit
collision with probability 10^-7: exact for deciding 0.9).

The signature is datasketch's `MinHash(num_perm, seed)` (its default "affine32" scheme:
the MurmurHash3 finalizer on the 32-bit hash, then `a * h + b` modulo 2^32 per
permutation, the minimum over shingles), computed in numpy over blocks of shingles with
datasketch's own permutation parameters; tests check it equals `MinHash.update` value for
value. Calling `update` per shingle does 128-element numpy work per shingle, some 50x
slower (bench_books.py measures both).

LSH: `bands` cuts the signature into `b` bands of `r` values (datasketch's `MinHashLSH`
chooses b and r for the threshold); two documents sharing a band's values are a candidate
pair.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator

import numpy as np

SHINGLE = 5
BLOCK = 4096  # shingles per numpy block: 4096 x 128 x 4 bytes = 2 MB of work memory
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


def shingles(text: str) -> Iterator[str]:
    """The word 5-grams of `text` in order (repeats included), joined by one space."""
    words = text.split()
    return map(" ".join, zip(*(words[i:] for i in range(SHINGLE)), strict=False))


def shingle_hashes(text: str) -> np.ndarray:
    """The 64-bit SHA-1 prefixes (little-endian) of every shingle, in text order (uint64)."""
    sha1 = hashlib.sha1
    digests = b"".join(
        [sha1(s.encode("utf-8", "surrogatepass")).digest()[:8] for s in shingles(text)]
    )
    return np.frombuffer(digests, dtype="<u8")


def shingle_set(hashes: np.ndarray) -> np.ndarray:
    """The distinct shingle hashes, sorted: the set the exact Jaccard compares."""
    return np.unique(hashes)


def _fmix32(values: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s1)


@functools.cache
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters (a, b) for MinHash(num_perm, seed), uint32."""
    # `fleece corpus` and `fleece plan` import every stage module, this one through books:
    # lazy: datasketch costs them 0.45 s more than Beam alone on every start
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def signature(hashes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """The MinHash signature (uint32, num_perm values) of the shingles whose 64-bit hashes
    are `hashes`: equal to datasketch's MinHash(num_perm, seed) updated with each shingle."""
    a, b = permutations(num_perm, seed)
    result = np.full(num_perm, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    # the low four bytes of the little-endian 64-bit prefix are sha1_hash32's value
    low = _fmix32((hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    with np.errstate(over="ignore"):  # the products wrap modulo 2^32, as datasketch's do
        for start in range(0, len(low), BLOCK):
            block = low[start : start + BLOCK, None]  # (n, 1) against (num_perm,)
            np.minimum(result, (block * a + b).min(axis=0), out=result)
    return result


@functools.cache
def lsh_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) datasketch's MinHashLSH picks for `threshold` (equal weights
    of false positives and false negatives)."""
    from datasketch import MinHashLSH  # lazy: as in permutations()

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def bands(sig: np.ndarray, b: int, r: int) -> Iterator[tuple[int, bytes]]:
    """(band index, 8-byte digest of the band's values) per band: the grouping keys. A
    digest collision only adds a candidate, which the exact Jaccard then rejects."""
    for index in range(b):
        values = sig[index * r : (index + 1) * r].tobytes()
        yield index, hashlib.blake2b(values, digest_size=8).digest()


def jaccard(first: np.ndarray, second: np.ndarray) -> float:
    """The exact Jaccard of two shingle sets (sorted distinct hashes, `shingle_set`)."""
    if not len(first) and not len(second):
        return 1.0
    common = np.intersect1d(first, second, assume_unique=True).size
    return common / (len(first) + len(second) - common)
