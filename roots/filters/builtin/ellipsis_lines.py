"""Gopher ``ellipsis_lines``: share of lines ending with an ellipsis (truncated teasers, excerpts)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic
from roots.filters.lines import lines

ELLIPSES = ("...", "…", "。。。")


class EllipsisLinesConfig(FilterConfig):
    max: float = Field(0.3, ge=0, le=1, description="largest allowed share of lines ending with an ellipsis")


class EllipsisLines(Filter):
    name = "ellipsis_lines"
    Config = EllipsisLinesConfig
    statistics = (Statistic("ellipsis_line_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.05, 0.3, 0.6)", upper(0.95, 0.05, 0.3, 0.6)),)
    label = "Lines ending with an ellipsis"
    measures = (
        "The share of lines that end with an ellipsis (..., …, 。。。). Pages of truncated teasers and "
        "search excerpts end many lines that way."
    )
    unit = "Share of ellipsis lines (0 to 1)"

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        out = np.full(len(batch), np.nan)
        for i, text in enumerate(batch.texts):
            found = lines(text)
            if found:
                out[i] = sum(line.endswith(ELLIPSES) for line in found) / len(found)
        return {"ellipsis_line_ratio": out}
