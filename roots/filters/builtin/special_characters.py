"""ROOTS ``special_characters``: share of punctuation, digits, symbols, emoji and spaces."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic
from roots.filters.statistics import special_characters_ratios


class SpecialCharactersConfig(FilterConfig):
    max: float = Field(0.4, ge=0, le=1)


class SpecialCharacters(Filter):
    name = "special_characters"
    Config = SpecialCharactersConfig
    statistics = (Statistic("special_characters_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.05, 0.4, 0.45)", upper(0.95, 0.05, 0.4, 0.45)),)
    label = "Special characters"
    measures = (
        "The share of characters that are punctuation, digits, symbols, emoji or spaces. Ordinary "
        "prose is around 0.2 because spaces count; tables, code and lists of numbers score higher."
    )
    unit = "Special character ratio (0 to 1)"
    in_every_config = True

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        return {"special_characters_ratio": special_characters_ratios(batch.texts)}
