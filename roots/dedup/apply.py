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

from roots.dedup.buckets import LineStep
from roots.dedup.components import AssignStep
from roots.dedup.normalize import line_keys, remove_lines, site_of
from roots.dedup.plan import DedupPlan, tasks
from roots.dedup.signatures import SignatureStep, input_schema, valid_rows
from roots.dedup.tables import (
    ASSIGN,
    DOCS,
    REASONS,
    TEMPLATES,
    dictionary_codes,
    read_parts,
    ref_row,
    u64,
)
from roots.layout import RunLayout
from roots.schema import lang_key
from roots.stage import ShardOutput, ShardTask, Stage
from roots.stats import StageStats
from roots.storage import read_parquet

LINES_ONLY = "repeated_lines_only"
OUTPUT_FIELDS = (
    pa.field("cluster_id", pa.string()),
    pa.field("cluster_size", pa.int64()),
    pa.field("lines_removed", pa.int64()),
)
REMOVED_FIELDS = (pa.field("drop_reason", pa.string()), pa.field("duplicate_of", pa.string()))
MATCH_COLUMNS = ["exact_hi", "exact_lo", "has_exact", "url_key"]  # what a member shares with its kept one


class ApplyStage(Stage):
    subdir = "dedup"

    def __init__(self, dplan: DedupPlan, partitions: int | None) -> None:
        self.dplan = dplan
        self.partitions = partitions  # None: there were no candidate edges to cluster

    def inputs(self, run: RunLayout) -> dict[str, Any]:
        return self.dplan.step_inputs()  # outputs do not depend on the partition count

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return tasks(self.dplan.shards)

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        path = self.dplan.inputs[task.index]
        input_schema(path)  # a one-line error naming the file if the shard is unusable
        table = read_parquet(path)
        stats = StageStats()
        valid = valid_rows(table.select(["id", "text"]))
        lang_column = (
            table.column("lang") if "lang" in table.column_names else pa.nulls(len(table), pa.string())
        )
        lang_codes, langs = dictionary_codes(lang_column)
        chars = np.asarray(pc.fill_null(pc.utf8_length(table.column("text")), 0), dtype=np.int64)
        errors = self._errors(Path(path).name, table, valid, lang_codes, langs, chars, stats)

        docs = read_parts(
            run, SignatureStep.subdir, "docs", [task.index], DOCS, columns=["row", *MATCH_COLUMNS]
        )
        assign = self._assignments(run, task.index)
        outcome = _Outcome(table.column("id").to_pylist())
        self._clusters(docs, assign, outcome)
        self._template_lines(run, table, valid, outcome)
        _account(stats, lang_codes, langs, chars, valid, outcome)
        return ShardOutput(tables=outcome.tables(table, valid), errors=errors, stats=stats)

    @staticmethod
    def _errors(
        name: str,
        table: pa.Table,
        valid: np.ndarray,
        lang_codes: np.ndarray,
        langs: list[str | None],
        chars: np.ndarray,
        stats: StageStats,
    ) -> list[dict[str, Any]]:
        """One error record per row without an id or text (counted in and as an error)."""
        errors: list[dict[str, Any]] = []
        texts = table.column("text")
        for row in np.flatnonzero(~valid).tolist():
            lang = langs[lang_codes[row]]
            reason = "missing_text" if not texts[row].is_valid else "missing_id"
            stats.add_in(lang, int(chars[row]))
            stats.add_error(lang, reason)
            errors.append({"stage": "dedup", "file": name, "row": row, "reason": reason})
        return errors

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
        return read_parts(run, AssignStep.subdir, "to", range(self.partitions), ASSIGN, partition=shard)

    def _clusters(self, docs: pa.Table, assign: pa.Table, outcome: _Outcome) -> None:
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

    def _template_lines(self, run: RunLayout, table: pa.Table, valid: np.ndarray, outcome: _Outcome) -> None:
        """Remove template lines from every kept document of this shard."""
        lines_cfg = self.dplan.config.repeated_lines
        if not lines_cfg.enabled:
            return
        texts = table.column("text").to_pylist()
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


def _account(
    stats: StageStats,
    lang_codes: np.ndarray,
    langs: list[str | None],
    chars: np.ndarray,
    valid: np.ndarray,
    outcome: _Outcome,
) -> None:
    """Count every valid row in, and as kept (its length after line removal) or removed by reason,
    with one ``add_*`` call per (language, outcome) rather than per document."""
    names = (*REASONS, LINES_ONLY)
    code_of = {name: i + 1 for i, name in enumerate(names)}  # 0: kept
    outcomes = np.array([code_of.get(r, 0) if r else 0 for r in outcome.reason], dtype=np.int64)
    kept_chars = chars.copy()
    for row, text in outcome.text.items():
        kept_chars[row] = len(text)
    rows = np.flatnonzero(valid)
    group = lang_codes[rows] * (len(names) + 1) + outcomes[rows]
    size = len(langs) * (len(names) + 1)
    docs = np.bincount(group, minlength=size)
    chars_in = np.bincount(group, weights=chars[rows], minlength=size).astype(np.int64)
    chars_kept = np.bincount(group, weights=kept_chars[rows], minlength=size).astype(np.int64)
    lines = np.bincount(lang_codes[rows], weights=outcome.lines[rows], minlength=len(langs)).astype(np.int64)
    lines_removed: dict[str, int] = {}
    for g in np.flatnonzero(docs).tolist():
        lang, code = langs[g // (len(names) + 1)], g % (len(names) + 1)
        n = int(docs[g])
        stats.add_in(lang, int(chars_in[g]), docs=n)
        if code == 0:
            stats.add_kept(lang, int(chars_kept[g]), docs=n)
        else:
            stats.add_removed(lang, names[code - 1], int(chars_in[g]), docs=n)
    for code in np.flatnonzero(lines).tolist():
        key = lang_key(langs[code])
        lines_removed[key] = lines_removed.get(key, 0) + int(lines[code])
    if lines_removed:
        stats.extra["lines_removed"] = dict(sorted(lines_removed.items()))


class _Outcome:
    """Per input row: what dedup decided (text after line removal, reason, cluster)."""

    def __init__(self, ids: list[str | None]) -> None:
        rows = len(ids)
        self.text: dict[int, str] = {}
        self.lines = np.zeros(rows, dtype=np.int64)
        self.reason: list[str | None] = [None] * rows
        self.duplicate_of: list[str | None] = [None] * rows
        self.cluster_id: list[str | None] = list(ids)  # a singleton is its own cluster
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
