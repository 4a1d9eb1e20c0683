"""Dedup building blocks: normalisation, shingles, MinHash accuracy, the bands/rows helper, components."""

from __future__ import annotations

import random

import numpy as np
import pytest
from datasketch.lsh import _optimal_param

from roots.dedup.components import star_round
from roots.dedup.config import MinHashConfig
from roots.dedup.languages import configured_segmenters, shingle_spec
from roots.dedup.minhash import band_keys, signatures, similarity
from roots.dedup.normalize import exact_keys, minhash_text, url_key
from roots.dedup.params import candidate_probability, optimal_bands_rows
from roots.dedup.shingles import ShingleSpec, shingle_hashes
from tests.conftest import run_roots
from tests.dedup_helpers import cjk_text, edit, words


def test_exact_key_ignores_whitespace_digits_and_punctuation_but_not_case():
    texts = [
        "Hello, world 2024!",
        "hello world",
        "Hello  world\n\t(1999)",
        "Hello， world。",
        "Hola world",
        "!!! 12",
    ]
    hi, lo, valid = exact_keys(texts, np.zeros(len(texts), np.uint64))
    assert valid.tolist() == [True, True, True, True, True, False]
    assert (hi[0], lo[0]) == (hi[2], lo[2]) == (hi[3], lo[3])
    assert (hi[0], lo[0]) != (hi[1], lo[1])  # case matters, as in ROOTS
    assert (hi[0], lo[0]) != (hi[4], lo[4])
    hi2, _, _ = exact_keys(texts[:1], np.array([7], np.uint64))
    assert hi2[0] != hi[0]  # another group (language) never matches


def test_minhash_text_and_url_key():
    assert minhash_text("Hello, World! 123 — «ça» 你好，世界。") == "hello world 000 ça 你好 世界"
    same = url_key("https://www.Example.com/a/b/?x=1#top", "", False)
    assert same == url_key("http://example.com/a/b?x=1", "", False)
    assert same != url_key("http://example.com/a/b?x=2", "", False)
    assert url_key("http://example.com/a/b?x=2", "", True) == url_key("http://example.com/a/b", "", False)
    assert url_key(None, "", False) is None and url_key("  ", "", False) is None


def _python_shingles(text: str, n: int) -> set[tuple[str, ...]]:
    tokens = minhash_text(text).split()
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def test_vectorised_word_shingles_match_a_python_reference():
    rng = random.Random(1)
    texts = [
        "",
        "one",
        "a b c",
        " ".join(words(rng, 40)),
        "Same same, SAME same same!",
        " ".join(words(rng, 7)),
    ]
    hashes, offsets = shingle_hashes(texts, ShingleSpec("word", 5))
    for i, text in enumerate(texts):
        mine = hashes[offsets[i] : offsets[i + 1]]
        assert len(set(mine.tolist())) == len(_python_shingles(text, 5)), text
    assert offsets.tolist()[:4] == [0, 0, 1, 2]


def test_character_shingles_for_chinese():
    text = "你好世界，今天天气很好"
    hashes, offsets = shingle_hashes([text, text + "。", "", "好"], ShingleSpec("char", 3))
    assert offsets.tolist() == [0, 8, 16, 16, 17]
    assert hashes[0:8].tolist() == hashes[8:16].tolist()


def test_segmenter_words_are_used_when_configured():
    spaced = ShingleSpec("word", 2, "fake")
    texts = ["abcdef"]
    hashes, _ = shingle_hashes(texts, spaced, lambda t: [t[i : i + 2] for i in range(0, len(t), 2)])
    reference, _ = shingle_hashes(["ab cd ef"], ShingleSpec("word", 2))
    assert hashes.tolist() == reference.tolist()


def test_language_shingle_choice():
    config = MinHashConfig()
    facts = configured_segmenters(None)  # the shipped configs' spacing facts, no segmenter
    assert shingle_spec("zh", config, facts).kind == "char"
    assert shingle_spec("th", config, facts).kind == "char"  # default.yaml's no_space_languages
    assert shingle_spec("en", config, facts) == ShingleSpec("word", 5)
    assert shingle_spec("xx", config, facts) == ShingleSpec("word", 5)
    assert shingle_spec("en", MinHashConfig(shingles="char"), facts).kind == "char"
    assert shingle_spec("zh", MinHashConfig(shingles="word"), facts).kind == "word"


def test_estimated_jaccard_tracks_exact_jaccard():
    rng = random.Random(2)
    errors = []
    for _ in range(150):
        base = words(rng, 200)
        other = edit(rng, base, rng.uniform(0.0, 0.1))
        a, b = " ".join(base), " ".join(other)
        sa, sb = _python_shingles(a, 5), _python_shingles(b, 5)
        truth = len(sa & sb) / len(sa | sb)
        hashes, offsets = shingle_hashes([a, b], ShingleSpec("word", 5))
        sigs = signatures(hashes, offsets, 128, 1)
        errors.append(similarity(sigs[:1], sigs[1:])[0] - truth)
    errors = np.array(errors)
    assert abs(errors.mean()) < 0.01  # unbiased
    assert errors.std() < 0.05  # ≈ sqrt(J(1-J)/128) ≤ 0.044


def test_signatures_do_not_depend_on_batching():
    rng = random.Random(4)
    texts = [" ".join(words(rng, rng.randrange(0, 3000))) for _ in range(12)] + [cjk_text(rng, 50)]
    hashes, offsets = shingle_hashes(texts, ShingleSpec("word", 5))
    together = signatures(hashes, offsets, 64, 3)
    for i, text in enumerate(texts):
        h, o = shingle_hashes([text], ShingleSpec("word", 5))
        assert (signatures(h, o, 64, 3)[0] == together[i]).all()
    assert (together[np.diff(offsets) == 0] == 0xFFFFFFFF).all()
    keys = band_keys(together, 8, 8, np.zeros(len(texts), np.uint64))
    assert keys.shape == (13, 8) and len(set(keys[:, 0].tolist())) == 13


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.9])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
@pytest.mark.parametrize("fp_weight", [0.5, 0.2])
def test_bands_rows_helper_agrees_with_datasketch(threshold, num_perm, fp_weight):
    choice = optimal_bands_rows(threshold, num_perm, fp_weight, 1 - fp_weight)
    assert (choice.bands, choice.rows) == _optimal_param(threshold, num_perm, fp_weight, 1 - fp_weight)
    assert choice.bands * choice.rows <= num_perm


def test_params_command_and_candidate_probability():
    assert candidate_probability(1.0, 9, 13) == 1.0 and candidate_probability(0.0, 9, 13) == 0.0
    result = run_roots("dedup-params", "--threshold", "0.8", "--num-perm", "128", "--fp-weight", "0.5")
    assert result.returncode == 0, result.stderr
    assert "bands=9 rows=13" in result.stdout and "s=0.80" in result.stdout


def _components_by_rounds(edges: list[tuple[int, int]]) -> dict[int, int]:
    """Run star rounds on one partition until settled; node → label."""
    u = np.array([a for a, b in edges] + [b for a, b in edges], dtype=np.uint64)
    v = np.array([b for a, b in edges] + [a for a, b in edges], dtype=np.uint64)
    for round_index in range(200):
        x, y, nodes, labels, unsettled = star_round(u, v, round_index % 2 == 0)
        if not unsettled:
            return dict(zip(nodes.tolist(), labels.tolist(), strict=True))
        u, v = np.concatenate([x, y]), np.concatenate([y, x])
    raise AssertionError("did not converge")


def _components_by_union_find(edges: list[tuple[int, int]]) -> dict[int, int]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {n: find(n) for n in parent}


@pytest.mark.parametrize("seed", range(6))
def test_star_rounds_find_connected_components(seed):
    rng = random.Random(seed)
    nodes = rng.randrange(5, 300)
    edges = [(rng.randrange(nodes), rng.randrange(nodes)) for _ in range(rng.randrange(1, nodes))]
    edges += [(i, i + 1) for i in range(0, 40)]  # a long path: many rounds
    edges = [(a, b) for a, b in edges if a != b]
    assert _components_by_rounds(edges) == _components_by_union_find(edges)
