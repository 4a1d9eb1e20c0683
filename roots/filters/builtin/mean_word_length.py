"""Gopher ``mean_word_length``: average characters per word; gibberish and code fall outside."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from pydantic import Field, model_validator

from roots.filters.derive import clamp, quantile
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic
from roots.filters.gopher import per_document, share


class MeanWordLengthConfig(FilterConfig):
    min: float = Field(3, ge=0, description="shortest allowed mean word length (Chinese, Japanese: 1)")
    max: float = Field(10, gt=0, description="longest allowed mean word length")

    @model_validator(mode="after")
    def _ordered(self) -> MeanWordLengthConfig:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        return self


class MeanWordLength(Filter):
    name = "mean_word_length"
    Config = MeanWordLengthConfig
    statistics = (Statistic("mean_word_length"),)
    bounds = ("min", "max")
    derive = (
        DeriveRule(
            "min", "clamp(floor(q01), 1, 3)", lambda v: int(clamp(math.floor(quantile(v, 0.01)), 1, 3))
        ),
        DeriveRule(
            "max", "clamp(ceil(q99), 10, 30)", lambda v: int(clamp(math.ceil(quantile(v, 0.99)), 10, 30))
        ),
    )
    label = "Mean word length"
    measures = (
        "The average number of characters per word (words as the language's segmenter cuts them). "
        "Very short or very long averages mean gibberish, code, URLs or lists of symbols."
    )
    unit = "Characters per word"
    ratio = False
    step = 0.1

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        chars, words = per_document(batch.words, len)
        return {"mean_word_length": share(chars, words)}
