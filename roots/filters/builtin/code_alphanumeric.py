"""Codex / The Stack code filter (off in ROOTS): at least 25 % of the characters are letters or digits."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.code_stats import alphanumeric_share
from roots.filters.filter import Batch, Filter, FilterConfig, Statistic


class CodeAlphanumericConfig(FilterConfig):
    min: float = Field(0.25, ge=0, le=1, description="files with a smaller share are removed")


class CodeAlphanumeric(Filter):
    name = "code_alphanumeric"
    Config = CodeAlphanumericConfig
    statistics = (Statistic("code_alphanumeric_ratio"),)
    bounds = ("min",)
    label = "Letters and digits (code)"
    measures = "The share of characters that are letters or digits. Encoded data and drawings have few."
    unit = "Share of letters and digits (0 to 1)"

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        return {"code_alphanumeric_ratio": alphanumeric_share(batch.texts)}
