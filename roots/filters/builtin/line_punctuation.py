"""FineWeb ``line_punctuation``: share of lines that end a sentence; menus and lists end few."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import clamp, quantile
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic
from roots.filters.lines import ends_sentence, lines


class LinePunctuationConfig(FilterConfig):
    min: float = Field(0.12, ge=0, le=1, description="fewest lines ending a sentence, as a share of lines")


class LinePunctuation(Filter):
    name = "line_punctuation"
    Config = LinePunctuationConfig
    statistics = (Statistic("line_punctuation_ratio"),)
    bounds = ("min",)
    derive = (
        DeriveRule("min", "clamp(q05, 0, 0.12)", lambda v: round(clamp(quantile(v, 0.05), 0.0, 0.12), 3)),
    )
    label = "Lines ending a sentence"
    measures = (
        "The share of the document's lines that end with sentence-final punctuation of any script "
        "(. ! ? 。 । ؟ ۔ …). Prose ends most lines; menus, lists and link blocks end few."
    )
    unit = "Share of lines ending a sentence (0 to 1)"

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        out = np.full(len(batch), np.nan)
        for i, text in enumerate(batch.texts):
            found = lines(text)
            if found:
                out[i] = sum(map(ends_sentence, found)) / len(found)
        return {"line_punctuation_ratio": out}
