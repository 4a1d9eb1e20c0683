"""The menu stage: per domain, the lines seen on more than max(menu_min_pages, menu_page_fraction x sample
pages) pages of its sample (ROOTS: max(10, 1 %) over up to 10,000 pages). One task per group of domains
reads that group's partition of every pages shard, so no task holds more than a few domains' samples."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from roots.crawl.config import CrawlSource
from roots.crawl.pages import LINES, menu_groups
from roots.crawl.paths import CrawlPaths
from roots.dedup.buckets import group_starts
from roots.layout import RunLayout
from roots.partitioned import read_partition
from roots.stage import ShardOutput, ShardTask, Stage

MENU = pa.schema([("domain", pa.string()), ("line", pa.uint64())])
REPORT = pa.schema(
    [
        ("domain", pa.string()),
        ("sample_pages", pa.int64()),
        ("threshold", pa.float64()),
        ("menu_lines", pa.int64()),
    ]
)


class MenuStage(Stage):
    subdir = "menu"

    def __init__(self, paths: CrawlPaths, config: CrawlSource, token: str) -> None:
        self.paths, self.config, self.token = paths, config, token

    @property
    def display_name(self) -> str:
        return "crawl menu"

    def check_balance(self) -> bool:
        return False  # counts lines, not documents

    def inputs(self, run: RunLayout) -> dict[str, Any]:
        keys = {"menu_min_pages", "menu_page_fraction"}
        return {"pages": self.token, **self.config.model_dump(mode="json", include=keys)}

    def plan(self, run: RunLayout) -> list[ShardTask]:
        domains = pq.read_metadata(self.paths.domains).num_rows
        return [ShardTask(g, {}) for g in range(menu_groups(domains))]

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        parts = sorted((self.paths.root / "pages" / "lines").glob("part-*.arrows"))
        found = [t for p in parts if (t := read_partition(p, task.index)) is not None]
        table = pa.concat_tables(found) if found else LINES.empty_table()
        names = pq.read_table(self.paths.domains, columns=["domain"])["domain"].to_pylist()
        domain = table["domain_id"].to_numpy().astype(np.int64)
        line = table["line"].to_numpy()
        page = table["page"].to_numpy(zero_copy_only=False)
        sample = np.bincount(domain[page], minlength=len(names))
        domain, line = domain[~page], line[~page]
        order = np.lexsort((line, domain))
        domain, line = domain[order], line[order]
        starts = np.flatnonzero(group_starts(domain, line))
        counts = np.diff(np.append(starts, len(line)))
        domain, line = domain[starts], line[starts]
        threshold = np.maximum(self.config.menu_min_pages, self.config.menu_page_fraction * sample)
        menu = counts > threshold[domain]
        menu_domains = [names[d] for d in domain[menu]]
        present = sorted(set(np.flatnonzero(sample).tolist()))
        per_domain = np.bincount(domain[menu], minlength=len(names))
        report = pa.table(
            {
                "domain": [names[d] for d in present],
                "sample_pages": [int(sample[d]) for d in present],
                "threshold": [float(threshold[d]) for d in present],
                "menu_lines": [int(per_domain[d]) for d in present],
            },
            schema=REPORT,
        )
        lines = pa.table({"domain": menu_domains, "line": pa.array(line[menu], pa.uint64())}, schema=MENU)
        return ShardOutput(tables={None: lines, "report": report})
