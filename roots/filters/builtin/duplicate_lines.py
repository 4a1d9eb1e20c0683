"""Gopher ``duplicate_lines``: share of lines repeating an earlier line of the document."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic
from roots.filters.lines import lines


class DuplicateLinesConfig(FilterConfig):
    max: float = Field(0.3, ge=0, le=1, description="largest allowed share of repeated lines")


class DuplicateLines(Filter):
    name = "duplicate_lines"
    Config = DuplicateLinesConfig
    statistics = (Statistic("duplicate_line_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.05, 0.3, 0.6)", upper(0.95, 0.05, 0.3, 0.6)),)
    label = "Repeated lines (by count)"
    measures = (
        "The share of lines that repeat an earlier line of the same document (every copy after the "
        "first counts). Repeated headers, menus and spam repeat lines."
    )
    unit = "Share of repeated lines (0 to 1)"

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        out = np.full(len(batch), np.nan)
        for i, text in enumerate(batch.texts):
            found = lines(text)
            if found:
                out[i] = (len(found) - len(set(found))) / len(found)
        return {"duplicate_line_ratio": out}
