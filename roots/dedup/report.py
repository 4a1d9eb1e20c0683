"""The dedup report (``dedup/stats.json`` → ``extra.report``) and ``dedup/pairs.parquet``.

Both are built from small per-task summaries (cluster-size histograms, each partition's largest
clusters, each shard's near-duplicate pairs) so that building them never loads the corpus.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from roots.atomic import atomic_open
from roots.dedup.components import AssignStep
from roots.dedup.minhash import similarity
from roots.dedup.pairs import PairsSecondStep
from roots.dedup.plan import DedupPlan
from roots.dedup.signatures import SignatureStep
from roots.dedup.tables import DOCS, HIST, PAIRS, TOP, read_parts, ref_row, ref_shard, sig_matrix
from roots.layout import RunLayout, StageDir
from roots.stats import StageStats

PREVIEW_CHARS = 300
PAIR_COLUMNS = ["id_a", "id_b", "similarity", "lang"]


def write_pairs(run: RunLayout, dplan: DedupPlan) -> None:
    """``dedup/pairs.parquet``: every verified near-duplicate pair (id_a, id_b, similarity, lang), by shard."""
    schema = pa.schema([PAIRS.field(c) for c in PAIR_COLUMNS])
    with atomic_open(run.root / "dedup" / "pairs.parquet") as handle:
        writer = pq.ParquetWriter(handle, schema, compression="zstd")
        for shard in range(dplan.shards):
            table = read_parts(run, PairsSecondStep.subdir, "pairs", [shard], PAIRS).select(PAIR_COLUMNS)
            writer.write_table(table.cast(schema), row_group_size=100_000)
        writer.close()


def build_report(
    run: RunLayout, dplan: DedupPlan, partitions: int | None, stats: StageStats, sdir: StageDir
) -> dict[str, Any]:
    """Per language: documents in, duplicates by kind, lines removed, cluster sizes, largest clusters."""
    lines_removed = _lines_removed(sdir, dplan.shards)
    report: dict[str, Any] = {}
    for lang, ls in sorted(stats.languages.items()):
        report[lang] = {
            "docs_in": ls.inputs.docs,
            "exact_duplicates": ls.removed["exact_duplicate"].docs if "exact_duplicate" in ls.removed else 0,
            "url_duplicates": ls.removed["url_duplicate"].docs if "url_duplicate" in ls.removed else 0,
            "near_duplicates": ls.removed["near_duplicate"].docs if "near_duplicate" in ls.removed else 0,
            "lines_removed": lines_removed.get(lang, 0),
            "cluster_size_histogram": {},
            "largest_clusters": [],
        }
    if partitions is None:
        return report
    hist = read_parts(run, AssignStep.subdir, "hist", range(partitions), HIST).to_pylist()
    for row in hist:
        entry = report.setdefault(row["lang"] or "und", _empty())
        histogram = entry["cluster_size_histogram"]
        histogram[str(row["size"])] = histogram.get(str(row["size"]), 0) + row["count"]
    top = read_parts(run, AssignStep.subdir, "top", range(partitions), TOP).to_pylist()
    top.sort(key=lambda r: (r["lang"] or "", -r["size"], r["cluster_id"]))
    chosen: list[dict[str, Any]] = []
    per_lang: dict[str, int] = {}
    for row in top:
        lang = row["lang"] or "und"
        if per_lang.get(lang, 0) < dplan.config.report_clusters:
            per_lang[lang] = per_lang.get(lang, 0) + 1
            chosen.append(row)
    details = _member_details(run, dplan, {m for row in chosen for m in row["members"]})
    for row in chosen:
        kept = details[row["members"][0]]
        members = []
        for ref in row["members"]:
            info = details[ref]
            sim = None
            if info["sig"] is not None and kept["sig"] is not None:
                sim = round(float(similarity(info["sig"][None, :], kept["sig"][None, :])[0]), 4)
            members.append(
                {
                    "id": info["id"],
                    "url": info["url"],
                    "text_preview": info["preview"],
                    "similarity_to_kept": sim,
                }
            )
        report.setdefault(row["lang"] or "und", _empty())["largest_clusters"].append(
            {"cluster_id": row["cluster_id"], "size": row["size"], "members": members}
        )
    return report


def _empty() -> dict[str, Any]:
    keys = ("docs_in", "exact_duplicates", "url_duplicates", "near_duplicates", "lines_removed")
    return {**dict.fromkeys(keys, 0), "cluster_size_histogram": {}, "largest_clusters": []}


def _lines_removed(sdir: StageDir, shards: int) -> dict[str, int]:
    """Lines removed per language, from the shards' completion markers (their stats' ``extra``)."""
    total: dict[str, int] = {}
    for index in range(shards):
        marker = json.loads(sdir.marker(index).read_text(encoding="utf-8"))
        for lang, n in marker["stats"].get("extra", {}).get("lines_removed", {}).items():
            total[lang] = total.get(lang, 0) + n
    return total


def _member_details(run: RunLayout, dplan: DedupPlan, refs: set[int]) -> dict[int, dict[str, Any]]:
    """id, URL, text preview and signature of a few documents, read shard by shard."""
    from roots.dedup.signatures import read_input

    details: dict[int, dict[str, Any]] = {}
    wanted = np.array(sorted(refs), dtype=np.uint64)
    for shard in sorted(set(ref_shard(wanted).tolist())):
        in_shard = wanted[ref_shard(wanted) == shard]
        rows = ref_row(in_shard)
        table = read_input(dplan.inputs[shard], ("id", "text", "url")).take(pa.array(rows, type=pa.int64()))
        docs = read_parts(run, SignatureStep.subdir, "docs", [shard], DOCS)
        positions = np.searchsorted(np.asarray(docs.column("row")), rows)
        sig_col = docs.column("sig").take(pa.array(positions, type=pa.int64()))
        sigs = sig_matrix(sig_col, dplan.config.minhash.num_perm)
        present = sig_col.is_valid().to_pylist()
        for i, ref in enumerate(in_shard.tolist()):
            text = table.column("text")[i].as_py() or ""
            details[ref] = {
                "id": table.column("id")[i].as_py(),
                "url": table.column("url")[i].as_py(),
                "preview": text[:PREVIEW_CHARS],
                "sig": sigs[i] if present[i] else None,
            }
    return details
