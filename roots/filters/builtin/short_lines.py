"""FineWeb ``short_lines``: share of lines shorter than a few characters (navigation, lists)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic
from roots.filters.lines import lines


class ShortLinesConfig(FilterConfig):
    max: float = Field(0.67, ge=0, le=1, description="largest allowed share of short lines")
    length: int = Field(30, ge=1, description="a line with fewer characters than this is short")


class ShortLines(Filter):
    name = "short_lines"
    Config = ShortLinesConfig
    statistics = (Statistic("short_line_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.05, 0.67, 1)", upper(0.95, 0.05, 0.67, 1.0)),)
    label = "Short lines"
    measures = (
        "The share of lines shorter than a few characters. Navigation, menus and lists are made of "
        "short lines; prose paragraphs are long. Scripts that pack many words into few characters "
        "(Chinese, Japanese) have shorter lines: lower the length for them."
    )
    unit = "Share of short lines (0 to 1)"
    config: ShortLinesConfig

    @classmethod
    def describe(cls, config: FilterConfig) -> str:
        assert isinstance(config, ShortLinesConfig)
        return f"A line is short below {config.length} characters; changing that needs a re-run."

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        out = np.full(len(batch), np.nan)
        for i, text in enumerate(batch.texts):
            found = lines(text)
            if found:
                out[i] = sum(len(line) < self.config.length for line in found) / len(found)
        return {"short_line_ratio": out}
