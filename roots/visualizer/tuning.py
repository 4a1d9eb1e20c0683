"""Live re-count of one language's documents under new thresholds (pure numpy, no Streamlit).

The dashboard calls ``recount`` on every slider move, so it works on the statistic columns the filter
stage stored (one float64 array per filter, NaN where a statistic is missing) and never re-scores text.
A missing value passes its filter, as in ROOTS (no word list or no model: the filter is skipped).

Two attributions are reported per filter:
* **on its own**: documents this filter would remove if it were the only enabled filter;
* **in sequence**: documents for which it is the *first* failing filter in ROOTS order, the
  ``drop_reason`` the filter stage writes. These add up to the total removed (a waterfall).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from roots.filters.decide import failing_masks
from roots.filters.language_config import FILTER_ORDER, Filters
from roots.visualizer.filterinfo import SPECS_BY_NAME

KEPT = -1  # reason code of a kept document; filter i in FILTER_ORDER has code i


@dataclass(frozen=True)
class Setting:
    """One filter's switch and cutoffs (``None`` where the filter has no such bound)."""

    enabled: bool
    min: float | None = None
    max: float | None = None


Settings = Mapping[str, Setting]


def settings_from_filters(filters: Filters) -> dict[str, Setting]:
    """The dashboard's view of a language config's ``filters:`` section."""
    out: dict[str, Setting] = {}
    for name in FILTER_ORDER:
        model = getattr(filters, name)
        spec = SPECS_BY_NAME[name]
        out[name] = Setting(
            enabled=model.enabled,
            min=float(model.min) if "min" in spec.bounds else None,
            max=float(model.max) if "max" in spec.bounds else None,
        )
    return out


def filters_with(filters: Filters, settings: Settings) -> Filters:
    """A copy of ``filters`` with the switches and cutoffs of ``settings`` (other keys unchanged).

    Not validated on purpose: while a slider is moving, ``min`` may pass ``max``; that re-counts (every
    document fails) but cannot be saved (saving validates).
    """
    updates: dict[str, object] = {}
    for name, setting in settings.items():
        spec = SPECS_BY_NAME[name]
        changes: dict[str, object] = {"enabled": setting.enabled}
        for bound in spec.bounds:
            value = getattr(setting, bound)
            if value is not None:
                changes[bound] = int(round(value)) if spec.integer else float(value)
        updates[name] = getattr(filters, name).model_copy(update=changes)
    return filters.model_copy(update=updates)


@dataclass
class Counts:
    docs: int = 0
    chars: int = 0


@dataclass(frozen=True)
class LanguageColumns:
    """The stored statistics of one language's documents: one float64 array per statistic column."""

    columns: Mapping[str, np.ndarray]
    chars: np.ndarray  # characters of each document (int64)
    chars_float: np.ndarray = field(init=False, repr=False)  # the same as float64, for weighted counts

    def __post_init__(self) -> None:
        object.__setattr__(self, "chars_float", np.asarray(self.chars, dtype=np.float64))

    @property
    def size(self) -> int:
        return int(self.chars.shape[0])


@dataclass(frozen=True)
class Recount:
    """Documents and characters kept and removed under one set of thresholds."""

    total: Counts
    kept: Counts
    alone: dict[str, int] = field(default_factory=dict)  # documents each filter removes on its own
    sequence: dict[str, Counts] = field(default_factory=dict)
    reasons: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))
    sets: np.ndarray = field(
        default_factory=lambda: np.empty(0, np.uint8)
    )  # failing filters, bit i = filter i

    @property
    def removed(self) -> Counts:
        return Counts(self.total.docs - self.kept.docs, self.total.chars - self.kept.chars)


def failure_masks(data: LanguageColumns, settings: Settings) -> dict[str, np.ndarray]:
    """The failure mask of every enabled filter whose statistic was stored, in ROOTS order.

    The masks come from the filter stage's own ``failing_masks``, so the dashboard and ``roots filter``
    agree by construction.
    """
    return failing_masks(data.columns, filters_with(Filters(), settings))


def _first_bit_table(n_filters: int) -> np.ndarray:
    """Lookup from a bit set of failing filters to the lowest set bit (the first failing filter)."""
    table = np.full(1 << n_filters, KEPT, dtype=np.int8)
    for bits in range(1, 1 << n_filters):
        table[bits] = (bits & -bits).bit_length() - 1
    return table


_FIRST_BIT = _first_bit_table(len(FILTER_ORDER))
_BIT_DTYPE = np.uint8 if len(FILTER_ORDER) <= 8 else np.uint16
_N_SETS = 1 << len(FILTER_ORDER)


def failing_sets(masks: Mapping[str, np.ndarray], size: int) -> np.ndarray:
    """Each document's failing filters as a bit set (bit i: filter i of ROOTS order fails)."""
    bits = np.zeros(size, dtype=_BIT_DTYPE)
    shifted = np.empty(size, dtype=_BIT_DTYPE)
    for i, name in enumerate(FILTER_ORDER):
        if name in masks:
            np.left_shift(masks[name].astype(_BIT_DTYPE, copy=False), i, out=shifted)
            np.bitwise_or(bits, shifted, out=bits)
    return bits


def first_failing(masks: Mapping[str, np.ndarray], size: int) -> np.ndarray:
    """Reason code per document: the index (in ROOTS order) of its first failing filter, or ``KEPT``.

    Same rule as ``roots.filters.decide.first_failing_filter``, as small integers instead of strings.
    """
    return np.take(_FIRST_BIT, failing_sets(masks, size))


def recount(data: LanguageColumns, settings: Settings) -> Recount:
    """Kept/removed totals, per-filter removals on their own and in sequence, and each document's reason.

    Documents are first counted per failing-filter set (at most 256 sets), so every total after that
    is arithmetic on 256 numbers instead of another pass over the documents.
    """
    masks = failure_masks(data, settings)
    sets = failing_sets(masks, data.size)
    docs_per_set = np.bincount(sets, minlength=_N_SETS)
    chars_per_set = np.bincount(sets, weights=data.chars_float, minlength=_N_SETS)
    first = _FIRST_BIT + 1  # 0: kept, i + 1: filter i
    docs = np.bincount(first, weights=docs_per_set, minlength=len(FILTER_ORDER) + 1)
    chars = np.bincount(first, weights=chars_per_set, minlength=len(FILTER_ORDER) + 1)
    set_ids = np.arange(_N_SETS)
    alone = {name: int(docs_per_set[(set_ids >> i) & 1 == 1].sum()) for i, name in enumerate(FILTER_ORDER)}
    sequence = {
        name: Counts(int(docs[i + 1]), int(round(chars[i + 1]))) for i, name in enumerate(FILTER_ORDER)
    }
    return Recount(
        total=Counts(data.size, int(data.chars.sum())),
        kept=Counts(int(docs[0]), int(round(chars[0]))),
        alone=alone,
        sequence=sequence,
        reasons=np.take(_FIRST_BIT, sets),
        sets=sets,
    )


def failing_only(result: Recount, name: str) -> np.ndarray:
    """Documents that fail filter ``name`` and pass every other switched-on filter."""
    return np.flatnonzero(result.sets == (1 << FILTER_ORDER.index(name)))


def reason_codes(drop_reason: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Stored ``drop_reason`` strings as reason codes (null: ``KEPT``; unknown: ``len(FILTER_ORDER)``)."""
    index = pc.index_in(drop_reason, value_set=pa.array(FILTER_ORDER, pa.string()))
    unknown = pc.and_(pc.is_null(index), pc.is_valid(drop_reason))
    codes = pc.if_else(unknown, len(FILTER_ORDER), pc.fill_null(index, KEPT))
    return np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int8)


def reason_name(code: int) -> str:
    """The filter name of a reason code, ``kept``, or ``other``."""
    if code == KEPT:
        return "kept"
    return FILTER_ORDER[code] if 0 <= code < len(FILTER_ORDER) else "other"
