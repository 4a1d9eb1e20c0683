"""ROOTS ``character_repetition``: share of the text made of its most repeated character n-grams."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic
from roots.filters.statistics import character_repetition_ratios


class CharacterRepetitionConfig(FilterConfig):
    n: int = Field(10, ge=1, le=50, description="character n-gram length")
    max: float = Field(0.2, ge=0, le=1)
    variant: Literal["roots", "fixed"] = Field(
        "roots",
        description="'roots': k = min(floor(sqrt(D)), D - R), as used to build ROOTS (before 2022-07-19); "
        "'fixed': k = min(floor(sqrt(D)), R), the later fix",
    )


class CharacterRepetition(Filter):
    name = "character_repetition"
    Config = CharacterRepetitionConfig
    statistics = (Statistic("character_repetition_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.05, 0.2, 0.25)", upper(0.95, 0.05, 0.2, 0.25)),)
    label = "Repeated characters"
    measures = (
        "The share of the text made of its most repeated short character sequences. High values "
        "mean the same few letters or symbols are repeated again and again (e.g. 'aaaa', '!!!!', "
        "spam blocks)."
    )
    unit = "Character repetition ratio (0 to 1)"
    in_every_config = True
    config: CharacterRepetitionConfig

    @classmethod
    def describe(cls, config: FilterConfig) -> str:
        assert isinstance(config, CharacterRepetitionConfig)
        return f"Counted over {config.n}-character sequences ({config.variant} formula); changing n needs a re-run."

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        ratios = character_repetition_ratios(batch.texts, self.config.n, self.config.variant)
        return {"character_repetition_ratio": ratios}
