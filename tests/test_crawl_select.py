"""Index lookup: SURT matching, newest capture per URL, HTML and status 200 only, caps, crawls, reports."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from roots.crawl.seeds import parse_seed
from roots.crawl.select import CrawlPaths, select
from roots.errors import UserError
from tests.crawl_fixtures import CRAWLS, SEEDS, RangeServer, standard_captures, write_corpus


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    write_corpus(tmp_path / "cc", standard_captures())
    (tmp_path / "seeds.txt").write_text(SEEDS, encoding="utf-8")
    return tmp_path


def test_seed_surts_follow_rooTS_seed_table() -> None:
    # the spellings ROOTS' seed table had for these seeds
    assert parse_seed("https://www.almaany.com/ar/dict/ar-ar/").surt == "com,almaany)/ar/dict/ar-ar"
    assert parse_seed("sites.google.com").surt == "com,google,sites)/"
    assert parse_seed("www.ldc.upenn.edu").surt == "edu,upenn,ldc)/"
    assert parse_seed("www.ldc.upenn.edu").domains == ("upenn.edu",)
    assert parse_seed("news.bbc.co.uk").domains == ("bbc.co.uk",)
    assert parse_seed("foo.blogspot.com").domains == ("blogspot.com", "foo.blogspot.com")


def test_select_matches_surt_prefix_newest_capture_html_only(corpus: Path) -> None:
    paths = CrawlPaths(corpus / "run" / "crawl")
    summary = select(corpus / "seeds.txt", str(corpus / "cc" / "index"), paths)
    table = pq.read_table(paths.selection).to_pylist()
    by_url = {row["url"]: row for row in table}
    # blog.example.com: other host (its SURT does not start with "com,example)/"); /shop: outside the prefix;
    # the PDF and the 404 are excluded; example.org is no seed
    assert sorted(by_url) == [
        "https://example.com/a",
        "https://other.net/docs/api",
        "https://other.net/docs/intro",
        "https://www.example.com/b",
    ]
    newest = [c for c in standard_captures() if c.url == "https://example.com/a"][1]
    assert by_url["https://example.com/a"]["crawl"] == newest.crawl == CRAWLS[1]
    assert [row["row"] for row in table] == list(range(4))
    assert {row["domain"] for row in table} == {"example.com", "other.net"}
    seeds = {row["seed"]: row for row in pq.read_table(paths.seeds).to_pylist()}
    assert seeds["example.com"]["captures"] == 3 and seeds["example.com"]["selected"] == 2
    assert seeds["https://other.net/docs/"]["selected"] == 2
    assert seeds["missing.io"]["captures"] == 0
    assert summary["unmatched"] == ["missing.io"]
    assert summary["selected"] == 4


def test_select_cap_crawls_and_spill_splits_are_deterministic(corpus: Path) -> None:
    index = str(corpus / "cc" / "index")
    first = CrawlPaths(corpus / "a")
    select(corpus / "seeds.txt", index, first)
    # a tiny in-memory limit makes every spill file split again: same bytes
    second = CrawlPaths(corpus / "b")
    select(corpus / "seeds.txt", index, second, max_rows_in_memory=1, batch_rows=2)
    assert first.selection.read_bytes() == second.selection.read_bytes()

    capped = CrawlPaths(corpus / "c")
    select(corpus / "seeds.txt", index, capped, max_per_domain=1)
    rows = pq.read_table(capped.selection).to_pylist()
    assert sorted(r["domain"] for r in rows) == ["example.com", "other.net"]
    full = pq.read_table(first.selection).to_pylist()
    # the cap keeps each domain's first pages in URL-hash order (a uniform sample)
    assert [r["url"] for r in rows] == [
        next(f["url"] for f in full if f["domain"] == d) for d in [r["domain"] for r in rows]
    ]

    old_only = CrawlPaths(corpus / "d")
    select(corpus / "seeds.txt", index, old_only, crawls=[CRAWLS[0]])
    rows = pq.read_table(old_only.selection).to_pylist()
    assert {r["url"]: r["crawl"] for r in rows} == {
        "https://example.com/a": CRAWLS[0],
        "https://other.net/docs/intro": CRAWLS[0],
    }


def test_select_user_errors(corpus: Path) -> None:
    paths = CrawlPaths(corpus / "e")
    with pytest.raises(UserError, match="cannot open the columnar index"):
        select(corpus / "seeds.txt", str(corpus / "nope"), paths)
    (corpus / "bad.txt").write_text("http://[::1\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad.txt:1"):
        select(corpus / "bad.txt", str(corpus / "cc" / "index"), paths)


def test_select_reads_the_index_over_http_from_a_paths_listing(corpus: Path) -> None:
    """An http(s) index: Common Crawl's cc-index-table.paths.gz listing, files read with range requests."""
    cc = corpus / "cc"
    files = sorted(str(p.relative_to(cc)) for p in (cc / "index").rglob("*.parquet"))
    (cc / "cc-index-table.paths.gz").write_bytes(gzip.compress("".join(f"{f}\n" for f in files).encode()))
    local = CrawlPaths(corpus / "local")
    select(corpus / "seeds.txt", str(cc / "index"), local, crawls=[CRAWLS[1]])
    remote = CrawlPaths(corpus / "remote")
    with RangeServer(cc) as server:
        summary = select(
            corpus / "seeds.txt", server.url + "cc-index-table.paths.gz", remote, crawls=[CRAWLS[1]]
        )
    assert summary["selected"] == 3
    assert remote.selection.read_bytes() == local.selection.read_bytes()
