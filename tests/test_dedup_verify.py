"""Exact verification of LSH candidates: shingle sets, exact Jaccard, the recall-first LSH layout, and the
stage end to end (pairs carry the exact similarity; nothing below the threshold is clustered)."""

from __future__ import annotations

import json
import random

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from roots.atomic import write_parquet
from roots.dedup.config import MinHashConfig
from roots.dedup.jaccard import canonical_sets, exact_jaccard
from roots.dedup.params import bands_rows_for_probability, candidate_probability
from roots.dedup.tables import blob_column, blob_values, read_rows
from tests.conftest import run_roots
from tests.dedup_helpers import doc, edit, mixed_corpus, run_dedup, words, write_run
from tests.test_dedup_units import _python_shingles


def _random_sets(rng: np.random.Generator, docs: int) -> tuple[np.ndarray, np.ndarray]:
    """Documents of fingerprints with repeats (small value range), some empty."""
    lengths = rng.integers(0, 60, docs)
    offsets = np.zeros(docs + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return rng.integers(0, 90, int(offsets[-1])).astype(np.uint32), offsets


def test_canonical_sets_are_each_documents_sorted_distinct_values():
    values, offsets = _random_sets(np.random.default_rng(1), 40)
    sets, set_offsets = canonical_sets(values, offsets)
    for i in range(40):
        expected = np.unique(values[offsets[i] : offsets[i + 1]])
        assert sets[set_offsets[i] : set_offsets[i + 1]].tolist() == expected.tolist()


def test_exact_jaccard_matches_python_sets():
    rng = np.random.default_rng(2)
    sets, offsets = canonical_sets(*_random_sets(rng, 30))
    a, b = rng.integers(0, 30, 200), rng.integers(0, 30, 200)
    found = exact_jaccard(sets, offsets, a, sets, offsets, b)
    for p in range(200):
        x = set(sets[offsets[a[p]] : offsets[a[p] + 1]].tolist())
        y = set(sets[offsets[b[p]] : offsets[b[p] + 1]].tolist())
        expected = len(x & y) / len(x | y) if x and y else 0.0
        assert found[p] == pytest.approx(expected, abs=1e-15)


def test_blob_columns_round_trip_with_nulls_slices_and_chunks():
    values = np.arange(10, dtype=np.uint32)
    offsets = np.array([0, 3, 3, 10])
    column = blob_column(values, offsets, np.array([True, False, True]))
    assert column.null_count == 1 and column.type == pa.large_binary()
    got, got_offsets = blob_values(column)
    assert got.tolist() == list(range(10)) and got_offsets.tolist() == [0, 3, 3, 10]
    got, got_offsets = blob_values(pa.chunked_array([column.slice(0, 1), column.slice(2)]))
    assert got.tolist() == list(range(10)) and got_offsets.tolist() == [0, 3, 10]
    assert blob_values(column.slice(3))[1].tolist() == [0]


def test_read_rows_reads_rows_across_row_groups(tmp_path):
    path = tmp_path / "t.parquet"
    table = pa.table({"x": np.arange(25_000), "y": np.arange(25_000) * 2})
    write_parquet(path, table)  # 10,000 rows per row group
    assert pq.ParquetFile(path).num_row_groups == 3
    positions = np.array([0, 9_999, 10_000, 24_999])
    assert read_rows(path, positions, ["y"]).column("y").to_pylist() == (positions * 2).tolist()
    assert read_rows(path, np.array([], dtype=np.int64), ["y"]).num_rows == 0


def _fp_area(threshold: float, bands: int, rows: int) -> float:
    grid = np.linspace(0, threshold, 20_001)
    return float(np.trapezoid(candidate_probability(grid, bands, rows), grid))


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.8, 128), (0.7, 64), (0.9, 256), (0.5, 128)])
def test_recall_first_layout_reaches_the_probability_with_least_false_positive_area(threshold, num_perm):
    choice = bands_rows_for_probability(threshold, num_perm, 0.99)
    assert choice.bands * choice.rows <= num_perm
    assert choice.candidate_probability(threshold) >= 0.99
    best = min(
        _fp_area(threshold, b, r)
        for b in range(1, num_perm + 1)
        for r in range(1, num_perm // b + 1)
        if candidate_probability(threshold, b, r) >= 0.99
    )
    assert _fp_area(threshold, choice.bands, choice.rows) == pytest.approx(best, abs=1e-6)


def test_recall_first_layout_falls_back_to_the_most_probable_one():
    choice = bands_rows_for_probability(0.9, 4, 0.999_999)  # unreachable with 4 hashes
    assert (choice.bands, choice.rows) == (4, 1)


def test_verification_modes_and_their_default_layouts():
    assert MinHashConfig().verify == "exact" and MinHashConfig().band_layout() == (16, 6)
    assert MinHashConfig(verify="estimated").band_layout() == (16, 8)  # weighted choice, as before
    assert MinHashConfig(verify=True).verify == "estimated"  # `verify: true` of earlier configs
    assert MinHashConfig(verify=False).verify == "none"
    assert MinHashConfig(candidate_probability=0.95).band_layout() == (13, 7)
    result = run_roots("dedup-params", "--threshold", "0.8", "--min-probability", "0.99")
    assert result.returncode == 0, result.stderr
    assert "bands=16 rows=6" in result.stdout and "s=0.80  0.992" in result.stdout


def _near_threshold_corpus() -> tuple[list[list[dict]], dict[tuple[str, str], float]]:
    """Originals with copies whose exact Jaccard spreads over 0.65–1.0; truth: exact Jaccard per pair."""
    rng = random.Random(17)
    shards: list[list[dict]] = [[], []]
    truth: dict[tuple[str, str], float] = {}
    for i in range(40):
        base = words(rng, 250)
        original = doc(f"o{i}", " ".join(base))
        copy = doc(f"c{i}", " ".join(edit(rng, base, rng.randint(1, 11) / len(base))))  # Jaccard ≈ 0.96–0.65
        shards[i % 2].append(original)
        shards[(i + 1) % 2].append(copy)
        a, b = _python_shingles(original["text"], 5), _python_shingles(copy["text"], 5)
        truth[(original["id"], copy["id"])] = len(a & b) / len(a | b)
    return shards, truth


@pytest.fixture(scope="module")
def near_threshold(tmp_path_factory):
    shards, truth = _near_threshold_corpus()
    run = write_run(tmp_path_factory.mktemp("near") / "run", shards)
    run_dedup(
        run, {"exact": False, "url": False, "repeated_lines": {"enabled": False}, "keep_intermediate": True}
    )
    return run, truth


def test_exact_verification_reports_exact_jaccard_and_never_clusters_below_the_threshold(near_threshold):
    run, truth = near_threshold
    assert sum(j >= 0.8 for j in truth.values()) >= 10 and sum(j < 0.8 for j in truth.values()) >= 10
    table = pq.read_table(run.root / "dedup" / "pairs.parquet")
    pairs = {frozenset((r["id_a"], r["id_b"])): r["similarity"] for r in table.to_pylist()}
    clusters = {
        r["id"]: r["cluster_id"]
        for part in ("kept", "removed")
        for r in pq.read_table(run.root / "dedup" / part).to_pylist()
    }
    for (a, b), jaccard in truth.items():
        assert (clusters[a] == clusters[b]) == (jaccard >= 0.8), jaccard
        if jaccard >= 0.8:
            assert pairs[frozenset((a, b))] == pytest.approx(jaccard, abs=1e-12)
    # LSH proposed pairs below the threshold too (P(candidate | 0.7) ≈ 0.87), and verification dropped them
    rejected = json.loads((run.root / "dedup" / "_pairs_b" / "stats.json").read_text())["skipped"]
    assert rejected["candidates_below_threshold"] >= 3
    report = json.loads((run.root / "dedup" / "stats.json").read_text())["extra"]["report"]["en"]
    for cluster in report["largest_clusters"]:
        kept, member = cluster["members"]
        exact = truth.get((kept["id"], member["id"])) or truth[(member["id"], kept["id"])]
        assert kept["similarity_to_kept"] == 1.0
        assert member["similarity_to_kept"] == pytest.approx(exact, abs=1e-4)


def test_exact_verification_keeps_no_signatures_and_hashes_only_the_bands(tmp_path):
    shards, _ = _near_threshold_corpus()
    run = write_run(tmp_path / "run", shards[:1])
    run_dedup(run, {"keep_intermediate": True, "url": False})  # template lines still need the URLs
    docs = pq.read_table(run.root / "dedup" / "_signatures" / "docs")
    assert docs.column("sig").null_count == len(docs)  # signatures are not needed after the LSH keys
    shingles = pq.read_table(run.root / "dedup" / "_signatures" / "shingles")
    values, offsets = blob_values(shingles.column("shingles"))
    for i, text in enumerate(pq.read_table(run.root / "extract").column("text").to_pylist()):
        one = values[offsets[i] : offsets[i + 1]]
        assert len(one) == len(_python_shingles(text, 5)) and (np.diff(one.astype(np.int64)) > 0).all()


@pytest.mark.parametrize("verify", ["estimated", "none"])
def test_estimated_and_no_verification_still_find_the_near_duplicates(tmp_path, verify):
    shards, truth = mixed_corpus()
    run = write_run(tmp_path / "run", shards)
    run_dedup(run, {"minhash": {"verify": verify}})
    removed = {r["id"]: r for r in pq.read_table(run.root / "dedup" / "removed").to_pylist()}
    for a, b in truth["near"] + truth["near_zh"]:
        gone = removed.get(a) or removed.get(b)
        assert gone is not None and gone["drop_reason"] == "near_duplicate"
    report = json.loads((run.root / "dedup" / "stats.json").read_text())["extra"]["report"]["zh"]
    assert 0.8 <= report["largest_clusters"][0]["members"][1]["similarity_to_kept"] < 1.0
