"""ROOTS ``word_repetition``: share of word n-grams that occur more than once."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic
from roots.filters.statistics import word_repetition_ratios


class WordRepetitionConfig(FilterConfig):
    n: int = Field(5, ge=1, le=50, description="word n-gram length")
    max: float = Field(0.3, ge=0, le=1)


class WordRepetition(Filter):
    name = "word_repetition"
    Config = WordRepetitionConfig
    statistics = (Statistic("word_repetition_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.05, 0.3, 0.98)", upper(0.95, 0.05, 0.3, 0.98)),)
    label = "Repeated word sequences"
    measures = (
        "The share of word sequences (a few words in a row) that appear more than once in the "
        "document. High values mean copied sentences, boilerplate or keyword spam."
    )
    unit = "Word repetition ratio (0 to 1)"
    in_every_config = True
    config: WordRepetitionConfig

    @classmethod
    def describe(cls, config: FilterConfig) -> str:
        assert isinstance(config, WordRepetitionConfig)
        return f"Counted over sequences of {config.n} words; changing n needs a re-run."

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        return {"word_repetition_ratio": word_repetition_ratios(batch.words, self.config.n)}
