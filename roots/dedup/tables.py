"""Intermediate tables of the dedup steps: schemas, document references, partitioning, reading.

A document is referred to by ``ref = shard << 32 | row`` (its input shard and row): compact, unique,
and independent of workers. Steps exchange data as files ``<step>/<family>/part-<task>.*``, one per
sending task and output family (``keys``, ``lines``, ``to``, ``cc``, ``info``, ``e``; ``docs`` and
``pairs`` are Parquet). A family that is shuffled to receiving tasks is a partitioned ``.arrows`` file
(``roots.partitioned``): an index of every receiving partition's byte range, then each partition as an
Arrow IPC stream. A receiving task reads only its own range of every sending task's file, so it never
holds more than its partition, and a step writes one file per sending task rather than one per
(sending task, receiving partition) pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from roots.dedup.shingles import fmix64
from roots.layout import RunLayout, shard_name
from roots.partitioned import SUFFIX as PARTITIONED_SUFFIX
from roots.partitioned import read_partition
from roots.storage import parquet_file, read_parquet

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
        ("sig", pa.large_binary()),  # null: no shingles, or no estimate needed (exact verification)
    ]
)
# each document's shingle set (sorted unique 32-bit fingerprints), in the rows order of DOCS
SHINGLES = pa.schema([("row", pa.int64()), ("shingles", pa.large_binary())])
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
        ("sig_a", pa.large_binary()),
        ("shingles_a", pa.large_binary()),
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


def read_parts(
    run: RunLayout,
    subdir: str,
    family: str | None,
    tasks: Iterable[int],
    schema: pa.Schema,
    columns: list[str] | None = None,
    partition: int | None = None,
) -> pa.Table:
    """The ``family`` outputs of the given tasks of a step, concatenated in task order (only ``columns``).

    With ``partition`` the family is partitioned, and only that partition's bytes of each task's file are
    read. Every task writes every file of its families (empty if it has no rows), so a missing file is an
    error (a step's data deleted under its completion markers), never taken as empty.
    """
    base = run.root / subdir / family if family else run.root / subdir
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    if partition is None:
        paths = [base / shard_name(t) for t in tasks]
        for path in paths:
            if not path.exists():
                raise FileNotFoundError(f"{path}: a working file of a finished dedup step is missing")
        tables = [read_parquet(path, columns=columns) for path in paths]
    else:
        paths = [base / shard_name(t, PARTITIONED_SUFFIX) for t in tasks]
        tables = [t for t in (read_partition(path, partition, columns) for path in paths) if t is not None]
    if not tables:
        return schema.empty_table()
    return pa.concat_tables([t.cast(schema) for t in tables])


def read_rows(path: Path | str, positions: np.ndarray, columns: list[str]) -> pa.Table:
    """Rows ``positions`` (ascending) of a Parquet file, reading only the row groups that hold them."""
    parquet = parquet_file(path)
    sizes = [parquet.metadata.row_group(g).num_rows for g in range(parquet.num_row_groups)]
    ends = np.cumsum(sizes, dtype=np.int64)
    groups = np.searchsorted(ends, positions, side="right")
    tables = []
    for group in np.unique(groups).tolist():
        start = int(ends[group]) - sizes[group]
        local = positions[groups == group] - start
        tables.append(parquet.read_row_group(group, columns=columns).take(pa.array(local, type=pa.int64())))
    if not tables:
        return parquet.schema_arrow.empty_table().select(columns)
    return pa.concat_tables(tables)


def count_rows(paths: Iterable[Path]) -> int:
    """Rows of Parquet files from their footers (no data read)."""
    return sum(parquet_file(p).metadata.num_rows for p in paths if p.exists())


def dictionary_codes(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, list]:
    """Each row's index into the column's distinct values (null is a value too), and those values:
    per-value work (a language's seed or shingle spec) then runs once per value, not once per row."""
    encoded = pc.dictionary_encode(column, null_encoding="encode")
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks else pa.array([], encoded.type)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary.to_pylist()


def u64(table: pa.Table, column: str) -> np.ndarray:
    return table.column(column).to_numpy(zero_copy_only=False).astype(np.uint64, copy=False)


def blob_column(values: np.ndarray, offsets: np.ndarray, present: np.ndarray | None = None) -> pa.Array:
    """uint32 arrays stored back to back (row i: ``values[offsets[i]:offsets[i+1]]``) as a binary column,
    built from the buffers without a Python object per row; rows where ``present`` is False are null."""
    values = np.ascontiguousarray(values, dtype=np.uint32)
    byte_offsets = np.asarray(offsets, dtype=np.int64) * 4
    validity = None
    if present is not None and not present.all():
        validity = pa.array(present, type=pa.bool_()).buffers()[1]
    return pa.Array.from_buffers(
        pa.large_binary(),
        len(byte_offsets) - 1,
        [validity, pa.py_buffer(byte_offsets), pa.py_buffer(values)],
    )


def blob_values(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The uint32 values of a binary column written by ``blob_column`` and each row's offsets (null → empty)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    array = pc.fill_null(array.cast(pa.large_binary()), b"")
    if len(array) == 0:
        return np.zeros(0, dtype=np.uint32), np.zeros(1, dtype=np.int64)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = array.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    return raw[offsets[0] : offsets[-1]].view(np.uint32), (offsets - offsets[0]) // 4


def sig_matrix(column: pa.ChunkedArray | pa.Array, num_perm: int) -> np.ndarray:
    """Signatures stored as binary (4·num_perm bytes; null: no shingles) as a uint32 matrix (null → all 0)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    values, _ = blob_values(pc.fill_null(array.cast(pa.large_binary()), bytes(4 * num_perm)))
    return values.reshape(len(array), num_perm)


def sig_column(sigs: np.ndarray, present: np.ndarray) -> pa.Array:
    """A signature matrix as a binary column (rows where ``present`` is False become null)."""
    docs, width = sigs.shape
    return blob_column(sigs.reshape(-1), np.arange(docs + 1, dtype=np.int64) * width, present)
