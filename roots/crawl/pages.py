"""The pages stage: the text of each fetched WARC shard, one document per page labelled by its domain.

The shard is read by the WARC source (same extractor, decoding and sandbox as ``roots extract warc``).
Each page becomes a document whose ``source`` is its registered domain and whose locator is its place in
Common Crawl (``warc_filename@offset``), so ids do not depend on how the fetch was sharded. Records that
could not be fetched or extracted are error records. Pages in their domain's menu sample (the first
``menu_sample_pages`` of the domain in selection order) also send their distinct lines to the menu step,
partitioned by domain group.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from roots.crawl.config import CrawlSource
from roots.crawl.paths import CrawlPaths
from roots.dedup.normalize import line_keys
from roots.layout import RunLayout
from roots.partitioned import partitioned
from roots.schema import documents_to_table, make_document
from roots.sources.base import ExtractError, Skipped
from roots.stage import ShardOutput, ShardTask, Stage
from roots.stats import StageStats

DOMAINS_PER_GROUP = 4
LINES = pa.schema([("domain_id", pa.int32()), ("line", pa.uint64()), ("page", pa.bool_())])


def domain_site(domain: str) -> str:
    """The group menu lines are counted in (mixed into each line's hash)."""
    return f"domain:{domain}"


def domain_ids(paths: CrawlPaths) -> dict[str, int]:
    table = pq.read_table(paths.domains, columns=["domain", "domain_id"])
    return dict(zip(table["domain"].to_pylist(), table["domain_id"].to_pylist(), strict=True))


def menu_groups(domains: int) -> int:
    return -(-domains // DOMAINS_PER_GROUP)


class PagesStage(Stage):
    subdir = "pages"

    def __init__(self, paths: CrawlPaths, config: CrawlSource, token: str) -> None:
        self.paths, self.config, self.token = paths, config, token

    @property
    def display_name(self) -> str:
        return "crawl pages"

    def inputs(self, run: RunLayout) -> dict[str, Any]:
        keys = {"extractor", "timeout_per_page", "menu_sample_pages", "lang", "max_document_bytes"}
        return {"fetch": self.token, **self.config.model_dump(mode="json", include=keys)}

    def plan(self, run: RunLayout) -> list[ShardTask]:
        shards = len(self.paths.step("fetch").parts())
        return [ShardTask(i, {}) for i in range(shards)]

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        manifest = pq.read_table(self.paths.step("fetch").part(task.index)).to_pylist()
        lang = self.config.lang
        stats = StageStats()
        errors = [_fetch_error(row) for row in manifest if row["status"] != "fetched"]
        for error in errors:
            stats.add_in(lang, 0)
            stats.add_error(lang, error["reason"])
        by_offset = {row["local_offset"]: row for row in manifest if row["status"] == "fetched"}
        ids = domain_ids(self.paths)
        docs: list[dict[str, Any]] = []
        lines: dict[str, list[Any]] = {"domain_id": [], "line": [], "page": []}
        for item in self._items(task.index):
            if isinstance(item, Skipped):
                stats.add_skipped(item.reason)
                continue
            if isinstance(item, ExtractError):
                stats.add_in(lang, 0)
                stats.add_error(lang, item.reason)
                row = by_offset.get(_local_offset(item.locator))
                if row is None:  # not at a record start (e.g. the shard could not be read at all)
                    name, offset = self.paths.warc(task.index).name, _local_offset(item.locator)
                    row = {"warc_filename": f"fetch/warc/{name}", "warc_record_offset": offset}
                    row |= {"url": None, "domain": None, "http_status": None}
                errors.append(_error(row, item.reason, item.detail, "crawl pages"))
                continue
            meta = json.loads(item["meta"])
            row = by_offset[meta["offset"]]
            doc = _document(item, meta, row, lang)
            stats.add_in(lang, len(doc["text"]))
            stats.add_kept(lang, len(doc["text"]))
            docs.append(doc)
            if row["domain_rank"] < self.config.menu_sample_pages:
                keys = line_keys(doc["text"], domain_site(row["domain"]), 1)
                domain = ids[row["domain"]]
                lines["domain_id"] += [domain] * (len(keys) + 1)
                lines["line"] += [0, *keys]
                lines["page"] += [True] + [False] * len(keys)
        table = pa.table(lines, schema=LINES)
        group = table["domain_id"].to_numpy() // DOMAINS_PER_GROUP
        return ShardOutput(
            tables={
                None: documents_to_table(docs),
                "lines": partitioned(table, group, menu_groups(len(ids))),
            },
            errors=errors,
            stats=stats,
        )

    def _items(self, index: int):  # type: ignore[no-untyped-def]
        from roots.sources.config import WarcSource
        from roots.sources.warc import WarcReader

        source = WarcReader(
            WarcSource.model_validate(
                {
                    "type": "warc",
                    "paths": [str(self.paths.warc(index))],
                    "extractor": self.config.extractor,
                    "timeout_seconds": self.config.timeout_per_page,
                    "bytes_per_shard": 1 << 62,
                    "max_document_bytes": self.config.max_document_bytes,
                    "lang": self.config.lang,
                }
            )
        )
        for unit in source.units():
            yield from source.read(unit)


def _local_offset(locator: str) -> int:
    """The member offset in a WARC-source locator ``FILE@<offset>`` (or ``@<member>+<inner>``)."""
    return int(locator.rsplit("@", 1)[1].split("+", 1)[0])


def _document(
    item: dict[str, Any], meta: dict[str, Any], row: dict[str, Any], lang: str | None
) -> dict[str, Any]:
    meta = {k: v for k, v in meta.items() if k not in ("file", "offset")}
    meta |= {
        "crawl": row["crawl"],
        "domain": row["domain"],
        "fetch_time": str(row["fetch_time"]),
        "warc_filename": row["warc_filename"],
        "warc_record_offset": row["warc_record_offset"],
        "content_languages": row["content_languages"],
    }
    return make_document(
        source=row["domain"],
        locator=f"{row['warc_filename']}@{row['warc_record_offset']}",
        text=item["text"],
        url=item["url"] or row["url"],
        lang=lang,
        meta=meta,
    )


def _error(row: dict[str, Any], reason: str, detail: str, stage: str) -> dict[str, Any]:
    return {
        "stage": stage,
        "locator": f"{row['warc_filename']}@{row['warc_record_offset']}",
        "url": row["url"],
        "domain": row["domain"],
        "reason": reason,
        "detail": detail,
        "http_status": row["http_status"],
    }


def _fetch_error(row: dict[str, Any]) -> dict[str, Any]:
    return _error(row, row["reason"], f"not fetched (HTTP status {row['http_status']})", "crawl fetch")
