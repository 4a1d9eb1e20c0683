"""Hugging Face datasets input on local datasets the test writes: parquet folders, jsonl/csv files,
save_to_disk folders, streaming, sharding, column mapping, bad rows, and the offline hub failure."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from roots.cli import main
from tests.fixtures_sources import assert_balanced, errors, extract, rows

TEXTS = [
    "Habari za asubuhi, rafiki yangu.",
    "Mvua ilinyesha usiku kucha mjini.",
    None,
    "   ",
    "Watoto walicheza mpira uwanjani.",
    "Soko lilijaa watu siku ya Jumamosi.",
    "Mwalimu aliwasomea wanafunzi hadithi.",
]


def _table(start: int, texts: list[str | None]) -> pa.Table:
    n = len(texts)
    return pa.table(
        {
            "content": texts,
            "link": [f"https://sw.example/{start + i}" for i in range(n)],
            "doc_id": [f"sw-{start + i:03d}" for i in range(n)],
            "score": [float(start + i) / 10 for i in range(n)],
        }
    )


@pytest.fixture
def parquet_dir(tmp_path):
    folder = tmp_path / "swahili-news"
    folder.mkdir()
    pq.write_table(_table(0, TEXTS[:4]), folder / "train-00000-of-00002.parquet")
    pq.write_table(_table(4, TEXTS[4:]), folder / "train-00001-of-00002.parquet")
    return folder


def _args(*extra: str) -> tuple[str, ...]:
    return ("--text-column", "content", "--url-column", "link", "--lang", "sw", *extra)


def test_local_parquet_folder_with_column_mapping(parquet_dir, tmp_path):
    run = extract(
        "hf", parquet_dir, *_args("--id-column", "doc_id", "--meta-column", "score"), out=tmp_path / "r"
    )
    docs = rows(run)
    good = [i for i, t in enumerate(TEXTS) if t and t.strip()]
    assert [d["text"] for d in docs] == [TEXTS[i] for i in good]
    assert [d["url"] for d in docs] == [f"https://sw.example/{i}" for i in good]
    assert {d["lang"] for d in docs} == {"sw"} and {d["source"] for d in docs} == {"hf"}
    assert docs[0]["meta"] == {"doc_id": "sw-000", "score": 0.0, "dataset": "swahili-news:train", "row": 0}
    assert [(e["locator"], e["reason"]) for e in errors(run)] == [
        ("swahili-news:train#id=sw-002", "missing_text"),
        ("swahili-news:train#id=sw-003", "empty_text"),
    ]
    assert assert_balanced(run)["languages"]["sw"]["in"]["docs"] == len(TEXTS)


def test_meta_defaults_to_every_other_column(parquet_dir, tmp_path):
    docs = rows(extract("hf", parquet_dir, *_args(), out=tmp_path / "r"))
    assert docs[1]["meta"] == {"doc_id": "sw-001", "score": 0.1, "dataset": "swahili-news:train", "row": 1}


def test_row_shards_and_streaming_give_the_same_documents(parquet_dir, tmp_path):
    from roots.config import validate_pipeline
    from roots.pipeline import run_stages

    def run(name: str, **options):
        source = {
            "type": "hf",
            "path": str(parquet_dir),
            "text_column": "content",
            "url_column": "link",
            **options,
        }
        config = {"run_dir": str(tmp_path / name), "workers": 1, "sources": [source]}
        return run_stages(validate_pipeline(config, "test"), ["extract"])

    whole, sharded, streamed = run("whole"), run("sharded", rows_per_shard=2), run("streamed", streaming=True)
    assert len(sharded.stage("extract").parts()) == 4
    assert len(streamed.stage("extract").parts()) == 2  # one work unit per data file
    assert rows(sharded) == rows(whole)
    assert [(d["text"], d["url"]) for d in rows(streamed)] == [(d["text"], d["url"]) for d in rows(whole)]
    assert [e["reason"] for e in errors(streamed)] == [e["reason"] for e in errors(whole)]


def test_jsonl_and_csv_files(tmp_path):
    lines = [{"text": "Bonjour tout le monde.", "url": "https://fr.example/1"}, {"text": "Il pleut."}]
    (tmp_path / "fr.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    (tmp_path / "es.csv").write_text('text,url\n"Hola, mundo.",https://es.example/1\n', encoding="utf-8")
    fr = rows(extract("hf", tmp_path / "fr.jsonl", "--url-column", "url", out=tmp_path / "r1"))
    assert [(d["text"], d["url"]) for d in fr] == [
        ("Bonjour tout le monde.", "https://fr.example/1"),
        ("Il pleut.", None),
    ]
    es = rows(
        extract("hf", "csv", "--data-files", tmp_path / "es.csv", "--url-column", "url", out=tmp_path / "r2")
    )
    assert [(d["text"], d["url"], d["meta"]["dataset"]) for d in es] == [
        ("Hola, mundo.", "https://es.example/1", "csv:train")
    ]


def test_save_to_disk_folders(tmp_path):
    import datasets

    train = datasets.Dataset.from_dict({"text": ["Olá mundo.", "Bom dia."]})
    test = datasets.Dataset.from_dict({"text": ["Boa noite."]})
    datasets.DatasetDict({"train": train, "test": test}).save_to_disk(str(tmp_path / "dd"))
    train.save_to_disk(str(tmp_path / "single"))
    got = rows(extract("hf", tmp_path / "dd", "--split", "test", "--lang", "pt", out=tmp_path / "r1"))
    assert [(d["text"], d["meta"]["dataset"]) for d in got] == [("Boa noite.", "dd:test")]
    assert [d["text"] for d in rows(extract("hf", tmp_path / "single", out=tmp_path / "r2"))] == [
        "Olá mundo.",
        "Bom dia.",
    ]
    assert (
        main(["extract", "hf", str(tmp_path / "dd"), "--split", "validation", "--out", str(tmp_path / "r3")])
        == 2
    )


def test_offline_hub_name_fails_fast_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    status = main(["extract", "hf", "bigscience-data/roots_sw_wikipedia", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "bigscience-data/roots_sw_wikipedia" in err and "offline" in err
    assert "Traceback" not in err


def test_a_missing_column_is_a_user_error(parquet_dir, tmp_path, capsys):
    status = main(["extract", "hf", str(parquet_dir), "--text-column", "body", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert status == 2 and "'body'" in err and "content, link, doc_id, score" in err
