"""Vectorised filter decision: which filter (in filter order) first rejects each document.

Works on statistic columns as numpy arrays, so the dashboard can re-count a million rows on every slider
move. A null statistic (NaN: no word list, no language model) never fails its filter, as in ROOTS where a
missing resource makes the filter pass. A switched-off filter (``enabled: false``) never fails, nor does
one whose statistic column is absent.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from roots.filters.language_config import Filters


def failing_masks(columns: Mapping[str, np.ndarray], filters: Filters) -> dict[str, np.ndarray]:
    """Per enabled filter, the documents it would reject on its own (filters evaluated independently)."""
    masks: dict[str, np.ndarray] = {}
    for spec, config in filters.configured():
        if not config.enabled or spec.column not in columns:
            continue
        masks[spec.name] = spec.fails(np.asarray(columns[spec.column], dtype=np.float64), config)
    return masks


def first_failing_filter(columns: Mapping[str, np.ndarray], filters: Filters) -> np.ndarray:
    """The drop reason of each document: the first failing enabled filter in filter order, or None (kept)."""
    size = len(next(iter(columns.values()))) if columns else 0
    reasons = np.full(size, None, dtype=object)
    open_ = np.ones(size, dtype=bool)
    for name, fail in failing_masks(columns, filters).items():
        hit = fail & open_
        reasons[hit] = name
        open_ &= ~hit
    return reasons
