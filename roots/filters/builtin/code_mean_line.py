"""Codex / The Stack code filter (off in ROOTS): mean line length at most 100 characters."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.code_stats import mean_line_length
from roots.filters.filter import Batch, Filter, FilterConfig, Statistic


class CodeMeanLineConfig(FilterConfig):
    max: float = Field(100, gt=0, description="files whose mean line length is above this are removed")


class CodeMeanLine(Filter):
    name = "code_mean_line"
    Config = CodeMeanLineConfig
    statistics = (Statistic("code_mean_line_length"),)
    bounds = ("max",)
    label = "Mean line length (code)"
    measures = "The average number of characters per line. Minified and data files have long lines."
    unit = "Characters per line"
    ratio = False
    step = 1

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        return {"code_mean_line_length": mean_line_length(batch.texts)}
