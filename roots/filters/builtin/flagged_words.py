"""ROOTS ``flagged_words``: share of words on a user-supplied list of pornographic words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Language, Statistic
from roots.filters.wordlists import list_ratios, load_flagged_words


class FlaggedWordsConfig(FilterConfig):
    max: float = Field(0.1, ge=0, le=1)
    list: str | None = Field(
        None, description="a user-supplied word-list file (one per line); null: filter passes"
    )


class FlaggedWords(Filter):
    name = "flagged_words"
    Config = FlaggedWordsConfig
    statistics = (Statistic("flagged_words_ratio"),)
    bounds = ("max",)
    derive = (
        DeriveRule(
            "max", "clamp(q99 + 0.005, 0.001, 0.1)", upper(0.99, 0.005, 0.001, 0.1), needs_nonzero=True
        ),
    )
    label = "Flagged (pornographic) words"
    measures = (
        "The share of words found on the language's flagged-word list (words used almost only in "
        "pornographic contexts). Without a list this filter removes nothing."
    )
    unit = "Flagged-word ratio (0 to 1)"
    in_every_config = True
    config: FlaggedWordsConfig

    def __init__(self, config: FilterConfig, language: Language) -> None:
        super().__init__(config, language)
        self.word_list = load_flagged_words(self.config.list, language.path)

    @classmethod
    def describe(cls, config: FilterConfig) -> str:
        assert isinstance(config, FlaggedWordsConfig)
        return f"Word list: {config.list or 'none'}."

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        ratios = list_ratios(batch.words, self.word_list, self.language.config.words_augmentation)
        return {"flagged_words_ratio": ratios}

    def note(self) -> str | None:
        if self.word_list is None:
            return "flagged_words: no flagged-word list configured, filter passed"
        return None

    @classmethod
    def resources(cls, config: FilterConfig, language: Language) -> Any:
        assert isinstance(config, FlaggedWordsConfig)
        words = load_flagged_words(config.list, language.path)
        return words.digest if words else None
