"""ROOTS code filter: the standard deviation of whitespace-token lengths must exceed 3."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.code_stats import StrictBounds, token_length_std
from roots.filters.filter import Batch, FilterConfig, Statistic


class CodeTokenLengthStdConfig(FilterConfig):
    min: float = Field(3, ge=0, description="files whose deviation is at most this are removed")


class CodeTokenLengthStd(StrictBounds):
    name = "code_token_length_std"
    Config = CodeTokenLengthStdConfig
    statistics = (Statistic("code_token_length_std"),)
    bounds = ("min",)
    label = "Token length spread (code)"
    measures = (
        "The standard deviation of the lengths of the whitespace-separated tokens. Tables of numbers, "
        "hex dumps and repeated boilerplate have tokens of nearly one length."
    )
    unit = "Standard deviation of token lengths"
    ratio = False
    step = 0.1

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        return {"code_token_length_std": token_length_std(batch.texts)}
