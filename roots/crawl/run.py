"""Runs a crawl's steps in order on one executor: select, fetch, pages, menu, clean.

Each step is skipped when its output is complete for the same inputs, so re-running a command resumes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from roots.crawl.config import CrawlSource
from roots.crawl.paths import CrawlPaths
from roots.crawl.select import select
from roots.executors import Executor, run_stage

STEPS = ("select", "fetch", "pages", "menu", "clean")


def crawl_paths(config: CrawlSource, run_root: Path) -> CrawlPaths:
    return CrawlPaths(Path(config.dir) if config.dir else run_root / "crawl")


def run_select(config: CrawlSource, paths: CrawlPaths) -> dict[str, Any]:
    return select(
        Path(config.seeds),
        config.index,
        paths,
        crawls=config.crawls,
        max_per_domain=config.max_per_domain,
    )


def retry_fetch_errors(paths: CrawlPaths) -> int:
    """Forget finished fetch shards that have error records, so the next fetch tries them again."""
    fetch = paths.step("fetch")
    again = 0
    for part in fetch.parts():
        index = int(part.name.split("-")[1].split(".")[0])
        statuses = pq.read_table(part, columns=["status"])["status"].to_pylist()
        if "error" in statuses and fetch.marker(index).exists():
            fetch.marker(index).unlink()
            again += 1
    if again:
        fetch.stats.unlink(missing_ok=True)
    return again


def run_crawl(config: CrawlSource, run_root: Path, executor: Executor, until: str = "clean") -> CrawlPaths:
    """Run the crawl's steps up to and including ``until``; returns where its files are."""
    from roots.crawl.fetch import FetchStage

    paths = crawl_paths(config, run_root)
    summary = run_select(config, paths)
    if until == "select":
        return paths
    lang = config.lang
    fetch = FetchStage(
        paths, config, summary["selected"], config.records_per_shard, summary["fingerprint"], lang
    )
    run_stage(fetch, paths.run, executor)
    if until == "fetch":
        return paths
    from roots.crawl.clean import CleanStage
    from roots.crawl.menu import MenuStage
    from roots.crawl.pages import PagesStage

    pages = PagesStage(paths, config, _token(paths, "fetch"))
    run_stage(pages, paths.run, executor)
    if until == "pages":
        return paths
    menu = MenuStage(paths, config, _token(paths, "pages"))
    run_stage(menu, paths.run, executor)
    if until == "menu":
        return paths
    run_stage(CleanStage(paths, config, _token(paths, "menu")), paths.run, executor)
    return paths


def _token(paths: CrawlPaths, step: str) -> str:
    """Identity of a finished step: its ``stats.json`` (new upstream output redoes the next step)."""
    import xxhash

    return xxhash.xxh3_64_hexdigest(paths.step(step).stats.read_bytes())
