"""The ``crawl`` source: runs the crawl's steps before the extract stage plans, then reads the cleaned pages.

Work units are the clean stage's shards. A unit yields the shard's kept pages as documents (``source`` =
the page's registered domain), its fetch and extraction failures as error records, and counts the pages
the clean stage removed as skipped (they are kept, with their reason, in ``crawl/clean/removed``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq
import xxhash

from roots.crawl.config import CrawlSource
from roots.crawl.paths import CrawlPaths
from roots.errors import UserError
from roots.layout import RunLayout
from roots.sources.base import ExtractError, Item, Skipped, Source

if TYPE_CHECKING:
    from roots.executors import Executor


class CrawlReader(Source):
    kind = "crawl"
    config: CrawlSource

    def prepare(self, run: RunLayout, executor: Executor) -> CrawlSource:
        from roots.crawl.run import run_crawl

        config = self.config
        if not config.dir:
            config = config.model_copy(update={"dir": str(run.root / "crawl")})
        paths = run_crawl(config, run.root, executor)
        token = xxhash.xxh3_64_hexdigest(paths.step("clean").stats.read_bytes())
        return config.model_copy(update={"prepared": token})

    @property
    def paths(self) -> CrawlPaths:
        if not (self.config.dir and self.config.prepared):
            raise UserError(
                "crawl source: its steps have not run; use `roots crawl extract RUN` or `roots run`"
            )
        return CrawlPaths(Path(self.config.dir))

    def units(self) -> list[dict[str, Any]]:
        return [{"shard": i} for i in range(len(self.paths.step("clean").parts("kept")))]

    def read(self, unit: dict[str, Any]) -> Iterator[Item]:
        paths, index = self.paths, unit["shard"]
        errors = paths.step("pages").shard_errors(index)
        for line in errors.read_text(encoding="utf-8").splitlines() if errors.exists() else []:
            error = json.loads(line)
            detail = f"{error['stage']}: {error['detail']} ({error['url']})"
            yield ExtractError(error["locator"], error["reason"], detail, self.config.lang)
        clean = paths.step("clean")
        for row in pq.read_table(clean.part(index, "removed"), columns=["drop_reason"]).to_pylist():
            yield Skipped(f"crawl_{row['drop_reason']}")
        yield from pq.read_table(clean.part(index, "kept")).to_pylist()
