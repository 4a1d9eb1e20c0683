"""Thresholds derived from the distribution of filter statistics (FineWeb-2 style), in one place.

Used by ``roots thresholds derive`` (statistics of a run) and by ``scripts/derive_language_configs.py``
(the shipped configs of the languages nobody has tuned yet). Every rule reads one statistic column,
ignores missing values (null/NaN), and needs at least ``MIN_VALUES`` values:

| filter.field | formula |
|---|---|
| ``number_words.min`` | ``clamp(floor(q05), 1, 10)`` |
| ``character_repetition.max`` | ``clamp(q95 + 0.05, 0.2, 0.25)`` |
| ``word_repetition.max`` | ``clamp(q95 + 0.05, 0.3, 0.98)`` |
| ``special_characters.max`` | ``clamp(q95 + 0.05, 0.4, 0.45)`` |
| ``stopwords.min`` | ``clamp(q05 / 2, 0.002, 0.1)`` (only where a stop-word list gave ratios) |
| ``flagged_words.max`` | ``clamp(q99 + 0.005, 0.001, 0.1)`` (only where a flagged-word list gave ratios) |
| ``lang_id.min`` | ``clamp(median - std, 0.3, 0.9)`` |
| ``perplexity.max`` | ``ceil(q95 × 1.1)`` (only where a KenLM model gave perplexities) |

``qXX`` is the XX-th percentile (numpy's linear interpolation), ``std`` the population standard
deviation. Upper cutoffs sit a margin above what 95 % of the language's documents score, lower cutoffs
below what 95 % score, so a derived config removes outliers, not the bulk of the language.

The clamps encode one rule: a derived threshold, which no native speaker has reviewed, is never
stricter than ROOTS's default (``parameters_filtering_default``: 10 words, 0.2, 0.3, 0.4, 0.1) and never
more lenient than the most lenient value ROOTS's native speakers chose for one of the 13 tuned
languages (reference §2.7: 1 word (zh), 0.25 (pt), 0.98 (pt), 0.45 (bn, hi), 0.002 (bn)). Tightening
beyond the default is left to a native speaker (``roots dashboard``). Two exceptions: the flagged-word
cutoff uses the whole tuned range (0.001–0.1; the default is already the most lenient), and the
language-ID cutoff uses FineWeb-2's 0.3–0.9, because scores of different identifiers (fastText
probability, CLD2 text share) are not on ROOTS's fastText scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

MIN_VALUES = 3


def clamp(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


@dataclass(frozen=True)
class Rule:
    """How one threshold (``filters.<filter>.<field>``) is derived from one statistic column."""

    filter: str
    field: str
    column: str
    formula: str
    compute: Callable[[np.ndarray], float | int]
    needs_nonzero: bool = (
        False  # the statistic is all zeros/missing when its resource (list, model) is absent
    )


def _q(values: np.ndarray, q: float) -> float:
    return float(np.quantile(values, q))


def _upper(q: float, margin: float, lo: float, hi: float) -> Callable[[np.ndarray], float]:
    return lambda v: round(clamp(_q(v, q) + margin, lo, hi), 3)


RULES: tuple[Rule, ...] = (
    Rule("number_words", "min", "number_words", "clamp(floor(q05), 1, 10)",
         lambda v: int(clamp(math.floor(_q(v, 0.05)), 1, 10))),
    Rule("character_repetition", "max", "character_repetition_ratio", "clamp(q95 + 0.05, 0.2, 0.25)",
         _upper(0.95, 0.05, 0.2, 0.25)),
    Rule("word_repetition", "max", "word_repetition_ratio", "clamp(q95 + 0.05, 0.3, 0.98)",
         _upper(0.95, 0.05, 0.3, 0.98)),
    Rule("special_characters", "max", "special_characters_ratio", "clamp(q95 + 0.05, 0.4, 0.45)",
         _upper(0.95, 0.05, 0.4, 0.45)),
    Rule("stopwords", "min", "stopwords_ratio", "clamp(q05 / 2, 0.002, 0.1)",
         lambda v: round(clamp(_q(v, 0.05) / 2, 0.002, 0.1), 3), needs_nonzero=True),
    Rule("flagged_words", "max", "flagged_words_ratio", "clamp(q99 + 0.005, 0.001, 0.1)",
         _upper(0.99, 0.005, 0.001, 0.1), needs_nonzero=True),
    Rule("lang_id", "min", "lang_id_score", "clamp(median - std, 0.3, 0.9)",
         lambda v: round(clamp(float(np.median(v)) - float(np.std(v)), 0.3, 0.9), 2), needs_nonzero=True),
    Rule("perplexity", "max", "perplexity", "ceil(q95 * 1.1)",
         lambda v: math.ceil(_q(v, 0.95) * 1.1), needs_nonzero=True),
)  # fmt: skip
STATISTIC_COLUMNS: tuple[str, ...] = tuple(rule.column for rule in RULES)


@dataclass
class Derived:
    """Derived thresholds (``(filter, field) → value``), how many values each came from, and what was skipped."""

    values: dict[tuple[str, str], float | int] = field(default_factory=dict)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    skipped: dict[tuple[str, str], str] = field(default_factory=dict)

    def as_rows(self) -> list[tuple[str, str, str]]:
        """``(filters.x.y, value or '-', formula or reason)`` for printing."""
        rows = []
        for rule in RULES:
            key = (rule.filter, rule.field)
            name = f"filters.{rule.filter}.{rule.field}"
            if key in self.values:
                rows.append((name, str(self.values[key]), f"{rule.formula} over {self.counts[key]} values"))
            else:
                rows.append((name, "-", self.skipped.get(key, "")))
        return rows


def _clean(values: Sequence[float | None] | np.ndarray) -> np.ndarray:
    array = np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)
    return array[~np.isnan(array)]


def derive_thresholds(columns: Mapping[str, Sequence[float | None] | np.ndarray]) -> Derived:
    """Apply every rule whose statistic column is present and has enough values."""
    derived = Derived()
    for rule in RULES:
        key = (rule.filter, rule.field)
        if rule.column not in columns:
            derived.skipped[key] = f"no {rule.column} column"
            continue
        values = _clean(columns[rule.column])
        if rule.needs_nonzero and not np.any(values):
            derived.skipped[key] = f"{rule.column} is missing or all zero (no list/model for this language)"
            continue
        if len(values) < MIN_VALUES:
            derived.skipped[key] = f"only {len(values)} {rule.column} values (need {MIN_VALUES})"
            continue
        derived.values[key] = rule.compute(values)
        derived.counts[key] = len(values)
    return derived
