"""Gopher ``symbol_words``: hash signs and ellipses per word; tag lists and teasers have many."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic
from roots.filters.gopher import share

SYMBOLS = re.compile(r"#|\.\.\.|…")


class SymbolWordsConfig(FilterConfig):
    max: float = Field(0.1, ge=0, description="most '#', '...' and '…' allowed per word")


class SymbolWords(Filter):
    name = "symbol_words"
    Config = SymbolWordsConfig
    statistics = (Statistic("symbol_word_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.02, 0.1, 0.3)", upper(0.95, 0.02, 0.1, 0.3)),)
    label = "Hash signs and ellipses"
    measures = (
        "How many hash signs (#) and ellipses (... or …) the document has per word. Hashtag lists, "
        "truncated teasers and link farms have many; prose has almost none."
    )
    unit = "Symbols per word"

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        symbols = np.fromiter((len(SYMBOLS.findall(t)) for t in batch.texts), np.float64, count=len(batch))
        return {"symbol_word_ratio": share(symbols, batch.words.counts.astype(np.float64))}
