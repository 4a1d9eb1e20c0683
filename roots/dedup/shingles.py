"""Shingles of a batch of documents as 64-bit hashes, computed with numpy over the whole batch.

Calling a hash function once per word or n-gram from Python would dominate the run time, so every
token and shingle hash here is a vectorised polynomial hash over code points (mod 2^64, position
independent through prefix sums and the base's modular inverse) finished with the murmur3 64-bit mixer.

Shingles are word n-grams (words from whitespace/punctuation, or from a language's segmenter) or
character n-grams of the text without spaces and punctuation (for languages written without spaces).
A document shorter than one shingle is one shingle; a document with no word characters has none.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from roots.dedup.normalize import minhash_codes, select

BASE = np.uint64(0x9E3779B97F4A7C15)  # odd, so it has an inverse mod 2^64
BASE_INV = np.uint64(pow(int(BASE), -1, 2**64))
NGRAM_BASE = np.uint64(0xC2B2AE3D27D4EB4F)
_C1 = np.uint64(0xFF51AFD7ED558CCD)
_C2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)

Segmenter = Callable[[str], list[str]]


def fmix64(x: np.ndarray) -> np.ndarray:
    """murmur3's 64-bit finaliser: spreads every input bit over the whole output (in place on a copy)."""
    x = x ^ (x >> _S33)
    x *= _C1
    x ^= x >> _S33
    x *= _C2
    x ^= x >> _S33
    return x


@functools.lru_cache(maxsize=4)
def _powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE^k and BASE^-k mod 2^64 for k < length (cached per power-of-two size)."""
    pw = np.full(length, BASE, dtype=np.uint64)
    pw[0] = 1
    ipw = np.full(length, BASE_INV, dtype=np.uint64)
    ipw[0] = 1
    return np.cumprod(pw), np.cumprod(ipw)


def powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    size = 1 << max(19, int(length).bit_length())  # one table serves every chunk
    return _powers(size)


def span_hashes(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Hashes of ``codes[s:e]`` for every span, independent of where the span sits."""
    pw, ipw = powers(len(codes) + 1)
    prefix = np.zeros(len(codes) + 1, dtype=np.uint64)
    np.cumsum(codes.astype(np.uint64) * pw[: len(codes)], out=prefix[1:])
    return fmix64((prefix[ends] - prefix[starts]) * ipw[starts])


@dataclass(frozen=True)
class ShingleSpec:
    """How one language's documents are cut into shingles."""

    kind: str  # "word" or "char"
    n: int
    segmenter: str | None = None  # a name for roots.filters.words.get_segmenter; None: whitespace/punctuation
    model: str = ""  # the segmenter's model file, if it needs one (sentencepiece)


def _segment(texts: list[str], segmenter: Segmenter) -> list[str]:
    """Normalised texts re-spaced so that the segmenter's words are separated by single spaces."""
    from roots.dedup.normalize import minhash_text

    out = []
    for text in texts:
        words = segmenter(minhash_text(text))
        out.append(" ".join(w.replace(" ", "") for w in words if w.strip()))
    return out


def _runs(separators: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximal runs of non-separator positions inside each document: starts, ends, document index."""
    n = len(separators)
    word = ~separators
    boundary = np.zeros(n + 1, dtype=bool)
    boundary[offsets] = True
    prev_word = np.zeros(n, dtype=bool)
    prev_word[1:] = word[:-1]
    next_word = np.zeros(n, dtype=bool)
    next_word[:-1] = word[1:]
    starts = np.flatnonzero(word & (~prev_word | boundary[:-1]))
    ends = np.flatnonzero(word & (~next_word | boundary[1:])) + 1
    docs = np.searchsorted(offsets, starts, side="right") - 1
    return starts, ends, docs


def _ngrams(items: np.ndarray, item_offsets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every n consecutive item hashes inside each document (one shingle if fewer than n)."""
    counts = np.diff(item_offsets)
    per_doc = np.where(counts >= n, counts - n + 1, np.minimum(counts, 1))
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(per_doc, out=offsets[1:])
    total = int(offsets[-1])
    if total == 0:
        return np.zeros(0, dtype=np.uint64), offsets
    doc = np.repeat(np.arange(len(counts)), per_doc)
    first = item_offsets[doc] + (np.arange(total) - offsets[doc])
    length = np.minimum(counts[doc], n)
    short = length < n  # documents with fewer than n items: one shingle of all of them
    acc = items[first] if n > 1 or not short.any() else items[first].copy()
    full_first = np.where(short, 0, first)  # in range for every k < n when the shingle is full
    for k in range(1, n):
        acc = acc * NGRAM_BASE + items[np.minimum(full_first + k, len(items) - 1)]
    if short.any():
        acc[short] = _short_shingles(items, first[short], length[short])
    return fmix64(acc ^ length.astype(np.uint64)), offsets


def _short_shingles(items: np.ndarray, first: np.ndarray, length: np.ndarray) -> np.ndarray:
    acc = items[first].copy()
    for k in range(1, int(length.max())):
        inside = k < length
        acc[inside] = acc[inside] * NGRAM_BASE + items[first[inside] + k]
    return acc


MAX_CHUNK_CHARS = 1 << 18  # documents are hashed in chunks of about this many characters


def shingle_hashes(
    texts: list[str], spec: ShingleSpec, segmenter: Segmenter | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """All shingle hashes of ``texts`` (uint64) and each document's offsets into them."""
    if spec.kind not in ("word", "char"):
        raise ValueError(f"unknown shingle kind {spec.kind!r}")
    if spec.kind == "word" and segmenter is not None:
        texts = _segment(texts, segmenter)
    parts: list[np.ndarray] = []
    offsets = [np.zeros(1, dtype=np.int64)]
    start, size = 0, 0
    for i, text in enumerate(texts):
        size += len(text)
        if size >= MAX_CHUNK_CHARS or i == len(texts) - 1:
            hashes, chunk_offsets = _chunk_hashes(texts[start : i + 1], spec)
            parts.append(hashes)
            offsets.append(chunk_offsets[1:] + offsets[-1][-1])
            start, size = i + 1, 0
    all_hashes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    return all_hashes, np.concatenate(offsets)


def _chunk_hashes(texts: list[str], spec: ShingleSpec) -> tuple[np.ndarray, np.ndarray]:
    codes, separators, offsets = minhash_codes(texts)
    if spec.kind == "word":
        starts, ends, docs = _runs(separators, offsets)
        words = span_hashes(codes, starts, ends)
        word_offsets = np.searchsorted(docs, np.arange(len(texts) + 1), side="left").astype(np.int64)
        return _ngrams(words, word_offsets, spec.n)
    kept, kept_offsets = select(codes, offsets, ~separators)
    return _ngrams(fmix64(kept.astype(np.uint64)), kept_offsets, spec.n)
