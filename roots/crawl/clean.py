"""The clean stage: each page loses its domain's menu lines; pages left with at most ``min_chars``
characters are removed (kept in ``clean/removed`` with the reason), as ROOTS cleaned its pseudo-crawl."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from roots.crawl.config import CrawlSource
from roots.crawl.pages import domain_site
from roots.crawl.paths import CrawlPaths
from roots.dedup.normalize import remove_lines
from roots.layout import RunLayout
from roots.schema import DOCUMENT_SCHEMA, dump_meta, extend_schema
from roots.stage import ShardOutput, ShardTask, Stage
from roots.stats import StageStats

REMOVED_SCHEMA = extend_schema(pa.field("drop_reason", pa.string()))


def menu_keys(paths: CrawlPaths) -> set[int]:
    """Every domain's menu lines (their keys include the domain, so one set serves all domains)."""
    keys: set[int] = set()
    for part in paths.step("menu").parts():
        keys.update(pq.read_table(part, columns=["line"])["line"].to_pylist())
    return keys


class CleanStage(Stage):
    subdir = "clean"

    def __init__(self, paths: CrawlPaths, config: CrawlSource, token: str) -> None:
        self.paths, self.config, self.token = paths, config, token

    @property
    def display_name(self) -> str:
        return "crawl clean"

    def inputs(self, run: RunLayout) -> dict[str, Any]:
        return {"menu": self.token, "min_chars": self.config.min_chars}

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return [ShardTask(i, {}) for i in range(len(self.paths.step("pages").parts()))]

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        docs = pq.read_table(self.paths.step("pages").part(task.index)).to_pylist()
        menu = menu_keys(self.paths)
        stats = StageStats()
        kept: list[dict[str, Any]] = []
        removed: list[dict[str, Any]] = []
        for doc in docs:
            stats.add_in(doc["lang"], len(doc["text"]))
            site = domain_site(doc["source"])
            text, count = remove_lines(doc["text"], site, 1, menu) if menu else (doc["text"], 0)
            text = text.strip()
            if len(text) <= self.config.min_chars:
                reason = "menu_lines_only" if count and not text else "short_document"
                stats.add_removed(doc["lang"], reason, len(doc["text"]))
                removed.append(doc | {"drop_reason": reason})
                continue
            meta = json.loads(doc["meta"]) | {"menu_lines_removed": count}
            stats.add_kept(doc["lang"], len(text))
            kept.append(doc | {"text": text, "meta": dump_meta(meta)})
        return ShardOutput(
            tables={
                "kept": pa.Table.from_pylist(kept, schema=DOCUMENT_SCHEMA),
                "removed": pa.Table.from_pylist(removed, schema=REMOVED_SCHEMA),
            },
            stats=stats,
        )
