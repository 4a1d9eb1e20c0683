"""FineWeb ``newline_ratio``: line breaks per word; lists and tables break after every few words."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic


class NewlineRatioConfig(FilterConfig):
    max: float = Field(0.3, ge=0, description="most line breaks allowed per word")


class NewlineRatio(Filter):
    name = "newline_ratio"
    Config = NewlineRatioConfig
    statistics = (Statistic("newline_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.05, 0.3, 1)", upper(0.95, 0.05, 0.3, 1.0)),)
    label = "Line breaks per word"
    measures = (
        "How many line breaks the document has per word (words as the language's segmenter counts "
        "them). Prose has few; lists, tables and menus break after every few words."
    )
    unit = "Line breaks per word"

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        words = batch.words.counts.astype(np.float64)
        breaks = np.fromiter((t.count("\n") for t in batch.texts), dtype=np.float64, count=len(batch))
        out = np.full(len(batch), np.nan)
        has = words > 0
        out[has] = breaks[has] / words[has]
        return {"newline_ratio": out}
