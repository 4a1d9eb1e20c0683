"""Gopher ``top_ngram_chars``: share of the words' characters taken by the most frequent word n-gram."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic


class TopNgramCharsConfig(FilterConfig):
    n: int = Field(2, ge=1, le=10, description="word n-gram length (Gopher: 2 → 0.2, 3 → 0.18, 4 → 0.16)")
    max: float = Field(0.2, ge=0, le=1, description="largest share of characters in the top n-gram")


def top_ngram_share(words: list[str], n: int) -> float:
    """Characters of all occurrences of the most frequent n-gram / characters of all words (NaN: too short)."""
    total = sum(map(len, words))
    if len(words) < n or not total:
        return float("nan")
    counts = Counter(zip(*(words[j:] for j in range(n)), strict=False))
    gram, count = max(counts.items(), key=lambda item: (item[1], item[0]))
    return min(count * sum(map(len, gram)), total) / total


class TopNgramChars(Filter):
    name = "top_ngram_chars"
    Config = TopNgramCharsConfig
    statistics = (Statistic("top_ngram_char_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.05, 0.2, 0.4)", upper(0.95, 0.05, 0.2, 0.4)),)
    label = "Most repeated word sequence"
    measures = (
        "The share of the text's characters (in words) taken by all occurrences of its most frequent "
        "sequence of a few words. Keyword spam and repeated slogans score high."
    )
    unit = "Share of characters in the top n-gram (0 to 1)"
    config: TopNgramCharsConfig

    @classmethod
    def describe(cls, config: FilterConfig) -> str:
        assert isinstance(config, TopNgramCharsConfig)
        return f"Counted over sequences of {config.n} words; changing n needs a re-run."

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        words = batch.words
        values = [top_ngram_share(words.of(i), self.config.n) for i in range(len(batch))]
        return {"top_ngram_char_ratio": np.asarray(values, dtype=np.float64)}
