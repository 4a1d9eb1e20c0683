"""Vectorised filter decision: which filter (in ROOTS order) first rejects each document.

Works on statistic columns as numpy arrays, so the dashboard can re-count a million rows on every slider
move. A null statistic (NaN: no word list, no language model) never fails its filter, as in ROOTS where a
missing resource makes the filter pass. A switched-off filter (``enabled: false``) never fails.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from roots.filters.language_config import FILTER_ORDER, Filters

# filter name → statistic column it tests
FILTER_COLUMNS: dict[str, str] = {
    "number_words": "number_words",
    "character_repetition": "character_repetition_ratio",
    "word_repetition": "word_repetition_ratio",
    "special_characters": "special_characters_ratio",
    "stopwords": "stopwords_ratio",
    "flagged_words": "flagged_words_ratio",
    "lang_id": "lang_id_score",
    "perplexity": "perplexity",
}


def failing_masks(columns: Mapping[str, np.ndarray], filters: Filters) -> dict[str, np.ndarray]:
    """Per enabled filter, the documents it would reject on its own (filters evaluated independently)."""
    masks: dict[str, np.ndarray] = {}
    for name in FILTER_ORDER:
        spec = getattr(filters, name)
        column = FILTER_COLUMNS[name]
        if not spec.enabled or column not in columns:
            continue
        values = np.asarray(columns[column], dtype=np.float64)
        with np.errstate(invalid="ignore"):
            if name == "number_words":
                fail = (values < spec.min) | (values > spec.max)
            elif name in ("stopwords", "lang_id"):
                fail = values < spec.min
            else:
                fail = values > spec.max
        masks[name] = fail
    return masks


def first_failing_filter(columns: Mapping[str, np.ndarray], filters: Filters) -> np.ndarray:
    """The drop reason of each document: the first failing enabled filter in ROOTS order, or None (kept)."""
    size = len(next(iter(columns.values()))) if columns else 0
    reasons = np.full(size, None, dtype=object)
    open_ = np.ones(size, dtype=bool)
    for name, fail in failing_masks(columns, filters).items():
        hit = fail & open_
        reasons[hit] = name
        open_ &= ~hit
    return reasons
