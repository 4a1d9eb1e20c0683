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
from roots.dedup.jaccard import exact_jaccard, read_shingle_sets
from roots.dedup.minhash import similarity
from roots.dedup.pairs import PairsSecondStep
from roots.dedup.plan import DedupPlan
from roots.dedup.signatures import SignatureStep, input_schema
from roots.dedup.tables import DOCS, HIST, PAIRS, TOP, read_parts, read_rows, ref_row, ref_shard, sig_matrix
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


def shingle_notes(run: RunLayout, dplan: DedupPlan) -> dict[str, str]:
    """How each language was shingled (``word 5-grams (jieba)``, ``character 5-grams (segmenter … unavailable:
    …)``), from the signature step's shard markers: the workers chose, with the packages they have."""
    step = SignatureStep(dplan)
    sdir = step.output_dir(run)
    found: dict[str, set[str]] = {}
    for index in range(dplan.shards):
        marker = json.loads(sdir.marker(index).read_text(encoding="utf-8"))
        for lang, text in marker["stats"].get("extra", {}).get("shingles", {}).items():
            found.setdefault(lang, set()).add(text)
    return {lang: "; ".join(sorted(texts)) for lang, texts in sorted(found.items())}


def build_report(
    run: RunLayout,
    dplan: DedupPlan,
    partitions: int | None,
    stats: StageStats,
    sdir: StageDir,
    shingles: dict[str, str],
) -> dict[str, Any]:
    """Per language: documents in, duplicates by kind, lines removed, shingles, cluster sizes, largest clusters."""
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
        if lang in shingles:
            report[lang]["shingles"] = shingles[lang]
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
    details = _member_details(dplan, {m for row in chosen for m in row["members"]})
    pairs = [(m, row["members"][0]) for row in chosen for m in row["members"]]
    similarities = dict(zip(pairs, _similarities(run, dplan, pairs), strict=True))
    for row in chosen:
        members = [
            {**details[ref], "similarity_to_kept": similarities[(ref, row["members"][0])]}
            for ref in row["members"]
        ]
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


def _by_shard(refs: set[int]) -> dict[int, np.ndarray]:
    wanted = np.array(sorted(refs), dtype=np.uint64)
    shards = ref_shard(wanted)
    return {shard: wanted[shards == shard] for shard in np.unique(shards).tolist()}


def _member_details(dplan: DedupPlan, refs: set[int]) -> dict[int, dict[str, Any]]:
    """id, URL and text preview of a few documents, reading only the row groups that hold them."""
    details: dict[int, dict[str, Any]] = {}
    for shard, in_shard in _by_shard(refs).items():
        path = dplan.inputs[shard]
        present = [c for c in ("id", "text", "url") if c in input_schema(path).names]
        table = read_rows(path, ref_row(in_shard), present)
        urls = table.column("url").to_pylist() if "url" in present else [None] * len(table)
        for ref, doc_id, text, url in zip(
            in_shard.tolist(),
            table.column("id").to_pylist(),
            table.column("text").to_pylist(),
            urls,
            strict=True,
        ):
            details[ref] = {"id": doc_id, "url": url, "text_preview": (text or "")[:PREVIEW_CHARS]}
    return details


def _similarities(run: RunLayout, dplan: DedupPlan, pairs: list[tuple[int, int]]) -> list[float | None]:
    """Jaccard similarity of each (member, kept) pair: exact with exact verification, else estimated;
    None when a document has no shingles."""
    refs = {ref for pair in pairs for ref in pair}
    if dplan.exact_verify:
        sets: dict[int, np.ndarray] = {}
        for shard, in_shard in _by_shard(refs).items():
            values, offsets = read_shingle_sets(run, shard, ref_row(in_shard))
            for i, ref in enumerate(in_shard.tolist()):
                sets[ref] = values[offsets[i] : offsets[i + 1]]
        out: list[float | None] = []
        for member, kept in pairs:
            a, b = sets[member], sets[kept]
            if not len(a) or not len(b):
                out.append(None)
                continue
            both = np.concatenate([a, b])
            offsets = np.array([0, len(a), len(both)])
            sim = exact_jaccard(both, offsets, np.array([0]), both, offsets, np.array([1]))[0]
            out.append(round(float(sim), 4))
        return out
    sigs: dict[int, np.ndarray | None] = {}
    for shard, in_shard in _by_shard(refs).items():
        docs = read_parts(run, SignatureStep.subdir, "docs", [shard], DOCS, columns=["row", "sig"])
        positions = np.searchsorted(np.asarray(docs.column("row")), ref_row(in_shard))
        sig_col = docs.column("sig").take(pa.array(positions, type=pa.int64()))
        matrix = sig_matrix(sig_col, dplan.signature_hashes)
        for i, (ref, ok) in enumerate(zip(in_shard.tolist(), sig_col.is_valid().to_pylist(), strict=True)):
            sigs[ref] = matrix[i] if ok else None
    result: list[float | None] = []
    for member, kept in pairs:
        sig_a, sig_b = sigs[member], sigs[kept]
        if sig_a is None or sig_b is None:
            result.append(None)
        else:
            result.append(round(float(similarity(sig_a[None], sig_b[None])[0]), 4))
    return result
