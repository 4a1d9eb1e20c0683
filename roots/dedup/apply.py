"""Step 9, the ``dedup`` stage proper, per input shard: write kept and removed documents.

A document in a cluster that is not the cluster's kept document is removed with ``drop_reason``
``exact_duplicate`` (same normalised text as the kept one), ``url_duplicate`` (same URL) or
``near_duplicate``, and ``duplicate_of`` = the kept document's id. Kept documents lose their template
lines; one left with no text is removed as ``repeated_lines_only``. Every output row has ``cluster_id``
(the kept document's id) and ``cluster_size``; all other columns pass through unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from roots.dedup.buckets import LineStep
from roots.dedup.components import AssignStep
from roots.dedup.normalize import line_keys, remove_lines, site_of
from roots.dedup.plan import DedupPlan, tasks
from roots.dedup.signatures import SignatureStep, input_schema, valid_rows
from roots.dedup.tables import ASSIGN, DOCS, REASONS, TEMPLATES, kind, read_parts, ref_row, u64
from roots.layout import RunLayout
from roots.stage import ShardOutput, ShardTask, Stage
from roots.stats import StageStats

LINES_ONLY = "repeated_lines_only"
OUTPUT_FIELDS = (
    pa.field("cluster_id", pa.string()),
    pa.field("cluster_size", pa.int64()),
    pa.field("lines_removed", pa.int64()),
)
REMOVED_FIELDS = (pa.field("drop_reason", pa.string()), pa.field("duplicate_of", pa.string()))


class ApplyStage(Stage):
    subdir = "dedup"

    def __init__(self, dplan: DedupPlan, partitions: int | None) -> None:
        self.dplan = dplan
        self.partitions = partitions  # None: there were no candidate edges to cluster

    def config_dict(self) -> dict[str, Any]:
        return {"plan": self.dplan.fingerprint_dict()}  # outputs do not depend on the partition count

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return tasks(self.dplan.shards)

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        path = self.dplan.inputs[task.index]
        input_schema(path)  # a one-line error naming the file if the shard is unusable
        table = pq.read_table(path)
        stats = StageStats()
        errors: list[dict[str, Any]] = []
        valid = valid_rows(table.select(["id", "text"]))
        langs = table.column("lang").to_pylist() if "lang" in table.column_names else [None] * len(table)
        texts = table.column("text").to_pylist()
        for row in np.flatnonzero(~valid):
            stats.add_in(langs[row], len(texts[row] or ""))
            stats.add_error(langs[row], "missing_text" if texts[row] is None else "missing_id")
            errors.append(
                {
                    "stage": "dedup",
                    "file": Path(path).name,
                    "row": int(row),
                    "reason": "missing_text" if texts[row] is None else "missing_id",
                }
            )

        docs = read_parts(run, SignatureStep.subdir, "docs", [task.index], DOCS)
        assign = self._assignments(run, task.index)
        outcome = _Outcome(len(table))
        self._clusters(table, docs, assign, outcome)
        self._template_lines(run, table, texts, valid, outcome)

        lines_removed: dict[str, int] = {}
        for row in np.flatnonzero(valid):
            lang, chars_in = langs[row], len(texts[row])
            stats.add_in(lang, chars_in)
            reason = outcome.reason[row]
            if reason is None:
                stats.add_kept(lang, len(outcome.text.get(row, texts[row])))
            else:
                stats.add_removed(lang, reason, chars_in)
            if outcome.lines[row]:
                key = lang or "und"
                lines_removed[key] = lines_removed.get(key, 0) + int(outcome.lines[row])
        if lines_removed:
            stats.extra["lines_removed"] = dict(sorted(lines_removed.items()))
        return ShardOutput(tables=outcome.tables(table, valid), errors=errors, stats=stats)

    def finalize(self, run: RunLayout, stats: StageStats) -> None:
        """The per-language report (into ``stats.json``) and ``pairs.parquet``."""
        from roots.dedup.report import build_report, shingle_notes, write_pairs

        shingles = shingle_notes(run, self.dplan)
        stats.extra["report"] = build_report(
            run, self.dplan, self.partitions, stats, self.output_dir(run), shingles
        )
        stats.extra["input"] = self.dplan.input_stage
        if shingles:
            stats.extra["shingles"] = shingles
        write_pairs(run, self.dplan)

    def _assignments(self, run: RunLayout, shard: int) -> pa.Table:
        if self.partitions is None:
            return ASSIGN.empty_table()
        return read_parts(run, AssignStep.subdir, kind("to", shard), range(self.partitions), ASSIGN)

    def _clusters(self, table: pa.Table, docs: pa.Table, assign: pa.Table, outcome: _Outcome) -> None:
        ids = table.column("id").to_pylist()
        for row, doc_id in enumerate(ids):
            outcome.cluster_id[row] = doc_id
        if len(assign) == 0:
            return
        rows = ref_row(u64(assign, "node"))
        doc_pos = np.searchsorted(np.asarray(docs.column("row")), rows)
        mine = docs.take(pa.array(doc_pos, type=pa.int64()))
        same_exact = (
            np.asarray(mine.column("has_exact"))
            & np.asarray(assign.column("kept_has_exact"))
            & (u64(mine, "exact_hi") == u64(assign, "kept_exact_hi"))
            & (u64(mine, "exact_lo") == u64(assign, "kept_exact_lo"))
        )
        same_url = np.asarray(
            pc.fill_null(pc.equal(mine.column("url_key"), assign.column("kept_url_key")), False)
        )
        is_kept = u64(assign, "node") == u64(assign, "kept")
        kept_ids = assign.column("kept_id").to_pylist()
        sizes = assign.column("size").to_pylist()
        for i, row in enumerate(rows.tolist()):
            outcome.cluster_id[row] = kept_ids[i]
            outcome.size[row] = sizes[i]
            if not is_kept[i]:
                outcome.duplicate_of[row] = kept_ids[i]
                outcome.reason[row] = (
                    REASONS[0] if same_exact[i] else REASONS[1] if same_url[i] else REASONS[2]
                )

    def _template_lines(
        self, run: RunLayout, table: pa.Table, texts: list[Any], valid: np.ndarray, outcome: _Outcome
    ) -> None:
        """Remove template lines from every kept document of this shard."""
        lines_cfg = self.dplan.config.repeated_lines
        if not lines_cfg.enabled:
            return
        urls = table.column("url").to_pylist() if "url" in table.column_names else [None] * len(table)
        sources = (
            table.column("source").to_pylist() if "source" in table.column_names else [None] * len(table)
        )
        candidates = [row for row in np.flatnonzero(valid).tolist() if outcome.reason[row] is None]
        sites = {row: site_of(urls[row], sources[row]) for row in candidates}
        mine = sorted(
            {k for row in candidates for k in line_keys(texts[row], sites[row], lines_cfg.min_chars)}
        )
        if not mine:
            return
        wanted = pa.array(mine, type=pa.uint64())
        found = read_parts(run, LineStep.subdir, "templates", range(self.dplan.key_partitions), TEMPLATES)
        templates = set(
            found.filter(pc.is_in(found.column("line"), value_set=wanted)).column("line").to_pylist()
        )
        if not templates:
            return
        for row in candidates:
            text, removed = remove_lines(texts[row], sites[row], lines_cfg.min_chars, templates)
            if removed:
                outcome.text[row] = text
                outcome.lines[row] = removed
                if not text.strip():
                    outcome.reason[row] = LINES_ONLY


class _Outcome:
    """Per input row: what dedup decided (text after line removal, reason, cluster)."""

    def __init__(self, rows: int) -> None:
        self.text: dict[int, str] = {}
        self.lines = np.zeros(rows, dtype=np.int64)
        self.reason: list[str | None] = [None] * rows
        self.duplicate_of: list[str | None] = [None] * rows
        self.cluster_id: list[str | None] = [None] * rows
        self.size = np.ones(rows, dtype=np.int64)

    def tables(self, table: pa.Table, valid: np.ndarray) -> dict[str | None, pa.Table]:
        own = {f.name for f in (*OUTPUT_FIELDS, *REMOVED_FIELDS)}
        base = table.drop_columns([c for c in table.column_names if c in own])
        if self.text:
            texts = table.column("text").to_pylist()
            for row, text in self.text.items():
                texts[row] = text
            base = base.set_column(
                base.column_names.index("text"),
                base.schema.field("text"),
                pa.array(texts, base.schema.field("text").type),
            )
        base = base.append_column(OUTPUT_FIELDS[0], pa.array(self.cluster_id, pa.string()))
        base = base.append_column(OUTPUT_FIELDS[1], pa.array(self.size, pa.int64()))
        base = base.append_column(OUTPUT_FIELDS[2], pa.array(self.lines, pa.int64()))
        removed = np.array([r is not None for r in self.reason], dtype=bool) & valid
        kept = ~removed & valid
        removed_table = base.filter(pa.array(removed))
        removed_table = removed_table.append_column(
            REMOVED_FIELDS[0],
            pa.array([r for r, m in zip(self.reason, removed, strict=True) if m], pa.string()),
        )
        removed_table = removed_table.append_column(
            REMOVED_FIELDS[1],
            pa.array([d for d, m in zip(self.duplicate_of, removed, strict=True) if m], pa.string()),
        )
        return {"kept": base.filter(pa.array(kept)), "removed": removed_table}
