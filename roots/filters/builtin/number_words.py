"""ROOTS ``number_words``: documents with too few (menus, titles) or too many words."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pyarrow as pa
from pydantic import Field, model_validator

from roots.filters.derive import clamp, quantile
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic


class NumberWordsConfig(FilterConfig):
    min: int = Field(10, ge=0)
    max: int = Field(100_000, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> NumberWordsConfig:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        return self


class NumberWords(Filter):
    name = "number_words"
    Config = NumberWordsConfig
    statistics = (Statistic("number_words", pa.int64()),)
    bounds = ("min", "max")
    derive = (
        DeriveRule("min", "clamp(floor(q05), 1, 10)",
                   lambda v: int(clamp(math.floor(quantile(v, 0.05)), 1, 10))),
    )  # fmt: skip
    label = "Number of words"
    measures = (
        "How many words the document has. Very short documents are usually menus, titles or "
        "fragments; extremely long ones are often dumps of lists."
    )
    unit = "Number of words"
    integer = True
    step = 1
    ratio = False
    in_every_config = True

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        return {"number_words": batch.words.counts.astype(np.int64)}
