"""Pseudo-crawl end to end: select -> fetch -> pages -> per-domain menu removal -> RUN/extract (source = domain),
from the command line and from a pipeline YAML, and a fetch killed with SIGKILL that resumes byte-identically."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

from roots.cli import main as roots_main
from tests.conftest import REPO, tree_bytes
from tests.crawl_fixtures import Capture, Faults, RangeServer, write_corpus

EXTRACTOR = "tests.crawl_fixtures:paragraphs_extractor"
MENU = "Home | World | Sport | Contact"
ELEVEN = "Subscribe to our newsletter today"
TEN = "A line seen on exactly ten pages"


def menu_captures() -> list[Capture]:
    """paper.co.uk: 30 articles under a menu line, a line on 11 pages and one on 10, two menu-only pages and a
    short page; other.org: 5 pages whose first line is paper.co.uk's menu line (rare there: kept)."""
    out = []
    for i in range(30):
        lines = [MENU, *([ELEVEN] if i < 11 else []), *([TEN] if 11 <= i < 21 else [])]
        lines.append(f"Article {i} tells a long and unique story about topic number {i}.")
        out.append(
            Capture(
                f"https://www.paper.co.uk/a/{i}",
                f"uk,co,paper)/a/{i}",
                "paper.co.uk",
                "CC-MAIN-2021-04",
                "\n".join(lines),
            )
        )
    for i in range(2):
        out.append(
            Capture(
                f"https://paper.co.uk/menu/{i}",
                f"uk,co,paper)/menu/{i}",
                "paper.co.uk",
                "CC-MAIN-2021-04",
                f"{MENU}\n{ELEVEN}" if i else MENU,
            )
        )
    out.append(
        Capture(
            "https://paper.co.uk/short",
            "uk,co,paper)/short",
            "paper.co.uk",
            "CC-MAIN-2021-04",
            f"{MENU}\nShort.",
        )
    )
    for i in range(5):
        text = f"{MENU}\nThe other site has its own long page number {i} here."
        out.append(
            Capture(f"https://other.org/p/{i}", f"org,other)/p/{i}", "other.org", "CC-MAIN-2021-04", text)
        )
    return out


def roots(*args: str) -> None:
    status = roots_main([*map(str, args)])
    assert status == 0, f"roots {' '.join(map(str, args))} exited with {status}"


def documents(run: Path) -> list[dict[str, Any]]:
    out = []
    for part in sorted((run / "extract").glob("part-*.parquet")):
        out += [row | {"meta": json.loads(row["meta"])} for row in pq.read_table(part).to_pylist()]
    return out


@pytest.fixture
def menu_corpus(tmp_path: Path) -> Path:
    write_corpus(tmp_path / "cc", menu_captures())
    (tmp_path / "seeds.txt").write_text("paper.co.uk\nother.org\n", encoding="utf-8")
    return tmp_path


def test_crawl_commands_remove_menu_lines_per_domain(menu_corpus: Path) -> None:
    root, run = menu_corpus, menu_corpus / "run"
    with RangeServer(root / "cc" / "data") as server:
        roots("crawl", "select", root / "seeds.txt", "--index", root / "cc" / "index", "--out", run)
        roots("crawl", "fetch", run, "--base-url", server.url, "--records-per-shard", "8", "--workers", "2")
        roots("crawl", "extract", run, "--extractor", EXTRACTOR, "--workers", "2")
    docs = documents(run)
    paper = [d for d in docs if d["source"] == "paper.co.uk"]
    other = [d for d in docs if d["source"] == "other.org"]
    assert len(paper) == 30 and len(other) == 5
    for doc in paper:
        lines = doc["text"].split("\n")
        assert MENU not in lines and ELEVEN not in lines  # on 33 and 12 of 33 pages: more than max(10, 1 %)
        assert doc["meta"]["menu_lines_removed"] >= 1
    assert sum(TEN in d["text"].split("\n") for d in paper) == 10  # on exactly 10 pages: kept
    assert all(d["text"].startswith(MENU) for d in other)  # the same line is rare on other.org
    assert {d["meta"]["domain"] for d in docs} == {"paper.co.uk", "other.org"}
    assert all(d["meta"]["warc_filename"].startswith("crawl-data/") for d in docs)
    removed = pq.read_table(run / "crawl" / "clean" / "removed").to_pylist()
    assert sorted((r["url"], r["drop_reason"]) for r in removed) == [
        ("https://paper.co.uk/menu/0", "menu_lines_only"),
        ("https://paper.co.uk/menu/1", "menu_lines_only"),
        ("https://paper.co.uk/short", "short_document"),
    ]
    stats = json.loads((run / "extract" / "stats.json").read_text())
    assert stats["skipped"] == {"crawl_menu_lines_only": 2, "crawl_short_document": 1}
    assert stats["totals"]["kept"]["docs"] == 35 and stats["balanced"]
    report = pq.read_table(run / "crawl" / "menu" / "report").to_pylist()
    assert {r["domain"]: (r["sample_pages"], r["menu_lines"]) for r in report} == {
        "paper.co.uk": (33, 2),
        "other.org": (5, 0),
    }
    # each domain is a source: the export writes one Megatron dataset per language and domain
    roots("tokenizer", "train", run, "--vocab-size", "400", "--out", root / "tokenizer")
    roots("export", "megatron", run, "--tokenizer", root / "tokenizer", "--per-source", "--workers", "1")
    datasets = sorted(p.name for p in (run / "export").glob("*.idx"))
    assert len(datasets) == 2 and any("paper" in n for n in datasets) and any("other" in n for n in datasets)


def test_crawl_source_in_a_pipeline_yaml_with_fetch_errors(menu_corpus: Path) -> None:
    root = menu_corpus
    write_corpus(root / "cc", captures := menu_captures())
    broken = next(c for c in captures if c.url.endswith("/a/3"))
    faults = Faults(always={(broken.filename, broken.offset): "500"})
    with RangeServer(root / "cc" / "data", faults) as server:
        pipeline = {
            "run_dir": "run",
            "workers": 2,
            "sources": [
                {
                    "type": "crawl",
                    "seeds": "seeds.txt",
                    "index": "cc/index",
                    "base_url": server.url,
                    "extractor": EXTRACTOR,
                    "tries": 2,
                    "backoff_seconds": 0.01,
                    "records_per_shard": 10,
                }
            ],
            "filter": None,
            "dedup": None,
        }
        (root / "pipeline.yaml").write_text(yaml.safe_dump(pipeline), encoding="utf-8")
        roots("run", root / "pipeline.yaml")
    docs = documents(root / "run")
    assert len(docs) == 34 and broken.url not in {d["url"] for d in docs}
    errors = [
        json.loads(line) for line in (root / "run" / "extract" / "errors.jsonl").read_text().splitlines()
    ]
    assert [(e["locator"], e["reason"]) for e in errors] == [
        (f"{broken.filename}@{broken.offset}", "http_500")
    ]
    stats = json.loads((root / "run" / "extract" / "stats.json").read_text())
    assert stats["totals"]["in"]["docs"] == 35 and stats["totals"]["errors_total"]["docs"] == 1


def test_fetch_killed_with_sigkill_resumes_byte_identically(menu_corpus: Path) -> None:
    root = menu_corpus
    with RangeServer(root / "cc" / "data", Faults(delay=0.15)) as server:
        for run in ("killed", "clean"):
            roots(
                "crawl", "select", root / "seeds.txt", "--index", root / "cc" / "index", "--out", root / run
            )
        args = ["crawl", "fetch", "--base-url", server.url, "--records-per-shard", "2", "--concurrency", "1"]
        env = {**os.environ, "ROOTS_PROGRESS": "0", "PYTHONPATH": str(REPO)}
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "roots",
                args[0],
                args[1],
                str(root / "killed"),
                *args[2:],
                "--workers",
                "1",
            ],
            cwd=REPO,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        done = root / "killed" / "crawl" / "fetch" / "_done"
        deadline = time.monotonic() + 120
        while len(list(done.glob("*.json"))) < 3 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        finished = len(list(done.glob("*.json")))
        assert 3 <= finished < 19, "the fetch was not killed in the middle"
        first_requests = sum(server.requests.values())
        roots("crawl", args[1], root / "killed", *args[2:], "--workers", "2")
        refetched = sum(server.requests.values()) - first_requests
        roots("crawl", args[1], root / "clean", *args[2:], "--workers", "1")
    assert refetched <= 38 - 2 * finished  # finished shards were not downloaded again
    assert tree_bytes(root / "killed" / "crawl") == tree_bytes(root / "clean" / "crawl")


def test_crawl_user_errors_are_one_line(menu_corpus: Path) -> None:
    root = menu_corpus
    from tests.conftest import run_roots

    done = run_roots(
        "crawl",
        "select",
        str(root / "nope.txt"),
        "--index",
        str(root / "cc" / "index"),
        "--out",
        str(root / "r"),
    )
    assert (
        done.returncode == 2
        and done.stderr.count("\n") == 1
        and "nope.txt: seed file not found" in done.stderr
    )
    done = run_roots(
        "crawl", "select", str(root / "seeds.txt"), "--index", str(root / "none"), "--out", str(root / "r")
    )
    assert done.returncode == 2 and "cannot open the columnar index" in done.stderr
    done = run_roots("crawl", "fetch", str(root / "never"))
    assert done.returncode == 2 and "run directory not found" in done.stderr
    roots("crawl", "select", root / "seeds.txt", "--index", root / "cc" / "index", "--out", root / "r")
    done = run_roots("crawl", "fetch", str(root / "r"), "--base-url", "ftp://x/")
    assert done.returncode == 2 and "base_url" in done.stderr and "Traceback" not in done.stderr


def test_menu_lines_are_counted_on_the_domain_sample_only(menu_corpus: Path) -> None:
    """With a 12-page sample, paper.co.uk's threshold is max(10, 0.12) = 10: its menu line (on every page) is still
    removed, but the newsletter line (12 of 33 pages, so far fewer in the sample) no longer is."""
    from roots.crawl.config import CrawlSource
    from roots.crawl.run import run_crawl
    from roots.executors import LocalExecutor

    root = menu_corpus
    with RangeServer(root / "cc" / "data") as server, LocalExecutor(2) as executor:
        config = CrawlSource.model_validate(
            {
                "type": "crawl",
                "seeds": str(root / "seeds.txt"),
                "index": str(root / "cc" / "index"),
                "base_url": server.url,
                "extractor": EXTRACTOR,
                "menu_sample_pages": 12,
                "records_per_shard": 10,
            }
        )
        paths = run_crawl(config, root / "run", executor)
    selection = pq.read_table(paths.selection).to_pylist()
    sampled = {r["url"] for r in selection if r["domain"] == "paper.co.uk" and r["domain_rank"] < 12}
    report = {r["domain"]: r for r in pq.read_table(paths.root / "menu" / "report").to_pylist()}
    assert report["paper.co.uk"]["sample_pages"] == len(sampled) == 12
    assert report["paper.co.uk"]["threshold"] == 10
    in_sample = sum(ELEVEN in c.text.split("\n") for c in menu_captures() if c.url in sampled)
    kept = pq.read_table(paths.root / "clean" / "kept").to_pylist()
    assert all(MENU not in d["text"].split("\n") for d in kept if d["source"] == "paper.co.uk")
    has_eleven = sum(ELEVEN in d["text"].split("\n") for d in kept)
    assert (has_eleven == 0) == (in_sample > 10)
