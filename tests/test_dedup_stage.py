"""End-to-end dedup on constructed runs: exact, URL and near duplicates (incl. Chinese), line removal,
accounting, report and pairs, determinism across workers and memory budgets."""

from __future__ import annotations

import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from roots.layout import RunLayout
from tests.dedup_helpers import SCHEMA, doc, mixed_corpus, outputs, run_dedup, words, write_run


def _removed(run: RunLayout) -> dict[str, dict]:
    return {r["id"]: r for r in pq.read_table(run.root / "dedup" / "removed").to_pylist()}


def _kept(run: RunLayout) -> dict[str, dict]:
    return {r["id"]: r for r in pq.read_table(run.root / "dedup" / "kept").to_pylist()}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    shards, truth = mixed_corpus()
    run = write_run(tmp_path_factory.mktemp("mixed") / "run", shards)
    run_dedup(run)
    return run, shards, truth


def _pair_outcome(removed: dict, pair: tuple[str, str]) -> tuple[str, str] | None:
    """(reason, kept id) if exactly one document of the pair was removed as a duplicate of the other."""
    a, b = pair
    if (a in removed) == (b in removed):
        return None
    gone, other = (a, b) if a in removed else (b, a)
    row = removed[gone]
    return (row["drop_reason"], other) if row["duplicate_of"] == other else None


def test_exact_duplicates_ignore_whitespace_digits_and_punctuation(mixed):
    run, _, truth = mixed
    removed = _removed(run)
    assert [(_pair_outcome(removed, p) or ("",))[0] for p in truth["exact"]] == ["exact_duplicate"] * 6


def test_url_duplicates_match_host_and_path(mixed):
    run, _, truth = mixed
    removed = _removed(run)
    assert [(_pair_outcome(removed, p) or ("",))[0] for p in truth["url"]] == ["url_duplicate"] * 6


def test_near_duplicates_are_clustered_in_english_and_chinese(mixed):
    run, _, truth = mixed
    removed = _removed(run)
    for key in ("near", "near_zh"):
        assert [(_pair_outcome(removed, p) or ("",))[0] for p in truth[key]] == ["near_duplicate"] * 6, key
    kept = _kept(run)
    assert set(truth["unique"]) <= set(kept)
    for unique_id in truth["unique"]:
        assert kept[unique_id]["cluster_size"] == 1 and kept[unique_id]["cluster_id"] == unique_id


def test_kept_document_is_the_longest_and_clusters_are_labelled(mixed):
    run, shards, truth = mixed
    by_id = {d["id"]: d for shard in shards for d in shard}
    kept, removed = _kept(run), _removed(run)
    for pair in truth["exact"] + truth["url"] + truth["near"] + truth["near_zh"]:
        winner = max(pair, key=lambda i: (len(by_id[i]["text"]), [-ord(c) for c in i]))
        assert winner in kept
        loser = pair[1] if winner == pair[0] else pair[0]
        assert removed[loser]["cluster_id"] == winner == kept[winner]["cluster_id"]
        assert removed[loser]["cluster_size"] == kept[winner]["cluster_size"] == 2


def test_accounting_balances_and_extra_columns_pass_through(mixed):
    run, shards, _ = mixed
    stats = json.loads((run.root / "dedup" / "stats.json").read_text())
    assert stats["balanced"] is True
    total = sum(len(s) for s in shards)
    kept, removed = _kept(run), _removed(run)
    assert stats["totals"]["in"]["docs"] == total == len(kept) + len(removed)
    for row in [*kept.values(), *removed.values()]:
        assert row["quality"] == float(len(row["text"]) % 7)  # the extra column is unchanged
    assert set(kept) | set(removed) == {d["id"] for s in shards for d in s}


def test_report_and_pairs_for_the_dashboard(mixed):
    run, _, truth = mixed
    report = json.loads((run.root / "dedup" / "stats.json").read_text())["extra"]["report"]
    assert set(report) == {"en", "zh"}
    en, zh = report["en"], report["zh"]
    assert (en["exact_duplicates"], en["url_duplicates"], en["near_duplicates"]) == (6, 6, 6)
    assert zh["near_duplicates"] == 6 and zh["cluster_size_histogram"] == {"2": 6}
    assert en["docs_in"] == 48 and zh["docs_in"] == 12
    cluster = zh["largest_clusters"][0]
    assert cluster["size"] == 2 and cluster["members"][0]["id"] == cluster["cluster_id"]
    assert cluster["members"][0]["similarity_to_kept"] == 1.0
    assert 0.8 <= cluster["members"][1]["similarity_to_kept"] < 1.0
    assert set(cluster["members"][1]) == {"id", "url", "text_preview", "similarity_to_kept"}
    pairs = pq.read_table(run.root / "dedup" / "pairs.parquet")
    assert pairs.column_names == ["id_a", "id_b", "similarity", "lang"]
    found = {frozenset((r["id_a"], r["id_b"])): r for r in pairs.to_pylist()}
    for pair in truth["near"] + truth["near_zh"]:
        assert found[frozenset(pair)]["similarity"] >= 0.8
    assert not (run.root / "dedup" / "_signatures").exists()  # working files removed by default


def test_one_and_two_workers_and_a_tiny_memory_budget_give_identical_bytes(mixed, tmp_path):
    run, shards, _ = mixed
    reference = outputs(run)
    two = write_run(tmp_path / "two", shards)
    run_dedup(two, workers=2)
    assert outputs(two) == reference
    tiny = write_run(tmp_path / "tiny", shards)
    run_dedup(tiny, {"max_items_in_memory": 40, "keep_intermediate": True})
    assert outputs(tiny) == reference
    # the tiny budget really partitioned the work: many key partitions and node partitions
    assert len(list((tiny.root / "dedup" / "_buckets" / "_done").glob("*.json"))) > 20
    assert len(list((tiny.root / "dedup" / "_cc_000" / "_done").glob("*.json"))) > 1


def test_global_scope_finds_duplicates_across_languages(tmp_path):
    rng = random.Random(3)
    text = " ".join(words(rng, 120))
    run = write_run(tmp_path / "run", [[doc("a", text, lang="en"), doc("b", text + " !", lang="fr")]])
    run_dedup(run, {"scope": "language"})
    assert len(_removed(run)) == 0
    run_dedup(run, {"scope": "global"})
    assert [r["drop_reason"] for r in _removed(run).values()] == ["exact_duplicate"]


def test_repeated_lines_are_removed_per_site(tmp_path):
    rng = random.Random(5)
    banner = "Subscribe to our newsletter for daily news"
    rows = []
    for i in range(12):
        body = " ".join(words(rng, 60))
        rows.append(doc(f"s{i}", f"{banner}\n{body}\nShort line", url=f"https://news.example/{i}"))
    for i in range(5):  # the same banner on another site, too rarely to be a template there
        rows.append(doc(f"t{i}", f"{banner}\n" + " ".join(words(rng, 60)), url=f"https://blog.example/{i}"))
    rows.append(doc("only", banner, url="https://news.example/only"))
    run = write_run(tmp_path / "run", [rows])
    run_dedup(run, {"repeated_lines": {"min_chars": 15, "min_documents": 10}})
    kept, removed = _kept(run), _removed(run)
    news = [r for r in kept.values() if r["url"].startswith("https://news.example/")]
    assert len(news) == 12
    assert all(
        banner not in r["text"] and "Short line" in r["text"] and r["lines_removed"] == 1 for r in news
    )
    blog = [r for r in kept.values() if r["url"].startswith("https://blog.example/")]
    assert len(blog) == 5 and all(r["text"].startswith(banner) and r["lines_removed"] == 0 for r in blog)
    assert [r["drop_reason"] for r in removed.values()] == ["repeated_lines_only"]
    report = json.loads((run.root / "dedup" / "stats.json").read_text())["extra"]["report"]["en"]
    assert report["lines_removed"] == 13


def test_bad_rows_become_errors_and_the_run_goes_on(tmp_path):
    rng = random.Random(9)
    good = [doc(f"g{i}", " ".join(words(rng, 50))) for i in range(4)]
    broken = doc("bad", "placeholder")
    broken["text"] = None
    loose = pa.schema([f.with_nullable(True) for f in SCHEMA])  # e.g. shards written by another tool
    run = write_run(tmp_path / "run", [[*good, broken]], schema=loose)
    run_dedup(run)
    errors = [json.loads(line) for line in (run.root / "dedup" / "errors.jsonl").read_text().splitlines()]
    assert [e["reason"] for e in errors] == ["missing_text"]
    stats = json.loads((run.root / "dedup" / "stats.json").read_text())
    assert stats["totals"]["in"]["docs"] == 5 and stats["totals"]["errors_total"]["docs"] == 1
    assert stats["totals"]["kept"]["docs"] == 4 and stats["balanced"] is True


def test_reads_filter_output_when_present(tmp_path):
    from roots.atomic import write_parquet
    from roots.schema import documents_to_table

    rng = random.Random(11)
    text = " ".join(words(rng, 80))
    run = write_run(tmp_path / "run", [[doc("x", "ignored extract document " * 5)]])
    write_parquet(
        run.stage("filter").part(0, "kept"), documents_to_table([doc("a", text), doc("b", text)], SCHEMA)
    )
    run_dedup(run)
    kept, removed = _kept(run), _removed(run)
    assert len(kept) == 1 and len(removed) == 1
    assert json.loads((run.root / "dedup" / "stats.json").read_text())["extra"]["input"] == "filter"


def test_rerun_is_skipped_and_config_change_recomputes(tmp_path, mixed):
    _, shards, _ = mixed
    run = write_run(tmp_path / "run", shards)
    run_dedup(run)
    first = outputs(run)
    run_dedup(run)
    assert outputs(run) == first
    run_dedup(run, {"minhash": {"enabled": False}})
    report = json.loads((run.root / "dedup" / "stats.json").read_text())["extra"]["report"]
    assert report["en"]["near_duplicates"] == 0 and report["zh"]["near_duplicates"] == 0
