"""Steps 4 and 5, per input shard: attach both documents' sketches to each candidate edge and verify it.

Edges arrive at the shard of their first document (step 4 adds its details and its shingle set, or
its signature, and removes repeated edges keeping the strongest reason) and move on to the shard of
the second (step 5 adds that document's and computes their Jaccard similarity: exact from the shingle
sets with ``minhash.verify: exact``, else estimated from the signatures). Each task loads one shard's
details, and only the shingle sets of that shard's candidates. Near-duplicate candidates below the
threshold are dropped unless ``minhash.verify`` is ``none``. Step 5 writes the graph edges for
connected components, each node's details, and the near-duplicate pairs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa

from roots.dedup.buckets import BucketStep, group_starts
from roots.dedup.jaccard import exact_jaccard, read_shingle_sets
from roots.dedup.minhash import similarity
from roots.dedup.plan import DedupPlan, DedupStep, PartitionedStep, tasks
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
    blob_column,
    blob_values,
    hash_partition,
    read_parts,
    ref_row,
    ref_shard,
    sig_matrix,
    u64,
)
from roots.layout import RunLayout, shard_name
from roots.partitioned import SUFFIX as PARTITIONED_SUFFIX
from roots.partitioned import PartitionedTable, partition_rows, partitioned
from roots.stage import ShardOutput, ShardTask

INFO_NAMES = [name for name, _ in INFO_FIELDS]


def shard_docs(run: RunLayout, shard: int) -> pa.Table:
    return read_parts(run, SignatureStep.subdir, "docs", [shard], DOCS)


def lookup(docs: pa.Table, refs: np.ndarray) -> pa.Table:
    """The docs rows of ``refs`` (all in this docs table's shard)."""
    positions = np.searchsorted(np.asarray(docs.column("row")), ref_row(refs))
    return docs.take(pa.array(positions, type=pa.int64()))


def shingle_sets_of(
    run: RunLayout, shard: int, refs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shingle sets of the documents ``refs`` (of one shard): values, offsets, and each ref's set index."""
    unique = np.unique(refs)
    values, offsets = read_shingle_sets(run, shard, ref_row(unique))
    return values, offsets, np.searchsorted(unique, refs)


class PairsFirstStep(DedupStep):
    subdir = "dedup/_pairs_a"

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return tasks(self.dplan.shards)

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        partitions = range(self.dplan.key_partitions)
        edges = read_parts(run, BucketStep.subdir, "to", partitions, EDGES, partition=task.index)
        a, b = u64(edges, "a"), u64(edges, "b")
        reason = np.asarray(edges.column("reason")).astype(np.uint8)
        order = np.lexsort((reason, b, a))
        a, b, reason = a[order], b[order], reason[order]
        first = group_starts(a, b)  # the same pair from several keys: keep the strongest reason
        a, b, reason = a[first], b[first], reason[first]
        docs = lookup(shard_docs(run, task.index), a)
        columns: dict[str, Any] = {"a": a, "b": b, "reason": reason, "sig_a": docs.column("sig")}
        columns["shingles_a"] = self._shingles(run, task.index, a, reason == NEAR)
        columns.update({f"a_{name}": docs.column(name) for name in INFO_NAMES})
        table = pa.table(columns, schema=HALF_EDGES)
        return ShardOutput(tables={"to": partitioned(table, ref_shard(b), self.dplan.shards)})

    def _shingles(self, run: RunLayout, shard: int, a: np.ndarray, near: np.ndarray) -> pa.Array:
        """The shingle set of ``a`` on every near-duplicate candidate edge (null elsewhere, or if not needed)."""
        if not self.dplan.exact_verify or not near.any():
            return pa.nulls(len(a), pa.large_binary())
        values, offsets, index = shingle_sets_of(run, shard, a[near])
        edge_index = np.zeros(len(a), dtype=np.int64)
        edge_index[near] = index
        return blob_column(values, offsets).take(pa.array(edge_index, mask=~near))


def cc_partitions(run: RunLayout, dplan: DedupPlan) -> int:
    """Partitions of the connected-components steps: about ``max_items_in_memory`` directed edges each."""
    base = run.root / PairsFirstStep.subdir / "to"
    edges = sum(
        int(partition_rows(base / shard_name(t, PARTITIONED_SUFFIX)).sum()) for t in range(dplan.shards)
    )
    return max(1, math.ceil(2 * edges / dplan.config.max_items_in_memory))


class PairsSecondStep(PartitionedStep):
    """One task per input shard; ``partitions`` is how many connected-components partitions it writes."""

    subdir = "dedup/_pairs_b"

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return tasks(self.dplan.shards)

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        minhash = self.dplan.config.minhash
        half = read_parts(
            run, PairsFirstStep.subdir, "to", range(self.dplan.shards), HALF_EDGES, partition=task.index
        )
        half = half.take(pa.array(np.lexsort((u64(half, "b"), u64(half, "a"))), type=pa.int64()))
        a, b = u64(half, "a"), u64(half, "b")
        reason = np.asarray(half.column("reason")).astype(np.uint8)
        docs_b = lookup(shard_docs(run, task.index), b)
        near = reason == NEAR
        if self.dplan.exact_verify:
            sim = self._exact(run, task.index, half, b, near)
        else:
            sim = self._estimated(half.column("sig_a"), docs_b.column("sig"))
        keep = ~near | (minhash.verify == "none") | (sim >= minhash.threshold)
        a, b, sim, near = a[keep], b[keep], sim[keep], near[keep]
        half, docs_b = half.filter(pa.array(keep)), docs_b.filter(pa.array(keep))

        out: dict[str | None, pa.Table | PartitionedTable] = {}
        cc = pa.table({"u": np.concatenate([a, b]), "v": np.concatenate([b, a])}, schema=CC_EDGES)
        out["cc"] = partitioned(cc, hash_partition(u64(cc, "u"), self.partitions), self.partitions)
        info_a = {"node": a, **{name: half.column(f"a_{name}") for name in INFO_NAMES}}
        info_b = {"node": b, **{name: docs_b.column(name) for name in INFO_NAMES}}
        info = pa.concat_tables([pa.table(info_a, schema=INFO), pa.table(info_b, schema=INFO)])
        out["info"] = partitioned(info, hash_partition(u64(info, "node"), self.partitions), self.partitions)
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

    def _estimated(self, sig_a: pa.ChunkedArray, sig_b: pa.ChunkedArray) -> np.ndarray:
        """Estimated Jaccard from the two signatures (NaN where a document has no shingles)."""
        both = np.asarray(
            sig_a.is_valid().to_numpy(zero_copy_only=False) & sig_b.is_valid().to_numpy(zero_copy_only=False),
            dtype=bool,
        )
        sim = np.full(len(both), np.nan)
        if both.any():
            num_perm = self.dplan.signature_hashes
            sim[both] = similarity(
                sig_matrix(sig_a.filter(pa.array(both)), num_perm),
                sig_matrix(sig_b.filter(pa.array(both)), num_perm),
            )
        return sim

    def _exact(
        self, run: RunLayout, shard: int, half: pa.Table, b: np.ndarray, near: np.ndarray
    ) -> np.ndarray:
        """Exact Jaccard of the shingle sets on near-duplicate candidate edges (NaN on the others)."""
        sim = np.full(len(b), np.nan)
        if near.any():
            rows = np.flatnonzero(near)
            a_values, a_offsets = blob_values(half.column("shingles_a").take(pa.array(rows)))
            b_values, b_offsets, b_index = shingle_sets_of(run, shard, b[near])
            a_index = np.arange(len(rows))
            sim[near] = exact_jaccard(a_values, a_offsets, a_index, b_values, b_offsets, b_index)
        return sim
