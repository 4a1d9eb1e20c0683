"""FineWeb ``duplicate_line_chars``: share of characters in lines that repeat an earlier line."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic
from roots.filters.lines import lines


class DuplicateLineCharsConfig(FilterConfig):
    max: float = Field(0.1, ge=0, le=1, description="largest allowed share of characters in repeated lines")


class DuplicateLineChars(Filter):
    name = "duplicate_line_chars"
    Config = DuplicateLineCharsConfig
    statistics = (Statistic("duplicate_line_char_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.02, 0.1, 0.5)", upper(0.95, 0.02, 0.1, 0.5)),)
    label = "Repeated lines"
    measures = (
        "The share of the text's characters that sit in lines repeating an earlier line of the same "
        "document (every copy after the first counts). Boilerplate, repeated headers and spam repeat lines."
    )
    unit = "Share of characters in repeated lines (0 to 1)"

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        out = np.full(len(batch), np.nan)
        for i, text in enumerate(batch.texts):
            found = lines(text)
            total = sum(map(len, found))
            if not total:
                continue
            seen: set[str] = set()
            repeated = 0
            for line in found:
                if line in seen:
                    repeated += len(line)
                seen.add(line)
            out[i] = repeated / total
        return {"duplicate_line_char_ratio": out}
