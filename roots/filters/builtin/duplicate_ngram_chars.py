"""Gopher ``duplicate_ngram_chars``: share of the words' characters inside word n-grams that occur twice or more."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic


class DuplicateNgramCharsConfig(FilterConfig):
    n: int = Field(5, ge=1, le=20, description="word n-gram length (Gopher: 5 → 0.15 … 10 → 0.10)")
    max: float = Field(0.15, ge=0, le=1, description="largest share of characters in repeated n-grams")


def duplicate_ngram_share(words: list[str], n: int) -> float:
    """Characters of the words covered by an n-gram seen more than once / characters of all words."""
    total = sum(map(len, words))
    if len(words) < n or not total:
        return float("nan")
    grams = list(zip(*(words[j:] for j in range(n)), strict=False))
    counts = Counter(grams)
    covered = np.zeros(len(words), dtype=bool)
    for start, gram in enumerate(grams):
        if counts[gram] > 1:
            covered[start : start + n] = True
    return sum(len(w) for w, hit in zip(words, covered, strict=True) if hit) / total


class DuplicateNgramChars(Filter):
    name = "duplicate_ngram_chars"
    Config = DuplicateNgramCharsConfig
    statistics = (Statistic("duplicate_ngram_char_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.05, 0.15, 0.4)", upper(0.95, 0.05, 0.15, 0.4)),)
    label = "Repeated word sequences (by characters)"
    measures = (
        "The share of the text's characters (in words) inside sequences of several words that occur "
        "more than once. Copied paragraphs and templated pages score high."
    )
    unit = "Share of characters in repeated n-grams (0 to 1)"
    config: DuplicateNgramCharsConfig

    @classmethod
    def describe(cls, config: FilterConfig) -> str:
        assert isinstance(config, DuplicateNgramCharsConfig)
        return f"Counted over sequences of {config.n} words; changing n needs a re-run."

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        words = batch.words
        values = [duplicate_ngram_share(words.of(i), self.config.n) for i in range(len(batch))]
        return {"duplicate_ngram_char_ratio": np.asarray(values, dtype=np.float64)}
