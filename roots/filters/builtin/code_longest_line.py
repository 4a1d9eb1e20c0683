"""ROOTS code filter: the longest line, kept strictly between 20 and 1000 characters (minified, data)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.code_stats import StrictBounds, longest_line
from roots.filters.filter import Batch, FilterConfig, Statistic


class CodeLongestLineConfig(FilterConfig):
    min: int = Field(20, ge=0, description="files whose longest line has at most this many characters go")
    max: int = Field(1000, ge=1, description="files whose longest line has at least this many characters go")


class CodeLongestLine(StrictBounds):
    name = "code_longest_line"
    Config = CodeLongestLineConfig
    statistics = (Statistic("code_longest_line"),)
    bounds = ("min", "max")
    label = "Longest line (code)"
    measures = (
        "The length in characters of the file's longest line. Minified and generated files and embedded "
        "data have very long lines; stubs have only short ones."
    )
    unit = "Characters in the longest line"
    integer = True
    ratio = False
    step = 1

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        return {"code_longest_line": longest_line(batch.texts)}
