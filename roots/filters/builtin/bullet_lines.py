"""Gopher ``bullet_lines``: share of lines starting with a bullet; lists and menus are mostly bullets."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic
from roots.filters.lines import lines

BULLETS = tuple("•‣◦⁃∙·▪▫■□●○◆◇►▸-*–—")


class BulletLinesConfig(FilterConfig):
    max: float = Field(0.9, ge=0, le=1, description="largest allowed share of lines starting with a bullet")


class BulletLines(Filter):
    name = "bullet_lines"
    Config = BulletLinesConfig
    statistics = (Statistic("bullet_line_ratio"),)
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.05, 0.9, 1)", upper(0.95, 0.05, 0.9, 1.0)),)
    label = "Lines starting with a bullet"
    measures = "The share of lines that start with a bullet (•, ‣, ◦, -, *, – …). Lists and menus are mostly bullets."
    unit = "Share of bullet lines (0 to 1)"

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        out = np.full(len(batch), np.nan)
        for i, text in enumerate(batch.texts):
            found = lines(text)
            if found:
                out[i] = sum(line.startswith(BULLETS) for line in found) / len(found)
        return {"bullet_line_ratio": out}
