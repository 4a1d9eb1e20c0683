"""Choosing which documents to show a reviewer, and the histogram bins of a statistic (pure numpy).

Every choice is deterministic (ties broken by position, samples drawn with a fixed seed), so two
people looking at the same run and thresholds see the same documents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from roots.visualizer.tuning import KEPT


@dataclass(frozen=True)
class Histogram:
    """Document counts per bin over the plotted range; values beyond it are counted in one end bin."""

    edges: np.ndarray
    counts: np.ndarray
    below: int
    above: int  # documents above the last edge: drawn as one end bin labelled as such
    missing: int
    maximum: float = 0.0  # largest value (0 when there is none)
    p90: float = 0.0  # 90th percentile, for the range of a minimum's slider
    minimum: float = 0.0

    @property
    def has_values(self) -> bool:
        return bool(self.counts.sum() + self.above)

    @property
    def low(self) -> float:
        return float(self.edges[0])

    @property
    def high(self) -> float:
        return float(self.edges[-1])

    @property
    def width(self) -> float:
        return float(self.edges[1] - self.edges[0]) if self.edges.size > 1 else 1.0

    @property
    def end(self) -> float:
        """Where the drawn axis ends: after the end bin when there is one."""
        return self.high + (self.width if self.above else 0.0)


@dataclass(frozen=True)
class Summary:
    """What the plotted range is chosen from: the smallest and largest values, and two quantiles."""

    minimum: float
    maximum: float
    top: float  # the ``quantile`` of the values: the axis ends here unless a cutoff lies further
    p90: float
    missing: int
    count: int


def summarize(values: np.ndarray, quantile: float = 0.995) -> Summary:
    finite = values[np.isfinite(values)]
    missing = int(values.shape[0] - finite.shape[0])
    if finite.size == 0:
        return Summary(0.0, 0.0, 0.0, 0.0, missing, 0)
    top, p90 = np.quantile(finite, [quantile, 0.9])
    return Summary(
        float(finite.min()), float(finite.max()), float(top), float(p90), missing, int(finite.size)
    )


def nice_step(span: float, parts: int) -> float:
    """A round step (1, 2 or 5 times a power of ten) that cuts ``span`` into about ``parts`` pieces."""
    if not span > 0:
        return 1.0
    raw = span / parts
    power = 10.0 ** np.floor(np.log10(raw))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def plot_range(summary: Summary, cutoffs: tuple[float, ...] = ()) -> tuple[float, float]:
    """The axis range: the smallest value to the ``quantile``, widened to every cutoff that removes a
    document or lies near the data, so the cutoff line and every document it removes are drawn."""
    low, high = summary.minimum, max(summary.top, summary.minimum)
    span = max(high - low, abs(high) * 1e-3, 1e-9)
    for cut in cutoffs:
        if not np.isfinite(cut):
            continue
        if summary.minimum <= cut <= summary.maximum or low - span / 2 <= cut <= high + span / 2:
            low, high = min(low, cut), max(high, cut)
    return low, high


def binned(
    values: np.ndarray, summary: Summary, low: float, high: float, bins: int, integer: bool
) -> Histogram:
    """Round-edged bins over [low, high]; documents above ``high`` go to the end bin."""
    if summary.count == 0:
        return Histogram(np.linspace(0.0, 1.0, bins + 1), np.zeros(bins, np.int64), 0, 0, summary.missing)
    step = nice_step(high - low, bins) if high > low else max(abs(low) * 0.1, 1e-3)
    if integer:
        step = max(1.0, float(np.ceil(step)))
    start = float(np.floor(low / step) * step)
    n = max(1, int(np.floor((high - start) / step + 1e-9)) + 1)  # the last bin holds ``high`` itself
    edges = start + step * np.arange(n + 1, dtype=np.float64)
    finite = values[np.isfinite(values)]
    counts, _ = np.histogram(finite, bins=edges)
    above = int((finite > edges[-1]).sum())
    return Histogram(
        edges,
        counts.astype(np.int64),
        0,
        above,
        summary.missing,
        summary.maximum,
        summary.p90,
        summary.minimum,
    )


def histogram(
    values: np.ndarray,
    bins: int = 50,
    integer: bool = False,
    quantile: float = 0.995,
    cutoffs: tuple[float, ...] = (),
) -> Histogram:
    """Bins over [smallest value, ``quantile``] widened to the cutoffs; the tail beyond is the end bin."""
    summary = summarize(values, quantile)
    return binned(values, summary, *plot_range(summary, cutoffs), bins, integer)


def _closest(values: np.ndarray, candidates: np.ndarray, cutoff: float, k: int) -> np.ndarray:
    """The ``k`` candidates whose value is nearest ``cutoff`` (nearest first, ties by position)."""
    if candidates.size == 0 or k <= 0:
        return candidates[:0]
    distance = np.abs(values[candidates] - cutoff)
    if candidates.size > k:
        kth = np.partition(distance, k - 1)[k - 1]
        keep = distance <= kth
        candidates, distance = candidates[keep], distance[keep]
    order = np.lexsort((candidates, distance))
    return candidates[order][:k]


def margin(values: np.ndarray, bound: str, cutoff: float, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Documents just on the removed side and just on the kept side of one cutoff (indices, nearest first)."""
    with np.errstate(invalid="ignore"):
        failing = values < cutoff if bound == "min" else values > cutoff
        passing = np.isfinite(values) & ~failing
    return (
        _closest(values, np.flatnonzero(failing), cutoff, k),
        _closest(values, np.flatnonzero(passing), cutoff, k),
    )


def sample(indices: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """``k`` of ``indices``, drawn with a fixed seed and returned in position order."""
    if indices.size <= k:
        return indices
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(indices, size=k, replace=False))


def kept(reasons: np.ndarray) -> np.ndarray:
    return np.flatnonzero(reasons == KEPT)
