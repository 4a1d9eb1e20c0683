"""Fetch: byte-range requests against a loopback server, byte-exact local WARC shards, faults and retries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from roots.crawl.config import CrawlSource
from roots.crawl.run import crawl_paths, retry_fetch_errors, run_crawl
from roots.executors import LocalExecutor
from tests.crawl_fixtures import SEEDS, Capture, Faults, RangeServer, standard_captures, write_corpus
from tests.fixtures_sources import extract, rows


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, list[Capture]]:
    captures = standard_captures()
    write_corpus(tmp_path / "cc", captures)
    (tmp_path / "seeds.txt").write_text(SEEDS, encoding="utf-8")
    return tmp_path, captures


def crawl_config(root: Path, base_url: str, **extra: Any) -> CrawlSource:
    return CrawlSource.model_validate(
        {
            "type": "crawl",
            "seeds": str(root / "seeds.txt"),
            "index": str(root / "cc" / "index"),
            "base_url": base_url,
            "records_per_shard": 2,
            "backoff_seconds": 0.01,
            "max_requests_per_second": 0,
            **extra,
        }
    )


def manifest(run: Path) -> list[dict[str, Any]]:
    parts = sorted((run / "crawl" / "fetch").glob("part-*.parquet"))
    return [row for part in parts for row in pq.read_table(part).to_pylist()]


def fetch_errors(run: Path) -> list[dict[str, Any]]:
    text = (run / "crawl" / "fetch" / "errors.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def newest(captures: list[Capture]) -> dict[str, Capture]:
    out: dict[str, Capture] = {}
    for c in sorted(captures, key=lambda c: c.fetch_time):
        out[c.url] = c
    return out


def test_fetch_is_byte_exact_and_the_warc_source_reads_the_shards(corpus: tuple[Path, list[Capture]]) -> None:
    root, captures = corpus
    with RangeServer(root / "cc" / "data") as server, LocalExecutor(2) as executor:
        run_crawl(crawl_config(root, server.url), root / "run", executor, until="fetch")
    expected = newest(captures)
    records = manifest(root / "run")
    assert len(records) == 4 and {r["status"] for r in records} == {"fetched"}
    for record in records:
        capture = expected[record["url"]]
        assert (record["warc_filename"], record["warc_record_offset"]) == (capture.filename, capture.offset)
        shard = root / "run" / "crawl" / "fetch" / "warc" / f"part-{record['row'] // 2:05d}.warc.gz"
        data = shard.read_bytes()[
            record["local_offset"] : record["local_offset"] + record["warc_record_length"]
        ]
        assert data == capture.record
    docs = rows(
        extract(
            "warc", root / "run" / "crawl" / "fetch" / "warc", "--extractor", "resiliparse", out=root / "x"
        )
    )
    assert sorted(d["url"] for d in docs) == sorted(r["url"] for r in records)
    assert any("New version of page A." in d["text"] for d in docs)


def test_faults_are_retried_then_become_error_records(corpus: tuple[Path, list[Capture]]) -> None:
    root, captures = corpus
    expected = newest(captures)
    key = {url: (c.filename, c.offset) for url, c in expected.items()}
    faults = Faults(
        plan={
            key["https://example.com/a"]: ["500", "429", "slow"],
            key["https://www.example.com/b"]: ["truncate", "wrong_offset", "ignore_range"],
        },
        always={key["https://other.net/docs/intro"]: "500", key["https://other.net/docs/api"]: "404"},
        slow_seconds=2.0,
    )
    config = crawl_config(root, "http://127.0.0.1:9/", tries=4, timeout_seconds=0.5)
    with RangeServer(root / "cc" / "data", faults) as server, LocalExecutor(1) as executor:
        config = config.model_copy(update={"base_url": server.url})
        run_crawl(config, root / "run", executor, until="fetch")
        requests = dict(server.requests)
        first = manifest(root / "run")
        errors_first = fetch_errors(root / "run")
        stats = json.loads((root / "run" / "crawl" / "fetch" / "stats.json").read_text())
        # the server recovers: --retry-errors fetches again only the shards that have error records
        faults.always.clear()
        failed_shards = {r["row"] // 2 for r in first if r["status"] == "error"}
        assert retry_fetch_errors(crawl_paths(config, root / "run")) == len(failed_shards)
        run_crawl(config, root / "run", executor, until="fetch")
        after = dict(server.requests)
    retried = manifest(root / "run")
    assert [r["status"] for r in retried] == ["fetched"] * 4 and fetch_errors(root / "run") == []
    refetched = sum(after.values()) - sum(requests.values())
    assert refetched == sum(r["row"] // 2 in failed_shards for r in first)  # their records, once each
    records = {r["url"]: r for r in first}
    assert len(records) == 4
    for url in ("https://example.com/a", "https://www.example.com/b"):
        assert records[url]["status"] == "fetched"
        start = records[url]["local_offset"]
        shard = root / "run" / "crawl" / "fetch" / "warc" / f"part-{records[url]['row'] // 2:05d}.warc.gz"
        assert shard.read_bytes()[start : start + records[url]["warc_record_length"]] == expected[url].record
        assert requests[key[url]] == 4  # three faults, then the record
    errors = {e["url"]: e for e in errors_first}
    assert errors["https://other.net/docs/intro"]["reason"] == "http_500"
    assert errors["https://other.net/docs/intro"]["http_status"] == 500
    assert errors["https://other.net/docs/intro"]["tries"] == 4
    assert requests[key["https://other.net/docs/intro"]] == 4
    assert errors["https://other.net/docs/api"]["reason"] == "http_404"
    assert requests[key["https://other.net/docs/api"]] == 1  # a 404 is final
    assert stats["totals"]["in"]["docs"] == 4 and stats["totals"]["kept"]["docs"] == 2
    assert stats["totals"]["errors_total"]["docs"] == 2 and stats["balanced"]


def test_fetch_from_an_s3_compatible_endpoint(corpus: tuple[Path, list[Capture]]) -> None:
    root, captures = corpus
    with RangeServer(root / "cc") as server, LocalExecutor(1) as executor:
        endpoint = server.url.split("//")[1].rstrip("/")
        config = crawl_config(root, "s3://data/", s3_endpoint=endpoint, s3_anonymous=True)
        run_crawl(config, root / "run", executor, until="fetch")
    expected = newest(captures)
    for record in manifest(root / "run"):
        assert record["status"] == "fetched"
        shard = root / "run" / "crawl" / "fetch" / "warc" / f"part-{record['row'] // 2:05d}.warc.gz"
        start = record["local_offset"]
        assert (
            shard.read_bytes()[start : start + record["warc_record_length"]] == expected[record["url"]].record
        )
