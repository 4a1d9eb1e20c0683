"""The final documents of a run and how exports split them into shards.

The final documents are the surviving documents of the last finished document stage: ``dedup/kept/`` if
dedup ran, else ``filter/kept/``, else ``extract/``. Export shards are row ranges of those files (planning
reads only Parquet footers), so a shard never depends on the number of workers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from roots.errors import UserError
from roots.inputs import Upstream
from roots.layout import RunLayout
from roots.schema import lang_key
from roots.stage import ShardTask
from roots.storage import parquet_file

DOCUMENT_STAGES = ("extract", "filter", "dedup")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class FinalDocuments:
    """Where a run's final documents are: the stage they come from and its Parquet shards in order."""

    stage: str
    parts: list[Path]

    def upstream(self, task: ShardTask) -> Upstream:
        """The output shard of the documents' stage that an export shard reads."""
        return Upstream(self.stage, int(Path(task.payload["file"]).name.split("-")[1].split(".")[0]))


def final_documents(run: RunLayout) -> FinalDocuments:
    """The last finished document stage's surviving shards; a one-line error if the run has none."""
    for stage in reversed(DOCUMENT_STAGES):
        sdir = run.stage(stage)
        if sdir.stats.exists():
            sdir, kind = run.documents_dir(stage)
            return FinalDocuments(stage, sdir.parts(kind))
    raise UserError(
        f"{run.root}: no finished extract, filter or dedup stage; run `roots extract … --out {run.root}` first"
    )


def plan_row_ranges(parts: list[Path], rows_per_shard: int) -> list[ShardTask]:
    """Shards of at most ``rows_per_shard`` consecutive rows of one file (an empty file is one empty shard)."""
    tasks: list[ShardTask] = []
    for part in parts:
        rows = parquet_file(part).metadata.num_rows
        for start in range(0, max(rows, 1), rows_per_shard):
            tasks.append(
                ShardTask(
                    len(tasks), {"file": str(part), "start": start, "stop": min(start + rows_per_shard, rows)}
                )
            )
    return tasks


def read_shard(payload: dict[str, Any], columns: list[str]) -> pa.Table:
    """Rows ``[start, stop)`` of the shard's file, reading only the row groups that hold them."""
    handle = parquet_file(payload["file"])
    present = [c for c in columns if c in handle.schema_arrow.names]
    start, stop = payload["start"], payload["stop"]
    groups, first_row, offset = [], None, 0
    for group in range(handle.metadata.num_row_groups):
        size = handle.metadata.row_group(group).num_rows
        if offset < stop and offset + size > start:
            groups.append(group)
            first_row = offset if first_row is None else first_row
        offset += size
    if not groups:
        return handle.schema_arrow.empty_table().select(present)
    table = handle.read_row_groups(groups, columns=present)
    return table.slice(start - first_row, stop - start)


def safe_name(value: str) -> str:
    """A file-name-safe form of a language code or source label."""
    return _UNSAFE.sub("-", value).strip("-") or "unnamed"


def dataset_key(lang: str | None, source: str | None, per_source: bool) -> str:
    """The output dataset a document belongs to: its language (``und`` if none), optionally ``_<source>``."""
    key = safe_name(lang_key(lang))
    return f"{key}_{safe_name(source or 'unknown')}" if per_source else key
