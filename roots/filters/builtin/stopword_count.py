"""Gopher ``stopword_count``: how many of the language's stop words a document uses (at least 2).

Gopher counted eight English function words; here the language's stop-word list (the ``stopwords``
filter's, loaded the same way) counts, so the rule works in every language that has a list.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
from pydantic import Field

from roots.filters.builtin.stopwords import StopWords, StopWordsConfig
from roots.filters.derive import clamp, quantile
from roots.filters.filter import Batch, DeriveRule, Statistic
from roots.filters.gopher import per_document


class StopwordCountConfig(StopWordsConfig):
    min: int = Field(2, ge=0, description="fewest stop-word occurrences a document must have")  # type: ignore[assignment]


class StopwordCount(StopWords):
    name = "stopword_count"
    Config = StopwordCountConfig  # type: ignore[assignment]  # its min is an int count
    statistics = (Statistic("stopword_count", pa.int64()),)
    bounds = ("min",)
    derive = (
        DeriveRule(
            "min",
            "clamp(floor(q05 / 2), 1, 2)",
            lambda v: int(clamp(quantile(v, 0.05) // 2, 1, 2)),
            needs_nonzero=True,
        ),
    )
    label = "Number of stop words"
    measures = (
        "How many times the document uses one of the language's most common function words (in "
        "English: the, of, and …). Real sentences use several; keyword lists and tables use none."
    )
    unit = "Stop words in the document"
    ratio = False
    integer = True
    step = 1
    in_every_config = False

    def compute(self, batch: Batch) -> Mapping[str, np.ndarray]:
        if self.word_list is None:
            return {"stopword_count": np.full(len(batch), np.nan)}
        found, _ = per_document(batch.words, self.word_list.words.__contains__)
        return {"stopword_count": found}

    def note(self) -> str | None:
        if self.word_list is None:
            return "stopword_count: no stop-word list for this language, filter passed"
        return None
