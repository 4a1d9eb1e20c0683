"""The fetch stage: each shard downloads ``records_per_shard`` selected records into one local WARC shard.

Records are fetched concurrently (``concurrency`` threads per worker) and written in selection order, so a
shard's bytes depend only on the selection and on which records could be fetched. The shard's manifest
(``fetch/part-N.parquet``: the selection rows plus ``status``, ``http_status``, ``reason`` and
``local_offset``, the record's offset in ``fetch/warc/part-N.warc.gz``) says what became of every record;
a record that failed every try is also an error record. Finished shards are never fetched again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from roots.atomic import atomic_open
from roots.crawl.config import FetchOptions
from roots.crawl.paths import CrawlPaths
from roots.crawl.ranges import Fetched, RangeClient
from roots.layout import RunLayout
from roots.stage import ShardOutput, ShardTask, Stage
from roots.stats import StageStats

FETCH_COLUMNS = [
    pa.field("status", pa.string()),
    pa.field("http_status", pa.int32()),
    pa.field("reason", pa.string()),
    pa.field("local_offset", pa.int64()),
]


def read_rows(paths: CrawlPaths, start: int, stop: int) -> pa.Table:
    """Selection rows ``start <= row < stop`` (row-group statistics skip the rest of the file)."""
    dataset = ds.dataset(str(paths.selection), format="parquet")
    return dataset.to_table(filter=(ds.field("row") >= start) & (ds.field("row") < stop))


class FetchStage(Stage):
    subdir = "fetch"

    def __init__(
        self,
        paths: CrawlPaths,
        options: FetchOptions,
        selected: int,
        per_shard: int,
        token: str,
        lang: str | None,
    ) -> None:
        self.paths, self.options, self.lang = paths, options, lang
        self.selected, self.per_shard, self.token = selected, per_shard, token

    @property
    def display_name(self) -> str:
        return "crawl fetch"

    def inputs(self, run: RunLayout) -> dict[str, Any]:
        # where and how fast records are fetched does not change their bytes: not part of the identity
        return {"selection": self.token, "records_per_shard": self.per_shard}

    def plan(self, run: RunLayout) -> list[ShardTask]:
        starts = range(0, self.selected, self.per_shard)
        return [
            ShardTask(i, {"start": s, "stop": min(s + self.per_shard, self.selected)})
            for i, s in enumerate(starts)
        ]

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        rows = read_rows(self.paths, task.payload["start"], task.payload["stop"])
        records = rows.select(
            ["url", "warc_filename", "warc_record_offset", "warc_record_length"]
        ).to_pylist()
        stats = StageStats()
        errors: list[dict[str, Any]] = []
        status: list[str] = []
        http: list[int | None] = []
        reasons: list[str | None] = []
        local: list[int | None] = []
        client = RangeClient(self.options)
        with atomic_open(self.paths.warc(task.index), "wb") as out:
            for record, fetched in zip(
                records, _in_order(client, records, self.options.concurrency), strict=True
            ):
                stats.add_in(self.lang, 0)
                http.append(fetched.status)
                if fetched.data is not None:
                    status.append("fetched")
                    reasons.append(None)
                    local.append(out.tell())
                    out.write(fetched.data)
                    stats.add_kept(self.lang, 0)
                    continue
                reason = fetched.reason or "fetch_failed"
                status.append("error")
                reasons.append(reason)
                local.append(None)
                stats.add_error(self.lang, reason)
                errors.append(_error_record(record, fetched))
        manifest = rows
        for field, values in zip(FETCH_COLUMNS, (status, http, reasons, local), strict=True):
            manifest = manifest.append_column(field, pa.array(values, field.type))
        return ShardOutput(tables={None: manifest}, errors=errors, stats=stats)


def _in_order(client: RangeClient, records: list[dict[str, Any]], concurrency: int) -> Iterator[Fetched]:
    """Fetch with ``concurrency`` threads, at most ``2 * concurrency`` records held, yielded in input order."""
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="roots-fetch") as pool:
        pending: deque[Future[Fetched]] = deque()
        todo = iter(records)
        for record in todo:
            pending.append(
                pool.submit(
                    client.fetch,
                    record["warc_filename"],
                    record["warc_record_offset"],
                    record["warc_record_length"],
                )
            )
            if len(pending) >= 2 * concurrency:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _error_record(record: dict[str, Any], fetched: Fetched) -> dict[str, Any]:
    return {
        "stage": "crawl fetch",
        "locator": f"{record['warc_filename']}@{record['warc_record_offset']}",
        "url": record["url"],
        "reason": fetched.reason or "fetch_failed",
        "http_status": fetched.status,
        "tries": fetched.tries,
        "detail": fetched.detail,
        "length": record["warc_record_length"],
    }
