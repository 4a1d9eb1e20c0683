"""Live re-count of one language's documents under new thresholds (pure numpy, no Streamlit).

The dashboard calls ``recount`` on every slider move, so it works on the statistic columns the filter
stage stored (one float64 array per filter, NaN where a statistic is missing) and never re-scores text.
A missing value passes its filter, as in ROOTS (no word list or no model: the filter is skipped).

Two attributions are reported per filter:
* **on its own**: documents this filter would remove if it were the only enabled filter;
* **in sequence**: documents for which it is the *first* failing filter in filter order, the
  ``drop_reason`` the filter stage writes. These add up to the total removed (a waterfall).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from roots.filters.catalog import BY_NAME, FILTER_ORDER
from roots.filters.decide import failing_masks
from roots.filters.language_config import Filters

KEPT = -1  # reason code of a kept document; filter i in catalog.FILTER_ORDER has code i


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
    for spec, model in filters.configured():
        bounds = {bound: float(getattr(model, bound)) for bound in spec.bounds}
        out[spec.name] = Setting(enabled=model.enabled, **bounds)
    return out


def filters_with(filters: Filters, settings: Settings) -> Filters:
    """A copy of ``filters`` with the switches and cutoffs of ``settings`` (other keys unchanged).

    Not validated on purpose: while a slider is moving, ``min`` may pass ``max``; that re-counts (every
    document fails) but cannot be saved (saving validates).
    """
    updates: dict[str, object] = {}
    for name, setting in settings.items():
        spec = BY_NAME[name]
        changes: dict[str, object] = {"enabled": setting.enabled}
        for bound in spec.bounds:
            value = getattr(setting, bound)
            if value is not None:
                changes[bound] = int(round(value)) if spec.integer else float(value)
        updates[name] = (filters.get(name) or spec.Config.model_construct()).model_copy(update=changes)
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
    reasons: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))  # reason code per document
    sets: np.ndarray = field(
        default_factory=lambda: np.empty(0, np.uint8)
    )  # failing filters, bit i = filter ``order[i]``
    order: tuple[str, ...] = ()  # the filters counted, in filter order

    @property
    def removed(self) -> Counts:
        return Counts(self.total.docs - self.kept.docs, self.total.chars - self.kept.chars)


def failure_masks(data: LanguageColumns, settings: Settings) -> dict[str, np.ndarray]:
    """The failure mask of every enabled filter whose statistic was stored, in filter order.

    The masks come from the filter stage's own ``failing_masks``, so the dashboard and ``roots filter``
    agree by construction.
    """
    return failing_masks(data.columns, filters_with(Filters(), settings))


TABLE_BITS = 12  # up to this many filters, sets are resolved with a 2**n lookup table


@cache
def _first_bit_table(n_filters: int) -> np.ndarray:
    """Lookup from a bit set of failing filters to the lowest set bit (the first failing filter)."""
    table = np.full(1 << n_filters, KEPT, dtype=np.int8)
    for bits in range(1, 1 << n_filters):
        table[bits] = (bits & -bits).bit_length() - 1
    return table


def _bit_dtype(n_filters: int) -> type[np.unsignedinteger]:
    for dtype in (np.uint8, np.uint16, np.uint32, np.uint64):
        if n_filters <= np.iinfo(dtype).bits:
            return dtype
    raise ValueError(f"{n_filters} filters: the dashboard counts at most 64 at once")


def _order(names: Iterable[str]) -> tuple[str, ...]:
    wanted = set(names)
    return tuple(name for name in FILTER_ORDER if name in wanted)


def failing_sets(
    masks: Mapping[str, np.ndarray], size: int, order: Sequence[str] | None = None
) -> np.ndarray:
    """Each document's failing filters as a bit set (bit i: filter ``order[i]`` fails)."""
    order = _order(masks) if order is None else order
    dtype = _bit_dtype(len(order))
    bits = np.zeros(size, dtype=dtype)
    shifted = np.empty(size, dtype=dtype)
    for i, name in enumerate(order):
        if name in masks:
            np.left_shift(masks[name].astype(dtype, copy=False), dtype(i), out=shifted)
            np.bitwise_or(bits, shifted, out=bits)
    return bits


def _first_bits(sets: np.ndarray, n_filters: int) -> np.ndarray:
    """The lowest set bit of each value (``KEPT`` for 0): a lookup table, or bit arithmetic on the distinct sets."""
    if n_filters <= TABLE_BITS:
        return np.take(_first_bit_table(n_filters), sets)
    distinct, inverse = np.unique(sets, return_inverse=True)
    first = np.array([(int(v) & -int(v)).bit_length() - 1 for v in distinct], dtype=np.int8)
    return first[inverse.reshape(-1)]


def _global_codes(order: Sequence[str]) -> np.ndarray:
    """Local bit index (+1; 0 is kept) to the reason code in ``catalog.FILTER_ORDER``."""
    return np.array([KEPT, *(FILTER_ORDER.index(name) for name in order)], dtype=np.int8)


def recount(data: LanguageColumns, settings: Settings) -> Recount:
    """Kept/removed totals, per-filter removals on their own and in sequence, and each document's reason.

    Documents are first counted per failing-filter set (at most 2**n sets for n filters), so every total
    after that is arithmetic on those counts instead of another pass over the documents.
    """
    masks = failure_masks(data, settings)
    order = _order([*settings, *masks])
    n = len(order)
    sets = failing_sets(masks, data.size, order)
    if n <= TABLE_BITS:
        set_ids = np.arange(1 << n)
        docs_per_set = np.bincount(sets, minlength=1 << n)
        chars_per_set = np.bincount(sets, weights=data.chars_float, minlength=1 << n)
    else:
        set_ids, inverse = np.unique(sets, return_inverse=True)
        inverse = inverse.reshape(-1)
        docs_per_set = np.bincount(inverse, minlength=len(set_ids))
        chars_per_set = np.bincount(inverse, weights=data.chars_float, minlength=len(set_ids))
    first = _first_bits(set_ids, n).astype(np.int64) + 1  # 0: kept, i + 1: filter order[i]
    docs = np.bincount(first, weights=docs_per_set, minlength=n + 1)
    chars = np.bincount(first, weights=chars_per_set, minlength=n + 1)
    ids = set_ids.astype(np.uint64)
    alone = {
        name: int(docs_per_set[(ids >> np.uint64(i)) & np.uint64(1) == 1].sum())
        for i, name in enumerate(order)
    }
    sequence = {name: Counts(int(docs[i + 1]), int(round(chars[i + 1]))) for i, name in enumerate(order)}
    for name in FILTER_ORDER:  # installed filters this language does not run remove nothing
        alone.setdefault(name, 0)
        sequence.setdefault(name, Counts())
    local = _first_bits(sets, n).astype(np.int64) + 1
    return Recount(
        total=Counts(data.size, int(data.chars.sum())),
        kept=Counts(int(docs[0]), int(round(chars[0]))),
        alone=alone,
        sequence=sequence,
        reasons=np.take(_global_codes(order), local),
        sets=sets,
        order=order,
    )


def failing_only(result: Recount, name: str) -> np.ndarray:
    """Documents that fail filter ``name`` and pass every other switched-on filter."""
    if name not in result.order:
        return np.zeros(0, dtype=np.int64)
    bit = result.sets.dtype.type(1) << result.sets.dtype.type(result.order.index(name))
    return np.flatnonzero(result.sets == bit)


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
