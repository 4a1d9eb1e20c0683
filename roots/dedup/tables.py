"""Intermediate tables of the dedup steps: schemas, document references, partitioning, reading.

A document is referred to by ``ref = shard << 32 | row`` (its input shard and row): compact, unique,
and independent of workers. Steps exchange data as Parquet files ``<step>/<kind>/part-<task>.parquet``
where ``kind`` names the receiving partition or shard (``to-00003``), so a receiving task reads one
directory and never the whole corpus.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from roots.dedup.shingles import fmix64
from roots.layout import RunLayout, shard_name

U64 = pa.uint64()

DOCS = pa.schema(
    [
        ("row", pa.int64()),
        ("id", pa.string()),
        ("lang", pa.string()),
        ("chars", pa.int64()),
        ("exact_hi", U64),
        ("exact_lo", U64),
        ("has_exact", pa.bool_()),
        ("url_key", U64),
        ("sig", pa.binary()),
    ]
)
KEYS = pa.schema([("k1", U64), ("k2", U64), ("kind", pa.uint8()), ("ref", U64)])
LINES = pa.schema([("line", U64), ("doc", U64)])
TEMPLATES = pa.schema([("line", U64)])
EDGES = pa.schema([("a", U64), ("b", U64), ("reason", pa.uint8())])
INFO_FIELDS = [
    ("chars", pa.int64()),
    ("id", pa.string()),
    ("lang", pa.string()),
    ("exact_hi", U64),
    ("exact_lo", U64),
    ("has_exact", pa.bool_()),
    ("url_key", U64),
]
INFO = pa.schema([("node", U64), *INFO_FIELDS])
HALF_EDGES = pa.schema(
    [
        ("a", U64),
        ("b", U64),
        ("reason", pa.uint8()),
        ("sig_a", pa.binary()),
        *[(f"a_{n}", t) for n, t in INFO_FIELDS],
    ]
)
CC_EDGES = pa.schema([("u", U64), ("v", U64)])
LABELS = pa.schema([("node", U64), ("label", U64)])
MEMBERS = pa.schema([("label", U64), ("node", U64), *INFO_FIELDS])
ASSIGN = pa.schema(
    [
        ("node", U64),
        ("kept", U64),
        ("kept_id", pa.string()),
        ("size", pa.int64()),
        ("kept_exact_hi", U64),
        ("kept_exact_lo", U64),
        ("kept_has_exact", pa.bool_()),
        ("kept_url_key", U64),
    ]
)
HIST = pa.schema([("lang", pa.string()), ("size", pa.int64()), ("count", pa.int64())])
TOP = pa.schema(
    [("lang", pa.string()), ("cluster_id", pa.string()), ("size", pa.int64()), ("members", pa.list_(U64))]
)
PAIRS = pa.schema(
    [
        ("a", U64),
        ("b", U64),
        ("id_a", pa.string()),
        ("id_b", pa.string()),
        ("similarity", pa.float64()),
        ("lang", pa.string()),
    ]
)

REASONS = ("exact_duplicate", "url_duplicate", "near_duplicate")
EXACT, URL, NEAR = 0, 1, 2


def make_refs(shard: int, rows: np.ndarray) -> np.ndarray:
    return (np.uint64(shard) << np.uint64(32)) | rows.astype(np.uint64)


def ref_shard(refs: np.ndarray) -> np.ndarray:
    return (refs >> np.uint64(32)).astype(np.int64)


def ref_row(refs: np.ndarray) -> np.ndarray:
    return (refs & np.uint64(0xFFFF_FFFF)).astype(np.int64)


def hash_partition(keys: np.ndarray, partitions: int) -> np.ndarray:
    """A balanced partition index for 64-bit keys (mixed first, so structured keys like refs spread)."""
    return (fmix64(keys) % np.uint64(partitions)).astype(np.int64)


def kind(prefix: str, index: int) -> str:
    return f"{prefix}-{index:05d}"


def split(table: pa.Table, target: np.ndarray, count: int, prefix: str) -> dict[str | None, pa.Table]:
    """``table``'s rows by target partition ``0..count-1``; empty partitions write no file (readers skip
    missing files, and a plan change deletes all working files, so no stale file can be read)."""
    order = np.argsort(target, kind="stable")
    bounds = np.searchsorted(target[order], np.arange(count + 1))
    ordered = table.take(pa.array(order))
    return {
        kind(prefix, i): ordered.slice(bounds[i], bounds[i + 1] - bounds[i])
        for i in range(count)
        if bounds[i + 1] > bounds[i]
    }


def read_parts(
    run: RunLayout, subdir: str, kind_name: str | None, tasks: Iterable[int], schema: pa.Schema
) -> pa.Table:
    """The ``kind`` outputs of the given tasks of a step, concatenated in task order."""
    base = run.root / subdir / kind_name if kind_name else run.root / subdir
    tables = [pq.read_table(path) for path in (base / shard_name(t) for t in tasks) if path.exists()]
    if not tables:
        return schema.empty_table()
    return pa.concat_tables([t.cast(schema) for t in tables])


def count_rows(paths: Iterable[Path]) -> int:
    """Rows of Parquet files from their footers (no data read)."""
    return sum(pq.ParquetFile(p).metadata.num_rows for p in paths if p.exists())


def u64(table: pa.Table, column: str) -> np.ndarray:
    return table.column(column).to_numpy(zero_copy_only=False).astype(np.uint64, copy=False)


def sig_matrix(column: pa.ChunkedArray | pa.Array, num_perm: int) -> np.ndarray:
    """Signatures stored as binary (4·num_perm bytes; null: no shingles) as a uint32 matrix (null → all 0)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    array = pc.fill_null(array, bytes(4 * num_perm)).cast(pa.large_binary())
    if len(array) == 0:
        return np.zeros((0, num_perm), dtype=np.uint32)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.view(np.uint32).reshape(len(array), num_perm)


def sig_column(sigs: np.ndarray, present: np.ndarray) -> pa.Array:
    """A signature matrix as a binary column (rows where ``present`` is False become null)."""
    width = sigs.shape[1] * 4
    blob = np.ascontiguousarray(sigs).tobytes()
    values = [blob[i * width : (i + 1) * width] if ok else None for i, ok in enumerate(present)]
    return pa.array(values, type=pa.binary())
