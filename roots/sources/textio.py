"""Opening possibly compressed text inputs, and reading their lines with a size limit."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from roots import storage

SKIP_CHUNK = 1 << 20


@dataclass(frozen=True)
class LongLine:
    """A line over the limit: only its size is known (it was skipped, never held in memory)."""

    size: int


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading, decompressing ``.gz`` transparently."""
    if path.name.lower().endswith(".gz"):
        source = storage.open_binary(path) if storage.is_remote(path) else path
        return cast(IO[bytes], gzip.open(source, "rb"))
    return storage.open_binary(path)


def bounded_lines(handle: IO[bytes], limit: int) -> Iterator[bytes | LongLine]:
    """The lines of ``handle``; a line of more than ``limit`` bytes (newline excluded) comes as a ``LongLine``,
    so memory stays bounded by ``limit`` whatever the input (a 6 GiB line in a 6 MB ``.gz``)."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while not line.endswith(b"\n"):
            line = handle.readline(SKIP_CHUNK)
            if not line:
                break
            size += len(line)
        yield LongLine(size - line.endswith(b"\n"))
