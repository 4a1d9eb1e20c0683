"""Gopher ``alphabetic_words``: share of words with a letter; tables of numbers and symbols have few."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import clamp, quantile
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic
from roots.filters.gopher import has_letter, per_document, share


class AlphabeticWordsConfig(FilterConfig):
    min: float = Field(0.8, ge=0, le=1, description="smallest allowed share of words with a letter")


class AlphabeticWords(Filter):
    name = "alphabetic_words"
    Config = AlphabeticWordsConfig
    statistics = (Statistic("alphabetic_word_ratio"),)
    bounds = ("min",)
    derive = (
        DeriveRule(
            "min",
            "clamp(q05 - 0.05, 0.5, 0.8)",
            lambda v: round(clamp(quantile(v, 0.05) - 0.05, 0.5, 0.8), 3),
        ),
    )
    label = "Words with a letter"
    measures = (
        "The share of words that contain at least one letter of any script. Tables of numbers, "
        "prices and symbol soup have few; prose nearly only has such words."
    )
    unit = "Share of words with a letter (0 to 1)"

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        alphabetic, words = per_document(batch.words, has_letter)
        return {"alphabetic_word_ratio": share(alphabetic, words)}
