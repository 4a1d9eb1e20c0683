"""ROOTS code filter: number of characters, kept strictly between 100 and 200,000."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.code_stats import StrictBounds, characters
from roots.filters.filter import Batch, FilterConfig, Statistic


class CodeCharactersConfig(FilterConfig):
    min: int = Field(100, ge=0, description="files with at most this many characters are removed")
    max: int = Field(200_000, ge=1, description="files with at least this many characters are removed")


class CodeCharacters(StrictBounds):
    name = "code_characters"
    Config = CodeCharactersConfig
    statistics = (Statistic("code_characters"),)
    bounds = ("min", "max")
    label = "Characters (code)"
    measures = "The number of characters of a source file. ROOTS kept files of 101 to 199,999 characters."
    unit = "Characters"
    integer = True
    ratio = False
    step = 1

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        return {"code_characters": characters(batch.texts)}
