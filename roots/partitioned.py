"""Partitioned files: one file per sending task, any receiving partition read with two seeks.

A shuffle step's task sends rows to ``count`` receiving partitions. Rather than one file per (sending
task, receiving partition) pair, the sending task writes a single file ``part-<task>.arrows``:

* a header: the magic ``ROOTSPT1``, then ``count`` as little-endian uint64;
* an index of ``count`` entries of three little-endian uint64 ``(start, end, rows)``: the byte range of
  partition ``i``'s data in the file and its number of rows (``start == end`` for an empty partition);
* the data: each non-empty partition as an Arrow IPC stream (zstd-compressed buffers), in partition order.

A receiving task reads the 16-byte header, its own 24-byte index entry and its own byte range, so the
cost of reading one partition does not grow with the number of partitions or with the sender's other
rows (a Parquet file with a row group per partition would make every reader parse a footer listing all
of them). The bytes are a function of the rows alone, like ``write_parquet``'s.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa

from roots.atomic import atomic_open
from roots.storage import open_binary

SUFFIX = ".arrows"
MAGIC = b"ROOTSPT1"
_HEADER = struct.Struct("<8sQ")
_ENTRY = struct.Struct("<QQQ")
_IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


@dataclass(frozen=True)
class PartitionedTable:
    """Rows grouped by receiving partition: partition ``i`` is ``table[bounds[i]:bounds[i + 1]]``."""

    table: pa.Table
    bounds: np.ndarray

    @property
    def count(self) -> int:
        return len(self.bounds) - 1

    def partition(self, index: int) -> pa.Table:
        start, end = int(self.bounds[index]), int(self.bounds[index + 1])
        return self.table.slice(start, end - start)


def partitioned(table: pa.Table, target: np.ndarray, count: int) -> PartitionedTable:
    """``table``'s rows grouped by their target partition ``0..count-1`` (row order kept within each)."""
    order = np.argsort(target, kind="stable")
    bounds = np.searchsorted(target[order], np.arange(count + 1))
    return PartitionedTable(table.take(pa.array(order, type=pa.int64())), bounds)


def _ipc_bytes(table: pa.Table) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=_IPC_OPTIONS) as writer:
        writer.write_table(table)
    return sink.getvalue()


def write_partitioned(target: Path, value: PartitionedTable) -> None:
    """Write ``value`` atomically as one partitioned file (every partition indexed, empty ones too)."""
    blobs = [
        _ipc_bytes(value.partition(i)) if value.bounds[i + 1] > value.bounds[i] else None
        for i in range(value.count)
    ]
    position = _HEADER.size + _ENTRY.size * value.count
    index = bytearray()
    for i, blob in enumerate(blobs):
        size = blob.size if blob is not None else 0
        index += _ENTRY.pack(position, position + size, int(value.bounds[i + 1] - value.bounds[i]))
        position += size
    with atomic_open(target, "wb") as handle:
        handle.write(_HEADER.pack(MAGIC, value.count))
        handle.write(index)
        for blob in blobs:
            if blob is not None:
                handle.write(blob)


def _partitions(handle: IO[bytes], path: Path | str) -> int:
    """The partition count from the header (after checking it is one of our files)."""
    header = handle.read(_HEADER.size)
    magic, partitions = _HEADER.unpack(header) if len(header) == _HEADER.size else (b"", 0)
    if magic != MAGIC:
        raise ValueError(f"{path}: not a partitioned file (no {MAGIC.decode()} header)")
    return partitions


def _entries(handle: IO[bytes], path: Path | str, first: int, count: int | None) -> list[tuple[int, int, int]]:
    """Index entries ``first .. first + count - 1`` (``count`` None: to the last partition)."""
    partitions = _partitions(handle, path)
    count = partitions - first if count is None else count
    if first < 0 or first + count > partitions:
        raise ValueError(f"{path}: has {partitions} partitions, partition {first + count - 1} asked for")
    handle.seek(_HEADER.size + _ENTRY.size * first)
    raw = handle.read(_ENTRY.size * count)
    if len(raw) != _ENTRY.size * count:
        raise ValueError(f"{path}: truncated partition index")
    return [_ENTRY.unpack_from(raw, _ENTRY.size * k) for k in range(count)]


def partition_count(path: Path | str) -> int:
    """How many receiving partitions a partitioned file was written for."""
    with open_binary(path) as handle:
        return _partitions(handle, path)


def partition_rows(path: Path | str) -> np.ndarray:
    """Rows per partition, from the index alone (no data read)."""
    with open_binary(path) as handle:
        entries = _entries(handle, path, 0, None)
    return np.asarray([rows for _, _, rows in entries], dtype=np.int64)


def read_partition(path: Path | str, index: int, columns: list[str] | None = None) -> pa.Table | None:
    """Partition ``index`` of a partitioned file, reading only its bytes; None if it has no rows."""
    with open_binary(path) as handle:
        ((start, end, rows),) = _entries(handle, path, index, 1)
        if start == end:
            return None
        handle.seek(start)
        data = handle.read(end - start)
    if len(data) != end - start:
        raise ValueError(f"{path}: partition {index} is truncated")
    table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    if table.num_rows != rows:
        raise ValueError(f"{path}: partition {index} has {table.num_rows} rows, its index says {rows}")
    return table.select(columns) if columns is not None else table
