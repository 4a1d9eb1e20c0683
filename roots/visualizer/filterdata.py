"""The filter stage's output as the dashboard needs it: statistics of every document, without its text.

Loading keeps only small columns (statistics, reason, length, where each row lives) so a run of
millions of documents fits in memory and re-counts are pure numpy; texts are fetched row by row for
the few documents shown, from the Parquet row groups that hold them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from roots.errors import UserError
from roots.filters.catalog import FILTERS
from roots.layout import RunLayout
from roots.schema import UNKNOWN_LANG
from roots.visualizer.tuning import LanguageColumns, reason_codes

KINDS = ("kept", "removed")

STAT_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(spec.column for spec in FILTERS))  # tested statistics


@dataclass(frozen=True)
class LanguageView:
    """One language's documents: statistics for re-counting plus where to find each one's text."""

    lang: str
    data: LanguageColumns
    stored: np.ndarray  # reason code the last filter run gave each document (tuning.KEPT when kept)
    rows: np.ndarray  # indices into the run-wide arrays of ``FilterRunData``

    @property
    def size(self) -> int:
        return self.data.size


@dataclass(frozen=True)
class FilterRunData:
    """Run-wide arrays over the filter stage's kept and removed shards, in shard order."""

    parts: tuple[Path, ...]
    part: np.ndarray  # index into ``parts`` of each document
    row: np.ndarray  # row of each document inside its part
    lang_codes: np.ndarray  # index into ``langs``
    langs: tuple[str, ...]
    columns: dict[str, np.ndarray]
    chars: np.ndarray
    stored: np.ndarray

    @property
    def size(self) -> int:
        return int(self.chars.shape[0])

    def language_counts(self) -> dict[str, int]:
        counts = np.bincount(self.lang_codes, minlength=len(self.langs))
        return {lang: int(n) for lang, n in zip(self.langs, counts, strict=True) if n}

    def language(self, lang: str) -> LanguageView:
        code = self.langs.index(lang) if lang in self.langs else -1
        rows = np.flatnonzero(self.lang_codes == code)
        data = LanguageColumns({k: v[rows] for k, v in self.columns.items()}, self.chars[rows])
        return LanguageView(lang, data, self.stored[rows], rows)

    def fetch(self, rows: Sequence[int], columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The stored rows (all columns, or ``columns``) of run-wide document indices, in the order given."""
        wanted = [int(r) for r in rows]
        by_part: dict[int, list[int]] = {}
        for r in wanted:
            by_part.setdefault(int(self.part[r]), []).append(int(self.row[r]))
        found: dict[tuple[int, int], dict[str, Any]] = {}
        for part, part_rows in by_part.items():
            for row, record in zip(part_rows, read_rows(self.parts[part], part_rows, columns), strict=True):
                found[(part, row)] = record
        return [found[(int(self.part[r]), int(self.row[r]))] for r in wanted]


def filter_parts(run: RunLayout) -> list[Path]:
    """The filter stage's kept then removed shards."""
    sdir = run.stage("filter")
    return [p for kind in KINDS for p in sdir.parts(kind)]


def parts_signature(parts: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of each shard: a cache key that changes when a stage re-runs."""
    out = []
    for p in parts:
        st = p.stat()
        out.append((str(p), st.st_size, st.st_mtime_ns))
    return tuple(out)


def _float_column(table: pa.Table, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    column = pc.cast(table.column(name), pa.float64())
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


def _read_part(path: Path) -> tuple[dict[str, np.ndarray], np.ndarray, pa.ChunkedArray, pa.ChunkedArray]:
    schema = pq.read_schema(path)
    wanted = ["text", "lang", "drop_reason", *(c for c in STAT_COLUMNS if c in schema.names)]
    table = pq.read_table(path, columns=[c for c in wanted if c in schema.names])
    chars = np.asarray(pc.utf8_length(table.column("text")).to_numpy(zero_copy_only=False), dtype=np.int64)
    lang = table.column("lang") if "lang" in table.column_names else pa.chunked_array([pa.nulls(len(chars))])
    reason = (
        table.column("drop_reason")
        if "drop_reason" in table.column_names
        else pa.chunked_array([pa.nulls(len(chars), pa.string())])
    )
    return {c: _float_column(table, c) for c in STAT_COLUMNS}, chars, lang, reason


def load_filter_data(run: RunLayout) -> FilterRunData | None:
    """Statistics of every document the filter stage wrote, or None if it has not run."""
    parts = filter_parts(run)
    if not parts:
        return None
    cols: dict[str, list[np.ndarray]] = {c: [] for c in STAT_COLUMNS}
    chars, langs, reasons, part_idx, row_idx = [], [], [], [], []
    for i, path in enumerate(parts):
        try:
            stats, n_chars, lang, reason = _read_part(path)
        except (OSError, pa.ArrowException) as exc:
            raise UserError(
                f"{path}: cannot read this shard ({exc}); re-run `roots filter` on the run"
            ) from None
        for c in STAT_COLUMNS:
            cols[c].append(stats[c])
        chars.append(n_chars)
        langs.append(pc.cast(pc.fill_null(pc.cast(lang, pa.string()), UNKNOWN_LANG), pa.string()))
        reasons.append(pc.cast(reason, pa.string()))
        part_idx.append(np.full(len(n_chars), i, dtype=np.int32))
        row_idx.append(np.arange(len(n_chars), dtype=np.int64))
    lang_all = pa.chunked_array([c for arr in langs for c in arr.chunks], pa.string()).combine_chunks()
    encoded = lang_all.dictionary_encode()
    return FilterRunData(
        parts=tuple(parts),
        part=np.concatenate(part_idx),
        row=np.concatenate(row_idx),
        lang_codes=np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int32),
        langs=tuple(encoded.dictionary.to_pylist()),
        columns={c: np.concatenate(v) for c, v in cols.items()},
        chars=np.concatenate(chars),
        stored=reason_codes(pa.chunked_array([c for arr in reasons for c in arr.chunks], pa.string())),
    )


def read_rows(path: Path, rows: Sequence[int], columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Rows of one Parquet file, reading only the row groups that hold them."""
    pf = pq.ParquetFile(path)
    starts = np.cumsum([0] + [pf.metadata.row_group(i).num_rows for i in range(pf.num_row_groups)])
    by_group: dict[int, list[int]] = {}
    for r in rows:
        by_group.setdefault(int(np.searchsorted(starts, r, side="right") - 1), []).append(r)
    found: dict[int, dict[str, Any]] = {}
    for group, group_rows in by_group.items():
        table = pf.read_row_group(group, columns=list(columns) if columns else None)
        taken = table.take(pa.array([r - int(starts[group]) for r in group_rows], pa.int64()))
        for r, record in zip(group_rows, taken.to_pylist(), strict=True):
            found[r] = record
    return [found[r] for r in rows]
