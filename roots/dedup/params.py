"""Choosing LSH bands × rows for a target Jaccard threshold.

A pair with Jaccard similarity ``s`` becomes a candidate with probability ``P(s) = 1 - (1 - s^r)^b``.
The false-positive area is ``∫_0^t P(s) ds`` and the false-negative area ``∫_t^1 (1 - P(s)) ds``; the
chosen layout minimises their weighted sum over every ``b × r ≤ num_perm`` (the criterion datasketch's
``optimal_param`` uses, computed here on a fixed grid so it needs no scipy and is exact to 1e-6).

When candidates are verified exactly, a false positive costs only one exact comparison, so the layout
can instead be chosen for recall: the least false-positive area among the layouts that make a pair at
the threshold a candidate with at least a given probability (``bands_rows_for_probability``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRID_POINTS = 4001  # Simpson's rule on [0, 1]; P(s) is a smooth polynomial, so this is far below 1e-6 error


@dataclass(frozen=True)
class BandChoice:
    bands: int
    rows: int
    false_positive_area: float
    false_negative_area: float

    @property
    def num_hashes(self) -> int:
        return self.bands * self.rows

    def candidate_probability(self, similarity: float) -> float:
        return float(candidate_probability(similarity, self.bands, self.rows))

    @property
    def threshold_estimate(self) -> float:
        """The similarity where the S-curve rises steepest, ≈ (1/b)^(1/r)."""
        return (1.0 / self.bands) ** (1.0 / self.rows)


def candidate_probability(
    similarity: float | np.ndarray, bands: int | np.ndarray, rows: int | np.ndarray
) -> float | np.ndarray:
    """Probability that two documents of this Jaccard similarity share at least one band."""
    return 1.0 - (1.0 - np.power(similarity, rows)) ** bands


def _simpson(values: np.ndarray, step: float) -> np.ndarray:
    """Integrate along the last axis (odd number of points)."""
    return (
        step
        / 3.0
        * (
            values[..., 0]
            + values[..., -1]
            + 4 * values[..., 1:-1:2].sum(-1)
            + 2 * values[..., 2:-1:2].sum(-1)
        )
    )


def _areas(threshold: float, bands: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo = np.linspace(0.0, threshold, GRID_POINTS)
    hi = np.linspace(threshold, 1.0, GRID_POINTS)
    b, r = bands[:, None].astype(float), rows[:, None].astype(float)
    fp = _simpson(1.0 - (1.0 - lo[None, :] ** r) ** b, threshold / (GRID_POINTS - 1))
    fn = _simpson((1.0 - hi[None, :] ** r) ** b, (1.0 - threshold) / (GRID_POINTS - 1))
    return fp, fn


def _layouts(threshold: float, num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (bands, rows) with bands × rows ≤ num_perm, fewest bands first."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    if num_perm < 1:
        raise ValueError(f"num_perm must be positive, got {num_perm}")
    pairs = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def optimal_bands_rows(
    threshold: float, num_perm: int, false_positive_weight: float = 0.5, false_negative_weight: float = 0.5
) -> BandChoice:
    """The (bands, rows) with the smallest weighted false-positive + false-negative area."""
    bands, rows = _layouts(threshold, num_perm)
    fp, fn = _areas(threshold, bands, rows)
    error = false_positive_weight * fp + false_negative_weight * fn
    best = int(np.argmin(error))  # first minimum: fewest bands among equals, deterministic
    return BandChoice(int(bands[best]), int(rows[best]), float(fp[best]), float(fn[best]))


def bands_rows_for_probability(threshold: float, num_perm: int, min_probability: float) -> BandChoice:
    """The (bands, rows) with the least false-positive area whose P(candidate | threshold) ≥ ``min_probability``.

    If no layout reaches it (few hashes, a high threshold), the layout with the highest probability.
    """
    bands, rows = _layouts(threshold, num_perm)
    probability = candidate_probability(threshold, bands.astype(float), rows.astype(float))
    enough = np.flatnonzero(probability >= min_probability)
    if not len(enough):
        enough = np.array([int(np.argmax(probability))])
    fp, fn = _areas(threshold, bands[enough], rows[enough])  # only the layouts that qualify
    best = int(np.argmin(fp))
    return BandChoice(int(bands[enough[best]]), int(rows[enough[best]]), float(fp[best]), float(fn[best]))


def describe(choice: BandChoice, threshold: float) -> list[str]:
    """Human-readable lines: the layout and the candidate probability at a few similarities."""
    lines = [
        f"bands={choice.bands} rows={choice.rows} (uses {choice.num_hashes} hashes)",
        f"S-curve midpoint ≈ {choice.threshold_estimate:.3f} (target threshold {threshold})",
        f"false-positive area {choice.false_positive_area:.4f}, false-negative area {choice.false_negative_area:.4f}",
        "P(candidate | Jaccard s):",
    ]
    for s in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        lines.append(f"  s={s:.2f}  {float(choice.candidate_probability(s)):.3f}")
    return lines
