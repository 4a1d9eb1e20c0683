"""Steps 4 and 5, per input shard: attach both documents' signatures to each candidate edge and verify it.

Edges arrive at the shard of their first document (step 4 adds its signature and details, removes
repeated edges keeping the strongest reason) and move on to the shard of the second (step 5 adds that
signature and estimates the Jaccard similarity). Each task loads one shard's signatures only.
Near-duplicate candidates below the threshold are dropped when ``minhash.verify`` is on. Step 5 writes
the graph edges for connected components, each node's details, and the near-duplicate pairs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa

from roots.dedup.buckets import BucketStep, group_starts
from roots.dedup.minhash import similarity
from roots.dedup.plan import DedupPlan, DedupStep, tasks
from roots.dedup.signatures import SignatureStep
from roots.dedup.tables import (
    CC_EDGES,
    DOCS,
    EDGES,
    HALF_EDGES,
    INFO,
    INFO_FIELDS,
    NEAR,
    PAIRS,
    count_rows,
    hash_partition,
    kind,
    read_parts,
    ref_row,
    ref_shard,
    sig_matrix,
    split,
    u64,
)
from roots.layout import RunLayout, shard_name
from roots.stage import ShardOutput, ShardTask

INFO_NAMES = [name for name, _ in INFO_FIELDS]


def shard_docs(run: RunLayout, shard: int) -> pa.Table:
    return read_parts(run, SignatureStep.subdir, "docs", [shard], DOCS)


def lookup(docs: pa.Table, refs: np.ndarray) -> pa.Table:
    """The docs rows of ``refs`` (all in this docs table's shard)."""
    positions = np.searchsorted(np.asarray(docs.column("row")), ref_row(refs))
    return docs.take(pa.array(positions, type=pa.int64()))


class PairsFirstStep(DedupStep):
    subdir = "dedup/_pairs_a"

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return tasks(self.dplan.shards)

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        partitions = range(self.dplan.key_partitions)
        edges = read_parts(run, BucketStep.subdir, kind("to", task.index), partitions, EDGES)
        a, b = u64(edges, "a"), u64(edges, "b")
        reason = np.asarray(edges.column("reason")).astype(np.uint8)
        order = np.lexsort((reason, b, a))
        a, b, reason = a[order], b[order], reason[order]
        first = group_starts(a, b)  # the same pair from several keys: keep the strongest reason
        a, b, reason = a[first], b[first], reason[first]
        docs = lookup(shard_docs(run, task.index), a)
        columns: dict[str, Any] = {"a": a, "b": b, "reason": reason, "sig_a": docs.column("sig")}
        columns.update({f"a_{name}": docs.column(name) for name in INFO_NAMES})
        table = pa.table(columns, schema=HALF_EDGES)
        return ShardOutput(tables=split(table, ref_shard(b), self.dplan.shards, "to"))


def cc_partitions(run: RunLayout, dplan: DedupPlan) -> int:
    """Partitions of the connected-components steps: about ``max_items_in_memory`` directed edges each."""
    base = run.root / PairsFirstStep.subdir
    edges = count_rows(
        base / kind("to", s) / shard_name(t) for s in range(dplan.shards) for t in range(dplan.shards)
    )
    return max(1, math.ceil(2 * edges / dplan.config.max_items_in_memory))


class PairsSecondStep(DedupStep):
    subdir = "dedup/_pairs_b"

    def __init__(self, dplan: DedupPlan, partitions: int) -> None:
        super().__init__(dplan)
        self.partitions = partitions

    def extra_config(self) -> dict[str, Any]:
        return {"partitions": self.partitions}

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return tasks(self.dplan.shards)

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        minhash = self.dplan.config.minhash
        half = read_parts(
            run, PairsFirstStep.subdir, kind("to", task.index), range(self.dplan.shards), HALF_EDGES
        )
        half = half.take(pa.array(np.lexsort((u64(half, "b"), u64(half, "a"))), type=pa.int64()))
        a, b = u64(half, "a"), u64(half, "b")
        reason = np.asarray(half.column("reason")).astype(np.uint8)
        docs_b = lookup(shard_docs(run, task.index), b)
        sig_a, sig_b = half.column("sig_a"), docs_b.column("sig")
        both = np.asarray(
            sig_a.is_valid().to_numpy(zero_copy_only=False) & sig_b.is_valid().to_numpy(zero_copy_only=False),
            dtype=bool,
        )
        sim = np.full(len(a), np.nan)
        if both.any():
            sim[both] = similarity(
                sig_matrix(sig_a.filter(pa.array(both)), minhash.num_perm),
                sig_matrix(sig_b.filter(pa.array(both)), minhash.num_perm),
            )
        near = reason == NEAR
        keep = ~near | ~np.array(minhash.verify) | (sim >= minhash.threshold)
        a, b, sim, near = a[keep], b[keep], sim[keep], near[keep]
        half, docs_b = half.filter(pa.array(keep)), docs_b.filter(pa.array(keep))

        out: dict[str | None, pa.Table] = {}
        cc = pa.table({"u": np.concatenate([a, b]), "v": np.concatenate([b, a])}, schema=CC_EDGES)
        out.update(split(cc, hash_partition(u64(cc, "u"), self.partitions), self.partitions, "cc"))
        info_a = {"node": a, **{name: half.column(f"a_{name}") for name in INFO_NAMES}}
        info_b = {"node": b, **{name: docs_b.column(name) for name in INFO_NAMES}}
        info = pa.concat_tables([pa.table(info_a, schema=INFO), pa.table(info_b, schema=INFO)])
        out.update(split(info, hash_partition(u64(info, "node"), self.partitions), self.partitions, "info"))
        near_rows = pa.array(near)
        out["pairs"] = pa.table(
            {
                "a": a[near],
                "b": b[near],
                "id_a": half.column("a_id").filter(near_rows),
                "id_b": docs_b.column("id").filter(near_rows),
                "similarity": sim[near],
                "lang": half.column("a_lang").filter(near_rows),
            },
            schema=PAIRS,
        )
        rejected = int((~keep).sum())
        stats = ShardOutput().stats
        if rejected:
            stats.add_skipped("candidates_below_threshold", rejected)
        return ShardOutput(tables=out, stats=stats)
