"""Atomic file writes: write to a temporary file beside the target, then rename.

A reader (or a re-run after SIGKILL) sees either the old file, the complete new file, or nothing —
never a half-written one. Temporary names start with ``.tmp-`` so a stage can sweep leftovers.
A killed process cannot lose written data (it is in the page cache), so ``fsync`` is only needed
against power loss or a kernel crash; set ``ROOTS_FSYNC=1`` to pay for it (it costs a disk flush per
file, which dominates stages that write many small files).

On object storage (a ``UPath`` target, see ``roots.storage``) there is no rename: the object is written under
its final name, which an object store shows only once the upload completes; a failing writer aborts the
upload, so a reader still sees the old object or nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from roots.storage import is_remote

TMP_PREFIX = ".tmp-"
FSYNC = os.environ.get("ROOTS_FSYNC", "0") == "1"


def _tmp_path(target: Path) -> Path:
    return target.with_name(f"{TMP_PREFIX}{os.getpid()}-{target.name}")


@contextlib.contextmanager
def atomic_open(target: Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary file that replaces ``target`` only when the block finishes without error."""
    if is_remote(target):
        with _object_open(target, mode) as handle:
            yield handle
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_path(target)
    try:
        with open(tmp, mode) as handle:
            yield handle
            handle.flush()
            if FSYNC:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _object_open(target: Path, mode: str) -> Iterator[IO[Any]]:
    """Write an object directly; on error the upload is abandoned (never completed, so never visible)."""
    handle = target.open(mode)
    raw: Any = getattr(handle, "buffer", handle)  # text mode wraps the fsspec file
    try:
        yield handle
    except BaseException:
        discard = getattr(raw, "discard", None)
        if callable(discard):
            discard()  # s3fs / gcsfs / adlfs: abort the multipart or resumable upload
        raw.closed = True  # close() must not flush what was buffered
        raise
    handle.close()


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_open(target, "wb") as handle:
        handle.write(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def write_json(target: Path, obj: Any) -> None:
    """Deterministic JSON: sorted keys, fixed indentation, trailing newline."""
    write_text(target, json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2) + "\n")


def write_jsonl(target: Path, rows: list[dict[str, Any]]) -> None:
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows]
    write_text(target, "".join(lines))


def write_parquet(target: Path, table: pa.Table) -> None:
    """Write a Parquet shard deterministically (fixed compression, no per-run metadata)."""
    with atomic_open(target, "wb") as handle:
        pq.write_table(table, handle, compression="zstd", row_group_size=10_000, write_statistics=True)


def sweep_temporaries(directory: Path) -> int:
    """Delete temporary files left by a killed run; returns how many were removed (objects have none)."""
    if is_remote(directory) or not directory.exists():
        return 0
    removed = 0
    for path in directory.rglob(f"{TMP_PREFIX}*"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_temporaries(directory: Path) -> int:
    """Delete the temporary files in ``directory`` (not below) whose writing process has died.

    For folders that several live processes write into (a languages folder two dashboards save to),
    where ``sweep_temporaries`` would delete another writer's file in flight."""
    removed = 0
    for path in directory.glob(f"{TMP_PREFIX}*"):
        pid = path.name[len(TMP_PREFIX) :].partition("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
