"""Steps 6–8: connected components of the duplicate graph, distributed, then one kept document per cluster.

Components use the alternating large-star / small-star rounds of Kiveris et al. (2014, "Connected
components in MapReduce and beyond"): each round is a step over node partitions that relinks every
node's neighbours to the smallest node around it. The graph has converged when it is a set of stars
centred on each component's smallest node; every round counts the nodes that break that shape, and
the driver stops at the first round whose input has none. No task ever holds more than its partition.

Then each node's details join its label (members step), and each cluster picks the document it keeps
(assign step): the longest text, ties broken by the smallest id, then the smallest ref.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from roots.dedup.buckets import group_starts
from roots.dedup.pairs import PairsSecondStep
from roots.dedup.plan import DedupPlan, PartitionedStep
from roots.dedup.tables import (
    ASSIGN,
    CC_EDGES,
    HIST,
    INFO,
    LABELS,
    MEMBERS,
    TOP,
    hash_partition,
    read_parts,
    ref_shard,
    u64,
)
from roots.layout import RunLayout
from roots.partitioned import PartitionedTable, partitioned
from roots.stage import ShardOutput, ShardTask
from roots.stats import StageStats

UNSETTLED = "unsettled_nodes"  # a counter in the round's stats (skipped), read by the driver


def star_round(
    u: np.ndarray, v: np.ndarray, large: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """One round on directed edges (both directions present, grouped by ``u`` in this partition).

    Returns the new undirected edges (x, y), every node's current label (smallest node around it) and
    how many nodes are not yet a star leaf or a star centre.
    """
    keep = u != v
    u, v = u[keep], v[keep]
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    unique = group_starts(u, v)
    u, v = u[unique], v[unique]
    starts = np.flatnonzero(group_starts(u))
    nodes = u[starts]
    degree = np.diff(np.append(starts, len(u)))
    smallest = v[starts] if len(u) else v
    label = np.minimum(nodes, smallest)
    settled = (smallest > nodes) | ((degree == 1) & (smallest < nodes))
    node_label = np.repeat(label, degree)
    if large:  # link every larger neighbour to the smallest node around u
        pick = v > u
        x, y = v[pick], node_label[pick]
    else:  # link every smaller neighbour, and u itself, to the smallest of them
        pick = v < u
        x = np.concatenate([v[pick], nodes[label != nodes]])
        y = np.concatenate([node_label[pick], label[label != nodes]])
        keep = x != y
        x, y = x[keep], y[keep]
    return x, y, nodes, label, int((~settled).sum())


class ComponentRound(PartitionedStep):
    def __init__(self, dplan: DedupPlan, partitions: int, round_index: int) -> None:
        super().__init__(dplan, partitions)
        self.round_index = round_index
        self.subdir = f"dedup/_cc_{round_index:03d}"

    def extra_config(self) -> dict[str, Any]:
        return {**super().extra_config(), "round": self.round_index}

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        if self.round_index == 0:
            edges = read_parts(
                run, PairsSecondStep.subdir, "cc", range(self.dplan.shards), CC_EDGES, partition=task.index
            )
        else:
            previous = f"dedup/_cc_{self.round_index - 1:03d}"
            edges = read_parts(run, previous, "e", range(self.partitions), CC_EDGES, partition=task.index)
        x, y, nodes, label, unsettled = star_round(
            u64(edges, "u"), u64(edges, "v"), self.round_index % 2 == 0
        )
        both = pa.table({"u": np.concatenate([x, y]), "v": np.concatenate([y, x])}, schema=CC_EDGES)
        out: dict[str | None, pa.Table | PartitionedTable] = {
            "e": partitioned(both, hash_partition(u64(both, "u"), self.partitions), self.partitions)
        }
        out["labels"] = pa.table({"node": nodes, "label": label}, schema=LABELS)
        stats = StageStats()
        if unsettled:
            stats.add_skipped(UNSETTLED, unsettled)
        return ShardOutput(tables=out, stats=stats)


class MembersStep(PartitionedStep):
    """Joins each node's label (from the converged round) with its details; regroups by label."""

    subdir = "dedup/_members"

    def __init__(self, dplan: DedupPlan, partitions: int, final_round: int) -> None:
        super().__init__(dplan, partitions)
        self.final_round = final_round

    def extra_config(self) -> dict[str, Any]:
        return {**super().extra_config(), "final_round": self.final_round}

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        labels = read_parts(run, f"dedup/_cc_{self.final_round:03d}", "labels", [task.index], LABELS)
        info = read_parts(
            run, PairsSecondStep.subdir, "info", range(self.dplan.shards), INFO, partition=task.index
        )
        node = u64(info, "node")
        order = np.argsort(node, kind="stable")
        first = group_starts(node[order])
        info = info.take(pa.array(order[first], type=pa.int64()))
        positions = np.searchsorted(u64(info, "node"), u64(labels, "node"))
        members = info.take(pa.array(positions, type=pa.int64()))
        members = members.add_column(0, "label", labels.column("label")).select(MEMBERS.names).cast(MEMBERS)
        target = hash_partition(u64(members, "label"), self.partitions)
        return ShardOutput(tables={"to": partitioned(members, target, self.partitions)})


class AssignStep(PartitionedStep):
    """Per cluster: the kept document, the cluster size; routes each member's assignment to its shard."""

    subdir = "dedup/_assign"

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        members = read_parts(
            run, MembersStep.subdir, "to", range(self.partitions), MEMBERS, partition=task.index
        )
        order = pc.sort_indices(
            members,
            [("label", "ascending"), ("chars", "descending"), ("id", "ascending"), ("node", "ascending")],
        )
        members = members.take(order)
        label = u64(members, "label")
        starts = np.flatnonzero(group_starts(label))
        sizes = np.diff(np.append(starts, len(label)))
        kept_pos = np.repeat(starts, sizes)
        kept = members.take(pa.array(kept_pos, type=pa.int64()))
        assign = pa.table(
            {
                "node": members.column("node"),
                "kept": kept.column("node"),
                "kept_id": kept.column("id"),
                "size": np.repeat(sizes, sizes).astype(np.int64),
                "kept_exact_hi": kept.column("exact_hi"),
                "kept_exact_lo": kept.column("exact_lo"),
                "kept_has_exact": kept.column("has_exact"),
                "kept_url_key": kept.column("url_key"),
            },
            schema=ASSIGN,
        )
        out: dict[str | None, pa.Table | PartitionedTable] = {
            "to": partitioned(assign, ref_shard(u64(assign, "node")), self.dplan.shards)
        }
        clusters = members.take(pa.array(starts, type=pa.int64()))
        out["hist"] = _histogram(clusters.column("lang").to_pylist(), sizes)
        out["top"] = self._top(members, clusters, starts, sizes)
        return ShardOutput(tables=out)

    def _top(self, members: pa.Table, clusters: pa.Table, starts: np.ndarray, sizes: np.ndarray) -> pa.Table:
        """This partition's largest clusters per language (the report keeps the overall largest)."""
        limit, listed = self.dplan.config.report_clusters, self.dplan.config.report_members
        langs = clusters.column("lang").to_pylist()
        ids = clusters.column("id").to_pylist()
        nodes = u64(members, "node")
        ranked = sorted(range(len(starts)), key=lambda i: (langs[i] or "", -int(sizes[i]), ids[i]))
        rows: list[dict[str, Any]] = []
        per_lang: dict[str, int] = {}
        for i in ranked:
            lang = langs[i] or ""
            if per_lang.get(lang, 0) >= limit:
                continue
            per_lang[lang] = per_lang.get(lang, 0) + 1
            start = int(starts[i])
            rows.append(
                {
                    "lang": langs[i],
                    "cluster_id": ids[i],
                    "size": int(sizes[i]),
                    "members": [int(n) for n in nodes[start : start + min(int(sizes[i]), listed)]],
                }
            )
        return pa.Table.from_pylist(rows, schema=TOP)


def _histogram(langs: list[str | None], sizes: np.ndarray) -> pa.Table:
    counts: dict[tuple[str | None, int], int] = {}
    for lang, size in zip(langs, sizes.tolist(), strict=True):
        counts[(lang, size)] = counts.get((lang, size), 0) + 1
    keys = sorted(counts, key=lambda k: (k[0] or "", k[1]))
    return pa.table(
        {"lang": [k[0] for k in keys], "size": [k[1] for k in keys], "count": [counts[k] for k in keys]},
        schema=HIST,
    )
