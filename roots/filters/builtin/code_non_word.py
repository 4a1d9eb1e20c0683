"""ROOTS code filter: the share of non-word characters (not ``\\w``), kept strictly between 0.15 and 0.65."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.code_stats import StrictBounds, non_word_share
from roots.filters.filter import Batch, FilterConfig, Statistic


class CodeNonWordConfig(FilterConfig):
    min: float = Field(0.15, ge=0, le=1, description="files with at most this share are removed")
    max: float = Field(0.65, ge=0, le=1, description="files with at least this share are removed")


class CodeNonWord(StrictBounds):
    name = "code_non_word"
    Config = CodeNonWordConfig
    statistics = (Statistic("code_non_word_ratio"),)
    bounds = ("min", "max")
    label = "Non-word characters (code)"
    measures = (
        "The share of characters that are not letters, digits or '_' (spaces, punctuation, operators). "
        "Prose pasted as code has few; encoded data and ASCII art have many."
    )
    unit = "Share of non-word characters (0 to 1)"

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        return {"code_non_word_ratio": non_word_share(batch.texts)}
