"""The ROOTS document statistics (reference §2.6), computed for a batch of modified documents at once.

Definitions (``W`` = the document's lowercased, stripped words, see ``words.py``):

* ``number_words``: ``len(W)`` counted without lowercasing;
* ``character_repetition_ratio``: over all overlapping character n-grams with frequencies ``f`` sorted in
  descending order, ``D`` distinct and ``R`` of them repeated (f > 1): ``sum(top-k f) / sum(f)`` with
  ``k = min(⌊√D⌋, D − R)`` (``variant="roots"``, what built ROOTS) or ``k = min(⌊√D⌋, R)``
  (``variant="fixed"``, data-preparation commit cf1ce94); 0 without n-grams;
* ``word_repetition_ratio``: over word n-grams of ``W``, ``Σ_{f>1} f / Σ f``; 0 with fewer than n words;
* ``special_characters_ratio``: characters in the special set / ``len(text)``; 0 for an empty text;
* ``stopwords_ratio`` / ``flagged_words_ratio``: items of ``W`` + augmented n-grams found in the list,
  divided by ``len(W)``, capped at 1; 0 without words.

n-gram counting is vectorised over the whole batch (``ngram_counts``): n-grams of code points or of word
ids are hashed with numpy; an n-gram alone in its hash bucket occurs once; the others are sorted and
grouped, and every grouped pair is compared element by element, so a hash collision can never change a
result (a document where one is found is recounted exactly with a dictionary). The per-document
functions (``character_repetition_ratio``, ``word_repetition_ratio``) are the plain definitions.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from typing import Literal

import numpy as np

from roots.filters.special_characters import special_lookup
from roots.filters.words import WordBatch, augment

Variant = Literal["roots", "fixed"]
_MULT = np.uint64(0x9E3779B97F4A7C15)
_DOC_MIX = np.uint64(0xD6E8FEB86659FD93)


def _codepoints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All code points of ``texts`` concatenated (uint32) and the start offset of each text (len+1 offsets)."""
    joined = "".join(texts)
    data = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=offsets[1:])
    return data, offsets


def special_characters_ratios(texts: Sequence[str]) -> np.ndarray:
    """Special-character ratio of each text (vectorised over the batch)."""
    data, offsets = _codepoints(texts)
    lengths = np.diff(offsets)
    counts = np.zeros(len(texts), dtype=np.int64)
    if len(data):
        special = special_lookup()[data].astype(np.int64)
        csum = np.concatenate([[0], np.cumsum(special)])
        counts = csum[offsets[1:]] - csum[offsets[:-1]]
    out = np.zeros(len(texts), dtype=np.float64)
    nonempty = lengths > 0
    out[nonempty] = counts[nonempty] / lengths[nonempty]
    return out


def _mix(h: np.ndarray) -> np.ndarray:
    """A 64-bit finaliser (splitmix64's): spreads every input bit over the high bits used for grouping."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def ngram_counts(data: np.ndarray, offsets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct n-grams of every sequence in a concatenated batch, without a Python loop over n-grams.

    Returns ``(doc, count, unsure)``: for each distinct (sequence, n-gram), its sequence index and frequency,
    and the indices of sequences whose rows may be wrong (a hash collision inside them) and must be recounted.

    Each n-gram start gets a 64-bit polynomial hash (computed on slices, mixed with its sequence index); the
    keys ``hash prefix | position`` are sorted once, so equal n-grams end up next to each other, and every
    neighbour pair with the same prefix is compared element by element: only exact equality joins a group.
    """
    ndocs = len(offsets) - 1
    total = int(offsets[-1])
    lengths = np.diff(offsets)
    empty = np.zeros(0, dtype=np.int64)
    if total < n or not (lengths >= n).any():
        return empty, empty, empty
    m = total - n + 1
    values = data.astype(np.uint64) + np.uint64(1)
    h = values[:m].copy()
    for j in range(1, n):
        h *= _MULT
        h += values[j : j + m]
    doc_of = np.repeat(np.arange(ndocs, dtype=np.int64), lengths)
    pos = np.flatnonzero(np.arange(m) + n <= np.repeat(offsets[1:], lengths)[:m])
    h = _mix(h[pos] ^ (doc_of[pos].astype(np.uint64) * _DOC_MIX))
    # an n-gram alone in its hash bucket occurs once in its sequence: only the others need sorting
    bucket_bits = min(int(len(h)).bit_length() + 1, 22)
    bucket = (h >> np.uint64(64 - bucket_bits)).astype(np.int64)
    crowded = np.bincount(bucket, minlength=1 << bucket_bits)[bucket] > 1
    single_doc = doc_of[pos[~crowded]]
    doc, counts, unsure = _sorted_groups(data, doc_of, h[crowded], pos[crowded], m, n)
    return (
        np.concatenate([single_doc, doc]),
        np.concatenate([np.ones(len(single_doc), np.int64), counts]),
        unsure,
    )


def _sorted_groups(
    data: np.ndarray, doc_of: np.ndarray, h: np.ndarray, pos: np.ndarray, m: int, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group n-gram starts ``pos`` (hashes ``h``) into equal n-grams: sort, then compare neighbours exactly."""
    pos_bits = max(1, int(m).bit_length())
    shift = np.uint64(pos_bits)
    keys = np.sort(((h >> shift) << shift) | pos.astype(np.uint64))
    pos = (keys & np.uint64((1 << pos_bits) - 1)).astype(np.int64)
    same = np.zeros(len(keys), dtype=bool)
    same[1:] = (keys[1:] >> shift) == (keys[:-1] >> shift)
    cand = np.flatnonzero(same)
    here, prev = pos[cand], pos[cand - 1]
    same_doc = doc_of[here] == doc_of[prev]
    equal = same_doc.copy()
    for j in range(n):
        equal &= data[here + j] == data[prev + j]
    unsure = np.unique(doc_of[here[same_doc & ~equal]])
    joined = np.zeros(len(keys), dtype=bool)
    joined[cand[equal]] = True
    starts = np.flatnonzero(~joined)
    counts = np.diff(np.append(starts, len(keys)))
    return doc_of[pos[starts]], counts.astype(np.int64), unsure


def _top_k_sums(doc: np.ndarray, counts: np.ndarray, k: np.ndarray, ndocs: int) -> np.ndarray:
    """For each document, the sum of its ``k[doc]`` largest counts (repeated n-grams first, then ones)."""
    rep = counts > 1
    doc_r, counts_r = doc[rep], counts[rep]
    order = np.lexsort((-counts_r, doc_r))
    doc_r, counts_r = doc_r[order], counts_r[order]
    repeated = np.bincount(doc_r, minlength=ndocs)
    group_start = np.concatenate([[0], np.cumsum(repeated)[:-1]])
    rank = np.arange(len(doc_r)) - group_start[doc_r]
    take = rank < k[doc_r]
    top = np.bincount(doc_r[take], weights=counts_r[take], minlength=ndocs).astype(np.int64)
    return top + np.maximum(k - repeated, 0)


def _repetition_k(distinct: np.ndarray, repeated: np.ndarray, variant: Variant) -> np.ndarray:
    root = np.floor(np.sqrt(distinct.astype(np.float64))).astype(np.int64)
    return np.minimum(root, distinct - repeated if variant == "roots" else repeated)


def character_repetition_ratios(texts: Sequence[str], n: int, variant: Variant = "roots") -> np.ndarray:
    """Character-repetition ratio of each text (vectorised over the batch)."""
    data, offsets = _codepoints(texts)
    doc, counts, unsure = ngram_counts(data, offsets, n)
    ndocs = len(texts)
    distinct = np.bincount(doc, minlength=ndocs)
    repeated = np.bincount(doc[counts > 1], minlength=ndocs)
    total = np.maximum(np.diff(offsets) - n + 1, 0)
    top = _top_k_sums(doc, counts, _repetition_k(distinct, repeated, variant), ndocs)
    out = np.zeros(ndocs, dtype=np.float64)
    has = total > 0
    out[has] = top[has] / total[has]
    for i in unsure:
        out[i] = character_repetition_ratio(texts[i], n, variant)
    return out


def character_repetition_ratio(text: str, n: int, variant: Variant = "roots") -> float:
    """Character-repetition ratio of one text (exact dictionary count; the reference for the batched form)."""
    freqs = sorted(Counter(text[i : i + n] for i in range(len(text) - n + 1)).values(), reverse=True)
    if not freqs:
        return 0.0
    distinct = len(freqs)
    repeated = sum(1 for f in freqs if f > 1)
    k = min(int(np.sqrt(distinct)), distinct - repeated if variant == "roots" else repeated)
    return sum(freqs[:k]) / sum(freqs)


def word_repetition_ratios(words: WordBatch | Sequence[Sequence[str]], n: int) -> np.ndarray:
    """Word-repetition ratio of each document's words (vectorised over the batch).

    ROOTS joins the n words with spaces; n-grams of word ids are the same thing unless a word contains a
    space, and such documents are counted on the joined strings.
    """
    batch = words if isinstance(words, WordBatch) else WordBatch.of_lists(words)
    vocab: dict[str, int] = {}
    data = np.fromiter(
        map(vocab.setdefault, batch.words, itertools.count()), dtype=np.int64, count=len(batch.words)
    )
    doc, counts, unsure = ngram_counts(data, batch.offsets, n)
    ndocs = len(batch)
    total = np.maximum(np.diff(batch.offsets) - n + 1, 0)
    singles = np.bincount(doc[counts == 1], minlength=ndocs)
    out = np.zeros(ndocs, dtype=np.float64)
    has = total > 0
    out[has] = (total[has] - singles[has]) / total[has]
    redo = set(unsure.tolist())
    if any(" " in w for w in vocab):
        doc_of = batch.doc_index()
        redo |= {int(doc_of[i]) for i, w in enumerate(batch.words) if " " in w}
    for i in redo:
        out[i] = word_repetition_ratio(batch.of(i), n)
    return out


def word_repetition_ratio(words: Sequence[str], n: int) -> float:
    """Word-repetition ratio of one word list (exact, on space-joined n-grams as ROOTS)."""
    freqs = Counter(" ".join(words[i : i + n]) for i in range(len(words) - n + 1)).values()
    total = sum(freqs)
    return sum(f for f in freqs if f > 1) / total if total else 0.0


def word_list_ratios(
    words: WordBatch, word_set: frozenset[str], group_sizes: Sequence[int] = (), join_char: str = ""
) -> np.ndarray:
    """Per document: share of its words (+ augmented n-grams, counted too) in ``word_set``, capped at 1."""
    ndocs = len(words)
    doc_of = words.doc_index()
    found = np.bincount(
        doc_of,
        weights=np.fromiter(map(word_set.__contains__, words.words), dtype=bool, count=len(words.words)),
        minlength=ndocs,
    )
    for g in group_sizes:
        grams = augment(
            words.words, [g], join_char
        )  # windows over the flat list; keep those inside a document
        inside = doc_of[: len(grams)] == doc_of[g - 1 : g - 1 + len(grams)]
        hits = np.fromiter(map(word_set.__contains__, grams), dtype=bool, count=len(grams)) & inside
        found += np.bincount(doc_of[: len(grams)], weights=hits, minlength=ndocs)
    sizes = np.diff(words.offsets)
    out = np.zeros(ndocs, dtype=np.float64)
    has = sizes > 0
    out[has] = np.minimum(found[has].astype(np.int64) / sizes[has], 1.0)
    return out
