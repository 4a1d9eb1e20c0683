"""Per-language blend weights from token counts: temperature ("alpha") sampling with per-language bounds.

With ``n_i`` tokens in language ``i`` and ``N = Σ n_i``::

    q_i = (n_i / N) ** alpha / Σ_j (n_j / N) ** alpha        (alpha = 1: proportional, alpha = 0: uniform)
    w_i = clip(c · q_i, min_i, max_i)                          with the one c > 0 that makes Σ_i w_i = 1

``c`` exists when ``Σ min_i <= 1 <= Σ max_i``. Bounded languages sit exactly on their bound and the others
share the rest of the mass in proportion to ``q_i``. Languages with no tokens get no weight. Within a
language split by source, each dataset gets the language's weight in proportion to its tokens.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from roots.errors import UserError

FORMULA = (
    "w_i = clip(c * q_i, min_i, max_i), q_i = (n_i/N)^alpha / sum_j (n_j/N)^alpha, c such that sum w_i = 1"
)


def sampling_probabilities(counts: Mapping[str, int], alpha: float) -> dict[str, float]:
    """``q_i ∝ (n_i / N) ** alpha`` over the languages with ``n_i > 0``."""
    present = {k: v for k, v in counts.items() if v > 0}
    total = sum(present.values())
    if not present:
        return {}
    raw = {k: (v / total) ** alpha for k, v in present.items()}
    norm = sum(raw.values())
    return {k: raw[k] / norm for k in sorted(raw)}


def _clipped_sum(scale: float, q: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    return float(np.clip(scale * q, lo, hi).sum())


def _solve_scale(q: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """The ``c`` with Σ clip(c·q, lo, hi) = 1: the sum is piecewise linear in c, so solve on the right piece."""
    points = sorted({0.0, *(lo / q).tolist(), *(hi / q).tolist()})
    prev_c, prev_s = 0.0, _clipped_sum(0.0, q, lo, hi)
    for c in points:
        s = _clipped_sum(c, q, lo, hi)
        if s >= 1.0:
            return c if s == prev_s else prev_c + (1.0 - prev_s) * (c - prev_c) / (s - prev_s)
        prev_c, prev_s = c, s
    return points[-1]


def blend_weights(
    counts: Mapping[str, int],
    alpha: float,
    min_weight: float = 0.0,
    max_weight: float = 1.0,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> dict[str, float]:
    """Weights per language (summing to 1) by the formula in this module's docstring.

    ``bounds`` overrides ``(min, max)`` for some languages.
    """
    q_map = sampling_probabilities(counts, alpha)
    if not q_map:
        return {}
    names = list(q_map)
    bounds = bounds or {}
    lo = np.array([bounds.get(k, (min_weight, max_weight))[0] for k in names], dtype=np.float64)
    hi = np.array([bounds.get(k, (min_weight, max_weight))[1] for k in names], dtype=np.float64)
    if (lo > hi).any():
        bad = names[int(np.argmax(lo > hi))]
        raise UserError(f"export.weight_bounds.{bad}: min is larger than max; lower min or raise max")
    if lo.sum() > 1 + 1e-12 or hi.sum() < 1 - 1e-12:
        raise UserError(
            f"export: weight bounds cannot sum to 1 over {len(names)} languages "
            f"(sum of minimums {lo.sum():.4g}, of maximums {hi.sum():.4g}); relax min_weight/max_weight"
        )
    q = np.array([q_map[k] for k in names], dtype=np.float64)
    weights = np.clip(_solve_scale(q, lo, hi) * q, lo, hi)
    weights /= weights.sum()
    return dict(zip(names, weights.tolist(), strict=True))


def format_weight(weight: float) -> str:
    return f"{weight:.10g}"


def data_path_string(entries: list[tuple[float, str]]) -> str:
    """Megatron's ``--data-path`` value: ``w1 prefix1 w2 prefix2 …``."""
    return " ".join(f"{format_weight(w)} {p}" for w, p in entries)
