"""Vectorised filter decisions: ROOTS order, min/max semantics, switches, and missing statistics."""

from __future__ import annotations

import numpy as np

from roots.filters.decide import failing_masks, first_failing_filter
from roots.filters.language_config import Filters

NAN = np.nan


def columns() -> dict[str, np.ndarray]:
    # rows: 0 kept, 1 too few words, 2 fails char rep AND special chars (first in order wins),
    #       3 too few stop words, 4 low LID score, 5 stop words unknown (NaN: passes) but flagged too high,
    #       6 too many words, 7 perplexity too high
    return {
        "number_words": np.array([50, 5, 50, 50, 50, 50, 200_000, 50]),
        "character_repetition_ratio": np.array([0.1, 0.1, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1]),
        "word_repetition_ratio": np.array([0.1] * 8),
        "special_characters_ratio": np.array([0.2, 0.2, 0.9, 0.2, 0.2, 0.2, 0.2, 0.2]),
        "stopwords_ratio": np.array([0.3, 0.3, 0.3, 0.01, 0.3, NAN, 0.3, 0.3]),
        "flagged_words_ratio": np.array([NAN, NAN, NAN, NAN, NAN, 0.5, NAN, NAN]),
        "lang_id_score": np.array([0.9, 0.9, 0.9, 0.9, 0.2, 0.9, 0.9, 0.9]),
        "perplexity": np.array([NAN, NAN, NAN, NAN, NAN, NAN, NAN, 20_000.0]),
    }


def filters(**overrides: dict) -> Filters:
    base = {"perplexity": {"enabled": True, "max": 10_000}}
    return Filters.model_validate(base | overrides)


def test_first_failing_filter_in_roots_order() -> None:
    reasons = first_failing_filter(columns(), filters())
    assert reasons.tolist() == [
        None,
        "number_words",
        "character_repetition",
        "stopwords",
        "lang_id",
        "flagged_words",
        "number_words",
        "perplexity",
    ]


def test_disabled_filters_never_fail() -> None:
    reasons = first_failing_filter(
        columns(), filters(character_repetition={"enabled": False}, number_words={"enabled": False})
    )
    assert reasons[1] is None and reasons[2] == "special_characters" and reasons[6] is None


def test_thresholds_are_inclusive_like_roots() -> None:
    cols = {"number_words": np.array([10, 9]), "stopwords_ratio": np.array([0.1, 0.1])}
    f = filters(number_words={"min": 10, "max": 10}, stopwords={"min": 0.1})
    assert first_failing_filter(cols, f).tolist() == [None, "number_words"]


def test_independent_masks_for_the_dashboard() -> None:
    masks = failing_masks(columns(), filters())
    assert masks["special_characters"].tolist() == [False, False, True, False, False, False, False, False]
    assert "perplexity" in masks and "perplexity" not in failing_masks(columns(), Filters())


def test_a_million_rows_without_python_loops() -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    cols = {
        "number_words": rng.integers(0, 500, n),
        "character_repetition_ratio": rng.random(n),
        "special_characters_ratio": rng.random(n),
    }
    reasons = first_failing_filter(cols, Filters())
    assert reasons.shape == (n,)
    assert (reasons == "number_words").sum() == (cols["number_words"] < 10).sum()
