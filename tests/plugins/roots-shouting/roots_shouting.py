"""An example roots filter plugin: documents written mostly in capital letters (shouting, spam)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic


class ShoutingConfig(FilterConfig):
    max: float = Field(0.5, ge=0, le=1, description="largest allowed share of capital letters")
    min_letters: int = Field(
        20, ge=1, description="fewer cased letters than this: no value, the document passes"
    )


class Shouting(Filter):
    name = "shouting"
    Config = ShoutingConfig
    statistics = (Statistic("uppercase_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.05, 0.2, 0.9)", upper(0.95, 0.05, 0.2, 0.9)),)
    label = "Capital letters (shouting)"
    measures = "The share of letters that are capitals. Ordinary prose has few; shouting and spam have many."
    unit = "Uppercase ratio (0 to 1)"
    config: ShoutingConfig

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        out = np.full(len(batch), np.nan)
        for i, text in enumerate(batch.texts):
            upper_count = sum(c.isupper() for c in text)
            cased = upper_count + sum(c.islower() for c in text)
            if cased >= self.config.min_letters:
                out[i] = upper_count / cased
        return {"uppercase_ratio": out}
