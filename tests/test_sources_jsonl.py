"""Plain jsonl input: gzip, invalid UTF-8, malformed lines, truncated gzip, locators relative to the input."""

from __future__ import annotations

import gzip
import json

from tests.fixtures_sources import assert_balanced, errors, extract, rows


def _line(text: str, **extra: object) -> bytes:
    return (json.dumps({"text": text, **extra}, ensure_ascii=False) + "\n").encode()


def test_gzip_input_with_bad_lines(tmp_path):
    data = b"".join(
        [
            _line("Première ligne.", url="https://fr.example/1"),
            b'{"text": "cut off\n',
            b"Caf\xe9 au lait is not UTF-8\n",
            b"\n",
            b"[1, 2]\n",
            b'{"title": "no text"}\n',
            _line("Dernière ligne.", source_id=7),
        ]
    )
    (tmp_path / "fr.jsonl.gz").write_bytes(gzip.compress(data, mtime=0))
    run = extract("jsonl", tmp_path / "fr.jsonl.gz", "--lang", "fr", out=tmp_path / "r")
    docs = rows(run)
    assert [(d["text"], d["url"]) for d in docs] == [
        ("Première ligne.", "https://fr.example/1"),
        ("Dernière ligne.", None),
    ]
    assert docs[1]["meta"] == {"source_id": 7, "file": "fr.jsonl.gz", "line": 7}
    assert [(e["locator"], e["reason"]) for e in errors(run)] == [
        ("fr.jsonl.gz#L2", "malformed_json"),
        ("fr.jsonl.gz#L3", "invalid_utf8"),
        ("fr.jsonl.gz#L4", "empty_line"),
        ("fr.jsonl.gz#L5", "not_an_object"),
        ("fr.jsonl.gz#L6", "missing_text"),
    ]
    assert assert_balanced(run)["languages"]["fr"]["in"]["docs"] == 7


def test_truncated_gzip_keeps_the_lines_before_the_break(tmp_path):
    data = b"".join(_line(f"Line number {i}.") for i in range(200))
    compressed = gzip.compress(data, mtime=0)
    (tmp_path / "cut.jsonl.gz").write_bytes(compressed[: len(compressed) * 2 // 3])
    run = extract("jsonl", tmp_path / "cut.jsonl.gz", out=tmp_path / "r")
    docs = rows(run)
    assert docs and [d["text"] for d in docs] == [f"Line number {i}." for i in range(len(docs))]
    (error,) = errors(run)
    assert error["reason"] == "unreadable_file" and error["locator"] == f"cut.jsonl.gz#L{len(docs) + 1}"
    assert_balanced(run)


def test_locators_are_relative_to_the_input_and_unique(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.jsonl").write_bytes(_line(f"text from {folder}") + _line("x", id="k1"))
    run = extract(
        "jsonl",
        tmp_path / "a" / "same.jsonl",
        tmp_path / "b",
        "--id-key",
        "id",
        "--name",
        "web",
        out=tmp_path / "r",
    )
    docs = rows(run)
    assert [d["meta"]["file"] for d in docs] == [
        "a/same.jsonl",
        "a/same.jsonl",
        "b/same.jsonl",
        "b/same.jsonl",
    ]
    assert len({d["id"] for d in docs}) == 4 and {d["source"] for d in docs} == {"web"}


def test_ids_do_not_depend_on_where_the_corpus_lives(tmp_path):
    runs = []
    for place in ("here", "there/deeper"):
        folder = tmp_path / place / "corpus" / "sub"
        folder.mkdir(parents=True)
        (folder / "x.jsonl").write_bytes(_line("un") + _line("deux"))
        runs.append(rows(extract("jsonl", folder.parent, out=tmp_path / place / "run")))
    assert [d["id"] for d in runs[0]] == [d["id"] for d in runs[1]]
    assert runs[0][0]["meta"]["file"] == "sub/x.jsonl"
