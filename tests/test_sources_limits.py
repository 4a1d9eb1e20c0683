"""Limits every source applies the same way: lone surrogates (``invalid_unicode``), the document size limit
(``too_large``, lines read with a bound) and repeated ids (``duplicate_id``), each one error record and never
a failed shard."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq

from tests.fixtures_sources import assert_balanced, errors, extract, rows, stats


def _line(obj: dict) -> bytes:
    return (json.dumps(obj) + "\n").encode()  # ensure_ascii: a lone surrogate is written as "\ud800"


# VmHWM, not RUSAGE_SELF: the latter starts from the forking test process's peak (Linux carries it over exec)
RSS_SCRIPT = (
    "import re, resource, sys\n"
    "from roots.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "own = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
    "print(status, max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) // 1024)\n"
)


def _peak_rss_mb(*args: str) -> int:
    """Run ``roots …`` in a subprocess; its exit status must be 0; returns the peak RSS of it and its children."""
    done = subprocess.run([sys.executable, "-c", RSS_SCRIPT, *args], capture_output=True, text=True)
    status, peak_mb = map(int, done.stdout.split()[-2:])
    assert status == 0, done.stderr
    return peak_mb


def test_lone_surrogates_are_one_error_each_and_the_shard_survives(tmp_path):
    lines = [
        _line({"text": "Première ligne correcte.", "id": "a"}),
        _line({"text": "texte \ud800 cassé", "id": "b"}),
        _line({"text": "méta cassée", "note": "x\udfff", "id": "c"}),
        _line({"text": "url cassée", "url": "https://fr.example/\ud83d", "id": "d"}),
        _line({"text": "id cassé", "id": "e\udc00"}),
        _line({"text": "Dernière ligne correcte.", "id": "f"}),
    ]
    (tmp_path / "fr.jsonl").write_bytes(b"".join(lines))
    run = extract("jsonl", tmp_path / "fr.jsonl", "--id-key", "id", "--lang", "fr", out=tmp_path / "r")
    assert [d["text"] for d in rows(run)] == ["Première ligne correcte.", "Dernière ligne correcte."]
    found = [(e["reason"], e["detail"].split(":")[0]) for e in errors(run)]
    assert found == [
        ("invalid_unicode", "text"),
        ("invalid_unicode", "meta"),
        ("invalid_unicode", "url"),
        ("invalid_unicode", "locator"),
    ]
    assert "\\udc00" in errors(run)[3]["locator"]  # written escaped, the errors file stays valid UTF-8
    assert assert_balanced(run)["totals"]["in"]["docs"] == 6


def test_a_line_over_the_limit_is_too_large_and_never_held_in_memory(tmp_path):
    """A 6 MB ``.gz`` that inflates to one 600 MB line: the planner and the reader skip it in bounded
    memory (peak RSS of the extract process measured in a subprocess)."""
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=1) as handle:
        handle.write(_line({"text": "avant"}))
        handle.write(b'{"text": "')
        chunk = b"a" * (1 << 20)
        for _ in range(600):
            handle.write(chunk)
        handle.write(b'"}\n')
        handle.write(_line({"text": "après"}))
    peak_mb = _peak_rss_mb("extract", "jsonl", str(path), "--out", str(tmp_path / "r"), "--workers", "1")
    assert peak_mb < 300, f"peak RSS {peak_mb} MB for a 600 MB line"
    from roots.layout import RunLayout

    run = RunLayout(tmp_path / "r")
    assert [d["text"] for d in rows(run)] == ["avant", "après"]
    (error,) = errors(run)
    assert error["reason"] == "too_large" and error["locator"] == "bomb.jsonl.gz#L2"
    assert str(600 * (1 << 20) + 12) in error["detail"]
    assert_balanced(run)


def test_the_same_size_limit_applies_to_every_source(tmp_path):
    big, small = "x" * 3000, "petit texte"
    (tmp_path / "a.jsonl").write_bytes(_line({"text": big}) + _line({"text": small}))
    run = extract("jsonl", tmp_path / "a.jsonl", "--max-document-bytes", "2048", out=tmp_path / "j")
    assert [d["text"] for d in rows(run)] == [small]
    assert [e["reason"] for e in errors(run)] == ["too_large"]

    folder = tmp_path / "ds"
    folder.mkdir()
    pq.write_table(pa.table({"text": [small, big]}), folder / "train.parquet")
    run = extract("hf", folder, "--max-document-bytes", "2048", out=tmp_path / "h")
    assert [d["text"] for d in rows(run)] == [small]
    ((reason, detail),) = [(e["reason"], e["detail"]) for e in errors(run)]
    assert reason == "too_large" and "3000" in detail and "2048" in detail
    assert_balanced(run)


def test_repeated_ids_keep_the_first_occurrence_across_work_units(tmp_path):
    lines = [_line({"text": f"document {i}", "id": f"k{i % 4}"}) for i in range(10)]
    lines.insert(3, b"not json\n")
    (tmp_path / "d.jsonl").write_bytes(b"".join(lines))
    path = tmp_path / "pipeline.yaml"
    config = {
        "run_dir": str(tmp_path / "r"),
        "sources": [
            {"type": "jsonl", "paths": [str(tmp_path / "d.jsonl")], "id_key": "id", "lines_per_shard": 3}
        ],
    }
    path.write_text(json.dumps(config))
    from roots.config import load_pipeline
    from roots.pipeline import run_stages

    run = run_stages(load_pipeline(path), ["extract"])
    docs = rows(run)
    assert [d["text"] for d in docs] == [f"document {i}" for i in range(4)]
    assert len({d["id"] for d in docs}) == len(docs)
    found = [(e["locator"], e["reason"]) for e in errors(run)]
    assert found == [("d.jsonl#L4", "malformed_json")] + [
        (f"d.jsonl#L{n}", "duplicate_id") for n in range(6, 12)
    ]
    assert "line 1" in errors(run)[1]["detail"] and "line 5" in errors(run)[4]["detail"]
    assert_balanced(run)


def test_warc_memory_stays_bounded_by_one_record_whatever_the_member(tmp_path):
    """#17.3: one gzip member holding 300 MB of records is read record by record, and a record declaring
    200 MB is refused by its declared length; peak RSS of the whole extract is measured in a subprocess."""
    from roots.layout import RunLayout
    from tests.fixtures_sources import Page, html_page, warc_records, write_chunks

    images = [
        Page(f"https://img.example/{i}.jpg", b"\0" * (1 << 20), content_type="image/jpeg") for i in range(300)
    ]
    last = html_page("The end", ["The last page of a very large gzip member, read piece by piece."]).encode()
    member = b"".join(warc_records([*images, Page("https://news.example/end", last)], compress=False))
    huge = Page("https://huge.example/", b"<html><body><p>" + b"a " * (100 << 20) + b"</p></body></html>")
    after = html_page("After", ["A page after the refused one is read as usual, nothing is lost."]).encode()
    folder = tmp_path / "in"
    folder.mkdir()
    write_chunks(folder / "a-member.warc.gz", [gzip.compress(member, compresslevel=1, mtime=0)])
    members = [
        gzip.compress(r, compresslevel=1, mtime=0)
        for r in warc_records([huge, Page("https://x.example/", after)], compress=False)
    ]
    write_chunks(folder / "b-huge.warc.gz", members)
    out = tmp_path / "r"
    peak = _peak_rss_mb(
        "extract", "warc", str(folder), "--extractor", "resiliparse", "--out", str(out), "--workers", "1"
    )
    assert peak < 320, f"peak RSS {peak} MB"
    run = RunLayout(out)
    assert [d["url"] for d in rows(run)] == ["https://news.example/end", "https://x.example/"]
    (error,) = errors(run)
    assert error["reason"] == "too_large" and error["locator"] == "b-huge.warc.gz@0"
    assert stats(run)["skipped"] == {"non_text_mime": 300}
    assert_balanced(run)


def test_jsonl_work_units_end_by_bytes_too(tmp_path):
    """A worker holds one unit's documents: units end after ``bytes_per_shard`` bytes as well as after
    ``lines_per_shard`` lines, and the documents do not depend on the cut."""
    from roots.config import validate_pipeline
    from roots.pipeline import run_stages

    (tmp_path / "d.jsonl").write_bytes(b"".join(_line({"text": f"{i} " + "mot " * 50}) for i in range(10)))
    texts = []
    for name, bytes_per_shard in (("one", 1 << 20), ("cut", 500)):
        source = {"type": "jsonl", "paths": [str(tmp_path / "d.jsonl")], "bytes_per_shard": bytes_per_shard}
        run = run_stages(
            validate_pipeline({"run_dir": str(tmp_path / name), "sources": [source]}, "t"), ["extract"]
        )
        texts.append([d["text"] for d in rows(run)])
        assert len(run.stage("extract").parts()) == (1 if name == "one" else 4)  # ~215-byte lines: 3 a unit
    assert texts[0] == texts[1] and len(texts[0]) == 10


def test_dedup_accounting_and_clusters_stay_consistent_with_repeated_ids(tmp_path):
    """#17.12: the repeated ids are stopped at extract, so dedup sees unique ids and its clusters add up."""
    import random

    import pyarrow.parquet as pq

    from roots.config import validate_pipeline
    from roots.pipeline import run_stages
    from tests.dedup_helpers import edit, words

    rng = random.Random(3)
    bases = [words(rng, 120) for _ in range(4)]
    lines = []
    for i, base in enumerate(bases):
        lines.append(_line({"id": f"k{i}", "text": " ".join(base)}))
        lines.append(
            _line({"id": f"k{i}", "text": " ".join(edit(rng, base, 0.01))})
        )  # same id, near-duplicate
        lines.append(_line({"id": f"c{i}", "text": " ".join(base) + "."}))  # another id, exact duplicate
    (tmp_path / "d.jsonl").write_bytes(b"".join(lines))
    source = {
        "type": "jsonl",
        "paths": [str(tmp_path / "d.jsonl")],
        "id_key": "id",
        "lang": "en",
        "lines_per_shard": 5,
    }
    config = {"run_dir": str(tmp_path / "r"), "workers": 2, "sources": [source], "filter": None, "dedup": {}}
    run = run_stages(validate_pipeline(config, "test"), ["extract", "dedup"])
    assert [e["reason"] for e in errors(run)] == ["duplicate_id"] * 4
    extracted = [d["id"] for d in rows(run)]
    assert len(extracted) == len(set(extracted)) == 8

    def read(kind: str) -> list[dict]:
        return [
            r
            for p in sorted((run.root / "dedup" / kind).glob("*.parquet"))
            for r in pq.read_table(p).to_pylist()
        ]

    kept, removed = read("kept"), read("removed")
    ids = [r["id"] for r in kept + removed]
    assert sorted(ids) == sorted(extracted)  # every document once, none twice
    kept_ids = {r["id"] for r in kept}
    assert len(kept) == 4 and all(r["duplicate_of"] in kept_ids for r in removed)
    sizes: dict[str, int] = {}
    for r in kept + removed:
        sizes[r["cluster_id"]] = sizes.get(r["cluster_id"], 0) + 1
    assert all(r["cluster_size"] == sizes[r["cluster_id"]] for r in kept + removed)
    stats = json.loads((run.root / "dedup" / "stats.json").read_text(encoding="utf-8"))
    assert stats["balanced"] is True and stats["totals"]["in"]["docs"] == 8


def test_repeated_hf_id_column_values_are_duplicate_id_errors(tmp_path):
    folder = tmp_path / "ds"
    folder.mkdir()
    ids = ["a", "b", "a", None, "c", "b", None]
    pq.write_table(
        pa.table({"text": [f"texte {i}" for i in range(7)], "doc_id": ids}), folder / "train.parquet"
    )
    from roots.config import validate_pipeline
    from roots.pipeline import run_stages

    source = {"type": "hf", "path": str(folder), "id_column": "doc_id", "rows_per_shard": 2}
    run = run_stages(
        validate_pipeline({"run_dir": str(tmp_path / "r"), "sources": [source]}, "t"), ["extract"]
    )
    assert [d["text"] for d in rows(run)] == ["texte 0", "texte 1", "texte 3", "texte 4", "texte 6"]
    found = [(e["locator"], e["reason"], e["detail"]) for e in errors(run)]
    assert found == [
        ("ds:train#r2", "duplicate_id", "'doc_id' repeats the id of row 0; only the first is kept"),
        ("ds:train#r5", "duplicate_id", "'doc_id' repeats the id of row 1; only the first is kept"),
    ]
    assert len({d["id"] for d in rows(run)}) == 5
    assert_balanced(run)
