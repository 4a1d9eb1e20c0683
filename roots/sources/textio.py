"""Opening possibly compressed text inputs."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import IO


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading, decompressing ``.gz`` transparently."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")
