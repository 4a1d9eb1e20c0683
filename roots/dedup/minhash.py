"""MinHash signatures and LSH band keys for a batch of documents, vectorised with numpy.

Permutation ``i`` maps a 64-bit shingle hash ``x`` to the high 32 bits of ``a_i·x mod 2^64``
(multiply-shift hashing with a random odd ``a_i``; the shingle hashes are already fully mixed); the signature is the minimum over a document's
shingles. Shingles are processed in windows of a few thousand so the (permutations × shingles)
work array stays in cache, whatever the document sizes.
"""

from __future__ import annotations

import functools

import numpy as np
import xxhash

from roots.dedup.shingles import NGRAM_BASE, fmix64

EMPTY = np.uint32(0xFFFF_FFFF)
WINDOW = 8192  # shingles per vectorised step


@functools.cache
def permutations(num_perm: int, seed: int) -> np.ndarray:
    """The multipliers, derived from the seed with xxhash so they never change between versions."""
    a = np.array(
        [xxhash.xxh3_64_intdigest(f"a:{seed}:{i}".encode()) | 1 for i in range(num_perm)], dtype=np.uint64
    )
    return a[:, None]


def signatures(hashes: np.ndarray, offsets: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """(documents × num_perm) uint32 signatures; a document without shingles gets all ``EMPTY``."""
    a = permutations(num_perm, seed)
    docs = len(offsets) - 1
    out = np.full((docs, num_perm), EMPTY, dtype=np.uint32)
    nonempty = np.flatnonzero(np.diff(offsets) > 0)
    if len(nonempty) == 0:
        return out
    starts, ends = offsets[nonempty], offsets[nonempty + 1]
    work = np.empty((num_perm, WINDOW), dtype=np.uint64)
    for w0 in range(0, int(offsets[-1]), WINDOW):
        w1 = min(w0 + WINDOW, int(offsets[-1]))
        lo = np.searchsorted(ends, w0, side="right")
        hi = np.searchsorted(starts, w1, side="left")
        docs_here = nonempty[lo:hi]
        segment_starts = np.maximum(starts[lo:hi], w0) - w0
        buf = work[:, : w1 - w0]
        np.multiply(a, hashes[w0:w1][None, :], out=buf)
        high = buf.view(np.uint32)[:, 1::2]  # the high 32 bits (little-endian)
        mins = np.minimum.reduceat(high, segment_starts, axis=1).T
        np.minimum(out[docs_here], mins, out=mins)
        out[docs_here] = mins
    return out


def band_keys(sigs: np.ndarray, bands: int, rows: int, seeds: np.ndarray) -> np.ndarray:
    """(documents × bands) uint64 keys: equal keys mean an identical band (within the same seed/group)."""
    keys = np.empty((sigs.shape[0], bands), dtype=np.uint64)
    for band in range(bands):
        acc = np.full(sigs.shape[0], np.uint64(band + 1), dtype=np.uint64) ^ seeds
        for value in sigs[:, band * rows : (band + 1) * rows].T:
            acc = acc * NGRAM_BASE + value.astype(np.uint64)
        keys[:, band] = fmix64(acc)
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of row pairs: the fraction of equal signature values."""
    return (a == b).mean(axis=1)
