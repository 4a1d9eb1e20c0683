"""Blend weights: w_i = clip(c·q_i, min_i, max_i), q_i ∝ (n_i/N)^alpha, Σ w_i = 1 (hand-computed examples)."""

from __future__ import annotations

import math

import pytest

from roots.errors import UserError
from roots.export.blend import blend_weights, data_path_string, sampling_probabilities

TOKENS = {"en": 900, "fr": 90, "sw": 10}
SQRT = {"en": math.sqrt(0.9), "fr": 0.3, "sw": 0.1}  # (n_i/N)^0.5


def test_alpha_half_by_hand():
    total = sum(SQRT.values())  # 1.34868…
    weights = blend_weights(TOKENS, alpha=0.5)
    assert weights == pytest.approx({k: v / total for k, v in SQRT.items()}, abs=1e-12)
    assert weights["sw"] == pytest.approx(0.0741464, abs=1e-7)
    assert math.fsum(weights.values()) == pytest.approx(1.0, abs=1e-12)


def test_alpha_one_is_proportional_and_zero_is_uniform():
    assert blend_weights(TOKENS, 1.0) == pytest.approx({"en": 0.9, "fr": 0.09, "sw": 0.01})
    assert blend_weights(TOKENS, 0.0) == pytest.approx({k: 1 / 3 for k in TOKENS})


def test_max_bound_moves_the_excess_to_the_others_in_proportion():
    # en capped at 0.6; fr and sw share 0.4 in the ratio 0.3 : 0.1
    assert blend_weights(TOKENS, 0.5, max_weight=0.6) == pytest.approx({"en": 0.6, "fr": 0.3, "sw": 0.1})


def test_min_bound_lifts_a_small_language():
    # sw raised to 0.1; en and fr share 0.9 in the ratio sqrt(0.9) : 0.3
    rest = SQRT["en"] + SQRT["fr"]
    expected = {"en": 0.9 * SQRT["en"] / rest, "fr": 0.9 * SQRT["fr"] / rest, "sw": 0.1}
    assert blend_weights(TOKENS, 0.5, min_weight=0.1) == pytest.approx(expected, abs=1e-12)


def test_per_language_bounds_override_the_global_ones():
    rest = SQRT["en"] + SQRT["fr"]
    got = blend_weights(TOKENS, 0.5, bounds={"sw": (0.2, 1.0)})
    assert got == pytest.approx({"en": 0.8 * SQRT["en"] / rest, "fr": 0.8 * SQRT["fr"] / rest, "sw": 0.2})


def test_both_bounds_at_once_stay_inside_and_sum_to_one():
    counts = {f"l{i}": 10 ** (i % 5) * (i + 1) for i in range(12)}
    got = blend_weights(counts, 0.3, min_weight=0.03, max_weight=0.2)
    assert math.fsum(got.values()) == pytest.approx(1.0, abs=1e-12)
    assert all(0.03 - 1e-12 <= w <= 0.2 + 1e-12 for w in got.values())
    q = sampling_probabilities(counts, 0.3)
    free = [k for k, w in got.items() if 0.03 + 1e-9 < w < 0.2 - 1e-9]
    ratios = {round(got[k] / q[k], 9) for k in free}  # one common scale c for every unbounded language
    assert len(ratios) == 1


def test_languages_without_tokens_get_no_weight():
    assert blend_weights({"en": 10, "xx": 0}, 0.3) == {"en": 1.0}


def test_impossible_bounds_are_a_user_error():
    with pytest.raises(UserError, match="cannot sum to 1"):
        blend_weights(TOKENS, 0.5, min_weight=0.4)
    with pytest.raises(UserError, match="cannot sum to 1"):
        blend_weights(TOKENS, 0.5, max_weight=0.2)


def test_data_path_string_is_megatron_syntax():
    assert data_path_string([(0.6, "/d/en_text_document"), (0.4, "/d/fr_text_document")]) == (
        "0.6 /d/en_text_document 0.4 /d/fr_text_document"
    )
