"""The Megatron export stage on runs built here: accounting, blend files, determinism, resume, user errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tokenizers import Tokenizer

from roots.errors import UserError
from roots.export.indexed import read_index, read_sequences, validate_dataset
from tests.conftest import run_roots, tree_bytes
from tests.export_helpers import corpus_rows, make_run, run_export, texts_of, train_small_tokenizer


@pytest.fixture(scope="module")
def tokenizer_path(tmp_path_factory):
    return train_small_tokenizer(tmp_path_factory.mktemp("tok"), vocab_size=600)


def _expected(tokenizer_path, texts: list[str]) -> list[list[int]]:
    tok = Tokenizer.from_file(str(tokenizer_path))
    return [ids + [2] for ids in (tok.encode(t).ids for t in texts) if ids]


def test_one_dataset_per_language_with_every_document_and_eod(tmp_path, tokenizer_path):
    rows = corpus_rows(5)
    config, run = make_run(tmp_path / "run", rows, shard_size=7)
    run_export(config, tokenizer=str(tokenizer_path))
    out = run.stage("export").path
    langs = sorted({lang or "und" for _, lang, _ in rows})
    assert sorted(p.name for p in out.glob("*_text_document.idx")) == [
        f"{x}_text_document.idx" for x in langs
    ]
    for lang in langs:
        got = [s.tolist() for s in read_sequences(out / f"{lang}_text_document")]
        assert got == _expected(tokenizer_path, texts_of(run, None if lang == "und" else lang))
        assert read_index(out / f"{lang}_text_document").dtype == np.dtype("<u2")
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    assert stats["balanced"] and stats["totals"]["in"]["docs"] == len(rows) == stats["totals"]["kept"]["docs"]
    tokens = stats["extra"]["datasets"]["en"]["tokens"]
    assert tokens == sum(len(x) for x in _expected(tokenizer_path, texts_of(run, "en")))


def test_blend_files_match_the_formula_and_megatron_syntax(tmp_path, tokenizer_path):
    from roots.export.blend import blend_weights

    config, run = make_run(tmp_path / "run", corpus_rows(3) + [("extra english words " * 50, "en", "web")])
    run_export(config, tokenizer=str(tokenizer_path), alpha=0.5, max_weight=0.5)
    out = run.stage("export").path
    blend = json.loads((out / "blend.json").read_text(encoding="utf-8"))
    tokens = {lang: entry["tokens"] for lang, entry in blend["languages"].items()}
    expected = blend_weights(tokens, 0.5, max_weight=0.5)
    assert {k: v["weight"] for k, v in blend["languages"].items()} == pytest.approx(expected)
    assert sum(expected.values()) == pytest.approx(1.0)
    fields = (out / "data_path.txt").read_text(encoding="utf-8").split()
    weights, prefixes = [float(w) for w in fields[0::2]], fields[1::2]
    assert weights == pytest.approx([expected[p.rsplit("/", 1)[1].split("_")[0]] for p in prefixes], abs=1e-9)
    assert all(validate_dataset(p, 600).tokens > 0 for p in prefixes)


def test_per_source_splits_a_language_weight_by_tokens(tmp_path, tokenizer_path):
    config, run = make_run(tmp_path / "run", corpus_rows(4))
    run_export(config, tokenizer=str(tokenizer_path), per_source=True)
    blend = json.loads((run.stage("export").path / "blend.json").read_text(encoding="utf-8"))
    en = [d for d in blend["datasets"] if d["lang"] == "en"]
    assert sorted(d["key"] for d in en) == ["en_books", "en_web"]
    total = sum(d["tokens"] for d in en)
    for d in en:
        assert d["weight"] == pytest.approx(blend["languages"]["en"]["weight"] * d["tokens"] / total)


def test_one_and_two_workers_write_identical_bytes(tmp_path, tokenizer_path):
    outputs = []
    for workers in (1, 2):
        config, run = make_run(tmp_path / f"run{workers}", corpus_rows(6), shard_size=5)
        run_export(config, workers=workers, tokenizer=str(tokenizer_path), rows_per_shard=1)
        outputs.append(run.stage("export").path)
    one, two = (tree_bytes(p, exclude=("blend.json", "data_path.txt", "stats.json")) for p in outputs)
    assert one == two and any(k.endswith(".bin") for k in one)
    weights = [(p / "data_path.txt").read_text().split()[0::2] for p in outputs]
    assert weights[0] == weights[1]


def test_rerun_is_a_no_op_and_deleted_shards_are_redone(tmp_path, tokenizer_path):
    config, run = make_run(tmp_path / "run", corpus_rows(4), shard_size=8)
    run_export(config, tokenizer=str(tokenizer_path))
    out = run.stage("export").path
    before = tree_bytes(out)
    run_export(config, tokenizer=str(tokenizer_path))
    assert tree_bytes(out) == before
    for shard in (out / "_shards").glob("part-0000[02]"):
        for f in shard.iterdir():
            f.unlink()
    run_export(config, tokenizer=str(tokenizer_path))
    assert tree_bytes(out) == before


def test_a_changed_upstream_stage_invalidates_the_export(tmp_path, tokenizer_path):
    config, run = make_run(tmp_path / "run", corpus_rows(2))
    run_export(config, tokenizer=str(tokenizer_path))
    make_run(tmp_path / "run", [("only one english document", "en", "web")])
    run_export(config, tokenizer=str(tokenizer_path))
    out = run.stage("export").path
    assert sorted(p.name for p in out.glob("*.idx")) == ["en_text_document.idx"]  # stale languages removed
    assert validate_dataset(out / "en_text_document").documents == 1


def test_empty_text_and_missing_text_are_accounted(tmp_path, tokenizer_path):
    import pyarrow as pa

    from roots.atomic import write_parquet

    rows = [("hello world", "en", "web"), ("", "en", "web"), ("again", "en", "web")]
    config, run = make_run(tmp_path / "run", rows)
    part = run.stage("extract").part(0)
    table = pa.parquet.read_table(part)
    # a null text, as a broken upstream stage could write
    table = table.set_column(1, "text", pa.array(["hello world", "", None]))
    write_parquet(part, table)
    run_export(config, tokenizer=str(tokenizer_path))
    out = run.stage("export").path
    index = read_index(out / "en_text_document")
    assert index.doc_indices.tolist() == [0, 1, 1]  # the empty document: a boundary, no sequence, no EOD
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))["languages"]["en"]
    assert (stats["in"]["docs"], stats["kept"]["docs"], stats["errors"]["missing_text"]["docs"]) == (3, 2, 1)
    error = json.loads((out / "errors.jsonl").read_text(encoding="utf-8"))
    assert error["reason"] == "missing_text" and error["id"]


def test_forced_vocab_larger_than_65500_writes_int32(tmp_path, tokenizer_path):
    config, run = make_run(tmp_path / "run", corpus_rows(1))
    run_export(config, tokenizer=str(tokenizer_path), vocab_size=250_680)
    assert read_index(run.stage("export").path / "en_text_document").dtype == np.dtype("<i4")


def test_a_vocab_too_small_for_the_tokenizer_is_refused_before_any_work(tmp_path, tokenizer_path):
    config, run = make_run(tmp_path / "run", corpus_rows(1))
    with pytest.raises(UserError, match="export.vocab_size = 300 but the tokenizer has token id 599"):
        run_export(config, tokenizer=str(tokenizer_path), vocab_size=300)
    assert not run.stage("export").path.exists()


def test_a_tokenizer_whose_ids_exceed_its_size_is_refused(tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers

    # ids with a hole: 3 entries but id 70000, which a uint16 dataset (vocab 3) would wrap to 4464
    tok = Tokenizer(models.WordLevel({"<unk>": 0, "</s>": 1, "word": 70_000}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.save(str(tmp_path / "holes.json"))
    config, _ = make_run(tmp_path / "run", [("word word", "en", "web")])
    with pytest.raises(UserError, match="token id 70000; set export.vocab_size to at least 70001"):
        run_export(config, tokenizer=str(tmp_path / "holes.json"))


def test_user_errors(tmp_path, tokenizer_path):
    config, run = make_run(tmp_path / "run", corpus_rows(1))
    with pytest.raises(UserError, match="export.tokenizer is not set"):
        run_export(config)
    with pytest.raises(UserError, match="no tokenizer file"):
        run_export(config, tokenizer=str(tmp_path / "missing.json"))
    with pytest.raises(UserError, match="set export.eod_token"):
        run_export(config, tokenizer=str(tokenizer_path), eod_token="<|nope|>")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_roots("export", "megatron", str(empty), "--tokenizer", str(tokenizer_path))
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_cli_prints_the_data_path(tmp_path, tokenizer_path):
    _, run = make_run(tmp_path / "run", corpus_rows(2))
    result = run_roots(
        "export",
        "megatron",
        str(run.root),
        "--tokenizer",
        str(tokenizer_path),
        "--out",
        str(tmp_path / "mega"),
        "--alpha",
        "1",
    )
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("--data-path "))
    assert str(tmp_path / "mega" / "en_text_document") in line
    assert (tmp_path / "mega" / "data_path.txt").read_text().strip() == line.removeprefix("--data-path ")


def test_row_range_shards_cover_every_row_once_across_row_groups(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from roots.export.documents import plan_row_ranges, read_shard

    path = tmp_path / "part-00000.parquet"
    pq.write_table(pa.table({"text": [f"t{i}" for i in range(23)]}), path, row_group_size=5)
    pq.write_table(pa.table({"text": pa.array([], pa.string())}), tmp_path / "part-00001.parquet")
    tasks = plan_row_ranges([path, tmp_path / "part-00001.parquet"], rows_per_shard=7)
    assert [(t.payload["start"], t.payload["stop"]) for t in tasks] == [
        (0, 7),
        (7, 14),
        (14, 21),
        (21, 23),
        (0, 0),
    ]
    texts = [x for t in tasks for x in read_shard(dict(t.payload), ["text", "lang"])["text"].to_pylist()]
    assert texts == [f"t{i}" for i in range(23)]


def test_demo_export_trains_a_tokenizer_and_returns_the_data_path(tmp_path):
    from roots.export.demo import export_demo

    config, run = make_run(tmp_path / "run", corpus_rows(3))
    folder, data_path = export_demo(config, run, tmp_path)
    assert (folder / "tokenizer.json").is_file() and (folder / "tokenizer_config.json").is_file()
    prefixes = data_path.split()[1::2]
    assert len(prefixes) == 10 and all(validate_dataset(p).documents > 0 for p in prefixes)
