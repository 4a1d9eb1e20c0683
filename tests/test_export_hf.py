"""Parquet and jsonl exports of the final documents, loaded back with ``datasets.load_dataset``."""

from __future__ import annotations

import json

import pytest
from datasets import load_dataset

from tests.conftest import run_roots, tree_bytes
from tests.export_helpers import corpus_rows, make_run, run_export, texts_of


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_export_loads_with_datasets_per_language_and_whole(tmp_path, fmt):
    rows = corpus_rows(3)
    _, run = make_run(tmp_path / "run", rows, shard_size=6)
    out = tmp_path / fmt
    result = run_roots("export", fmt, str(run.root), "--out", str(out), "--workers", "2")
    assert result.returncode == 0, result.stderr
    cache = str(tmp_path / "hf-cache")
    everything = load_dataset(str(out), split="train", cache_dir=cache)
    assert len(everything) == len(rows)
    assert {"id", "text", "source", "url", "lang", "lang_score", "meta"} <= set(everything.column_names)
    yoruba = load_dataset(str(out), "yo", split="train", cache_dir=cache)
    assert yoruba["text"] == texts_of(run, "yo")
    undetermined = load_dataset(str(out), "und", split="train", cache_dir=cache)
    assert undetermined["lang"] == [None]
    stats = json.loads((run.stage("export").path / f"_{fmt}" / "stats.json").read_text(encoding="utf-8"))
    assert stats["balanced"] and stats["totals"]["kept"]["docs"] == len(rows)


def test_default_folder_rerun_and_worker_count_give_the_same_bytes(tmp_path):
    trees = []
    for workers in (1, 2):
        config, run = make_run(tmp_path / f"run{workers}", corpus_rows(3), shard_size=4)
        run_export(config, workers=workers, format="parquet")
        trees.append(tree_bytes(run.stage("export").path / "parquet"))
    run_export(config, workers=2, format="parquet")
    assert trees[0] == trees[1] == tree_bytes(run.stage("export").path / "parquet")
    assert "README.md" in trees[0] and "en/part-00000.parquet" in trees[0]


def test_a_smaller_run_leaves_no_stale_shards(tmp_path):
    config, run = make_run(tmp_path / "run", corpus_rows(4), shard_size=4)
    run_export(config, format="jsonl")
    make_run(tmp_path / "run", [("just one", "en", "web")])
    run_export(config, format="jsonl")
    out = run.stage("export").path / "jsonl"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.jsonl")) == ["en/part-00000.jsonl"]
    assert "config_name: en" in (out / "README.md").read_text(encoding="utf-8")
