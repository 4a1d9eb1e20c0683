"""ROOTS ``stopwords``: share of the language's function words; real sentences have many."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field

from roots.filters.derive import clamp, quantile
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Language, Statistic
from roots.filters.wordlists import list_ratios, load_stopwords


class StopWordsConfig(FilterConfig):
    min: float = Field(0.1, ge=0, le=1)
    list: str | None = Field(
        "stopwordsiso",
        description="a word-list file (one per line, relative to this YAML), 'stopwordsiso', or null",
    )


class StopWords(Filter):
    name = "stopwords"
    Config = StopWordsConfig
    statistics = (Statistic("stopwords_ratio"),)
    bounds = ("min",)
    derive = (
        DeriveRule("min", "clamp(q05 / 2, 0.002, 0.1)",
                   lambda v: round(clamp(quantile(v, 0.05) / 2, 0.002, 0.1), 3), needs_nonzero=True),
    )  # fmt: skip
    label = "Common small words (stop words)"
    measures = (
        "The share of words that are very common function words of the language (in English: "
        "'the', 'and', 'of'). Real sentences contain many; word lists, titles and text in another "
        "language contain few."
    )
    unit = "Stop-word ratio (0 to 1)"
    in_every_config = True
    config: StopWordsConfig

    def __init__(self, config: FilterConfig, language: Language) -> None:
        super().__init__(config, language)
        self.word_list = load_stopwords(self.config.list, language.config.lang, language.path)

    @classmethod
    def describe(cls, config: FilterConfig) -> str:
        assert isinstance(config, StopWordsConfig)
        return f"Word list: {config.list or 'none'}."

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        ratios = list_ratios(batch.words, self.word_list, self.language.config.words_augmentation)
        return {"stopwords_ratio": ratios}

    def note(self) -> str | None:
        return (
            "stopwords: no stop-word list for this language, filter passed"
            if self.word_list is None
            else None
        )

    @classmethod
    def resources(cls, config: FilterConfig, language: Language) -> Any:
        assert isinstance(config, StopWordsConfig)
        words = load_stopwords(config.list, language.config.lang, language.path)
        return words.digest if words else None
