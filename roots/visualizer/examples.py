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
    """Document counts per bin over the plotted range, and how many documents fall outside it."""

    edges: np.ndarray
    counts: np.ndarray
    below: int
    above: int
    missing: int
    maximum: float = 0.0  # largest value (0 when there is none)
    p90: float = 0.0  # 90th percentile, for the range of a minimum's slider

    @property
    def has_values(self) -> bool:
        return bool(self.counts.sum() + self.above)

    @property
    def low(self) -> float:
        return float(self.edges[0])

    @property
    def high(self) -> float:
        return float(self.edges[-1])


def histogram(
    values: np.ndarray, bins: int = 50, integer: bool = False, quantile: float = 0.995
) -> Histogram:
    """Bins over [smallest value, ``quantile``]; the long tail beyond it is counted, not drawn."""
    finite = values[np.isfinite(values)]
    missing = int(values.shape[0] - finite.shape[0])
    if finite.size == 0:
        return Histogram(np.linspace(0.0, 1.0, bins + 1), np.zeros(bins, np.int64), 0, 0, missing)
    low = float(finite.min())
    high = float(np.quantile(finite, quantile))
    if integer:
        width = max(1, int(np.ceil((high - low + 1) / bins)))
        edges = np.arange(low, high + width + 1, width, dtype=np.float64)
    else:
        if high <= low:
            high = low + 1e-6 if low else 1.0
        edges = np.linspace(low, high, bins + 1)
    counts, _ = np.histogram(finite, bins=edges)
    above = int((finite > edges[-1]).sum())
    p90 = float(np.quantile(finite, 0.9))
    return Histogram(edges, counts.astype(np.int64), 0, above, missing, float(finite.max()), p90)


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
