"""Thresholds derived from the distribution of filter statistics (FineWeb-2 style), from each filter's rules.

Used by ``roots thresholds derive`` (statistics of a run) and by ``scripts/derive_language_configs.py``
(the shipped configs of the languages nobody has tuned yet). Every filter declares its rules
(``Filter.derive``); each reads one statistic column, ignores missing values (null/NaN), and needs at least
``MIN_VALUES`` values. The ROOTS filters' rules:

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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from roots.filters.filter import DeriveRule, Filter

MIN_VALUES = 3


def clamp(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


def quantile(values: np.ndarray, q: float) -> float:
    return float(np.quantile(values, q))


def upper(q: float, margin: float, lo: float, hi: float) -> Callable[[np.ndarray], float]:
    """An upper cutoff: the ``q`` quantile plus ``margin``, clamped to ``[lo, hi]``, rounded to 3 places."""
    return lambda v: round(clamp(quantile(v, q) + margin, lo, hi), 3)


@dataclass(frozen=True)
class Rule:
    """One filter's derive rule, with the filter it belongs to and the column it reads."""

    filter: str
    rule: DeriveRule
    column: str

    @property
    def field(self) -> str:
        return self.rule.field

    @property
    def formula(self) -> str:
        return self.rule.formula


def rules(filters: Iterable[type[Filter]] | None = None) -> tuple[Rule, ...]:
    """The derive rules of ``filters`` (default: every installed filter), in filter order."""
    if filters is None:
        from roots.filters.catalog import FILTERS

        filters = FILTERS
    return tuple(Rule(f.name, r, r.column or f.column) for f in filters for r in f.derive)


def statistic_columns() -> tuple[str, ...]:
    """The columns some derive rule reads."""
    return tuple(dict.fromkeys(rule.column for rule in rules()))


@dataclass
class Derived:
    """Derived thresholds (``(filter, field) → value``), how many values each came from, and what was skipped."""

    values: dict[tuple[str, str], float | int] = field(default_factory=dict)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    skipped: dict[tuple[str, str], str] = field(default_factory=dict)

    def as_rows(self) -> list[tuple[str, str, str]]:
        """``(filters.x.y, value or '-', formula or reason)`` for printing."""
        rows = []
        for rule in rules():
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
    for rule in rules():
        key = (rule.filter, rule.field)
        if rule.column not in columns:
            derived.skipped[key] = f"no {rule.column} column"
            continue
        values = _clean(columns[rule.column])
        if rule.rule.needs_nonzero and not np.any(values):
            derived.skipped[key] = f"{rule.column} is missing or all zero (no list/model for this language)"
            continue
        if len(values) < MIN_VALUES:
            derived.skipped[key] = f"only {len(values)} {rule.column} values (need {MIN_VALUES})"
            continue
        derived.values[key] = rule.rule.compute(values)
        derived.counts[key] = len(values)
    return derived
