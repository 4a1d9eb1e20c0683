"""ROOTS ``lang_id``: the language identifier's score for the document's language."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from roots.filters.derive import clamp
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Statistic


class LangIdConfig(FilterConfig):
    min: float = Field(0.7, ge=0, le=1, description="minimum identifier score for this language")


class LangId(Filter):
    name = "lang_id"
    Config = LangIdConfig
    statistics = (Statistic("lang_id_score"),)
    bounds = ("min",)
    derive = (
        DeriveRule("min", "clamp(median - std, 0.3, 0.9)",
                   lambda v: round(clamp(float(np.median(v)) - float(np.std(v)), 0.3, 0.9), 2),
                   needs_nonzero=True),
    )  # fmt: skip
    label = "Language identification confidence"
    measures = (
        "How sure the language identifier is that the document is written in this language "
        "(1 = certain). Low values mean mixed languages, another language, or text that is not prose."
    )
    unit = "Language-ID score (0 to 1)"
    step = 0.01
    in_every_config = True

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        detector = self.language.detector
        if detector is None or not batch.texts:
            return {"lang_id_score": np.full(len(batch), np.nan)}
        scores = detector.score(batch.texts, self.language.config.lang)
        return {"lang_id_score": np.asarray(scores, dtype=np.float64)}
