"""Shared per-word and per-line counts of the Gopher quality filters (Rae et al., 2021, appendix A.1.1).

Re-implemented from the paper's description, multilingual: words are the language's words
(``WordBatch``, from its segmenter: jieba for Chinese, syllables for Vietnamese …), lines are
``roots.filters.lines.lines``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from roots.filters.words import WordBatch


def per_document(words: WordBatch, value: Callable[[str], float]) -> tuple[np.ndarray, np.ndarray]:
    """(sum of ``value(word)`` over each document's words, number of words of each document)."""
    ndocs = len(words)
    values = np.fromiter(map(value, words.words), dtype=np.float64, count=len(words.words))
    sums = np.bincount(words.doc_index(), weights=values, minlength=ndocs)
    return sums, np.diff(words.offsets).astype(np.float64)


def share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` per document; NaN (no value, the document passes) where it is 0."""
    out = np.full(len(numerator), np.nan)
    has = denominator > 0
    out[has] = numerator[has] / denominator[has]
    return out


def has_letter(word: str) -> bool:
    """Whether a word has a letter of any script (``str.isalpha``: Latin, Arabic, Devanagari, Han …)."""
    return any(c.isalpha() for c in word)
