"""Steps 2 and 3, per key partition: template lines, and candidate edges from equal keys.

Each task reads one partition of every input shard's keys (about ``max_items_in_memory`` rows), so
no task holds all keys. In a group of equal keys every member is linked to the group's first member
(smallest ref), a star: as many edges as members, whatever the group size.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from roots.dedup.plan import DedupStep, tasks
from roots.dedup.signatures import SignatureStep
from roots.dedup.tables import EDGES, KEYS, LINES, TEMPLATES, read_parts, ref_shard, u64
from roots.layout import RunLayout
from roots.partitioned import partitioned
from roots.stage import ShardOutput, ShardTask


def group_starts(*columns: np.ndarray) -> np.ndarray:
    """For rows sorted by ``columns``: True where a new group of equal values begins."""
    n = len(columns[0])
    start = np.zeros(n, dtype=bool)
    if n:
        start[0] = True
        for column in columns:
            start[1:] |= column[1:] != column[:-1]
    return start


class LineStep(DedupStep):
    """Counts in how many distinct documents of a site each long line occurs; keeps the templates."""

    subdir = "dedup/_lines"

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return tasks(self.dplan.key_partitions)

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        table = read_parts(
            run, SignatureStep.subdir, "lines", range(self.dplan.shards), LINES, partition=task.index
        )
        line, doc = u64(table, "line"), u64(table, "doc")
        order = np.lexsort((doc, line))
        line, doc = line[order], doc[order]
        distinct = group_starts(line, doc)
        line = line[distinct]
        starts = np.flatnonzero(group_starts(line))
        counts = np.diff(np.append(starts, len(line)))
        templates = line[starts][counts >= self.dplan.config.repeated_lines.min_documents]
        return ShardOutput(tables={"templates": pa.table({"line": templates}, schema=TEMPLATES)})


class BucketStep(DedupStep):
    """Groups equal exact, URL and band keys and emits (member, first member, reason) edges by member shard."""

    subdir = "dedup/_buckets"

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return tasks(self.dplan.key_partitions)

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        table = read_parts(
            run, SignatureStep.subdir, "keys", range(self.dplan.shards), KEYS, partition=task.index
        )
        k1, k2, ref = u64(table, "k1"), u64(table, "k2"), u64(table, "ref")
        reason = np.asarray(table.column("kind")).astype(np.uint8)
        order = np.lexsort((ref, reason, k2, k1))
        k1, k2, reason, ref = k1[order], k2[order], reason[order], ref[order]
        starts = group_starts(k1, k2, reason)
        first = ref[np.maximum.accumulate(np.where(starts, np.arange(len(ref)), 0))] if len(ref) else ref
        member = ~starts & (ref != first)
        edges = pa.table({"a": ref[member], "b": first[member], "reason": reason[member]}, schema=EDGES)
        shards = self.dplan.shards
        return ShardOutput(tables={"to": partitioned(edges, ref_shard(u64(edges, "a")), shards)})
