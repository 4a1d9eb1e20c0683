"""The Stack code filter (off in ROOTS): files with fewer than 10 code tokens are removed."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.code_stats import code_tokens
from roots.filters.filter import Batch, Filter, FilterConfig, Statistic


class CodeTokensConfig(FilterConfig):
    min: int = Field(10, ge=0, description="files with fewer code tokens are removed")


class CodeTokens(Filter):
    name = "code_tokens"
    Config = CodeTokensConfig
    statistics = (Statistic("code_tokens"),)
    bounds = ("min",)
    label = "Code tokens"
    measures = "The number of code tokens: identifiers, keywords and numbers, and each punctuation mark."
    unit = "Code tokens"
    integer = True
    ratio = False
    step = 1

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        return {"code_tokens": code_tokens(batch.texts)}
