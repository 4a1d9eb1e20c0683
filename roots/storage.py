"""Where files live: local paths, or fsspec URLs (``s3://``, ``gs://``, ``az://``, ``hf://``, ``https://``).

A URL becomes a ``upath.UPath``, which has the ``pathlib.Path`` API (``/``, ``open``, ``glob``, ``exists``,
``read_bytes`` …) over an fsspec filesystem, so the run layout and the stages use one API for both. A local
path stays a plain ``pathlib.Path`` and behaves exactly as before. Credentials and endpoints come from each
backend's own environment and config files (``AWS_*`` and ``~/.aws`` for S3, ``GOOGLE_APPLICATION_CREDENTIALS``
for GCS, ``AZURE_STORAGE_*`` for Azure, ``HF_TOKEN`` for the Hub), never from roots's YAML.

Object stores have no rename, but every one of them makes a single object visible only once it is completely
written (a PUT, or a multipart upload on its completion). ``roots.atomic`` writes remote objects directly under
their final name and aborts the upload if the writer fails; a killed writer leaves an unfinished upload that
never becomes visible. Since a shard's outputs are a function of its input, a re-run writes the same bytes, and
the completion marker written last still says which shards are done.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

from roots.errors import UserError

_URL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
#: fsspec backends that cache directory listings per process; another worker's writes must be seen at once
_LISTING_CACHES = {"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl"}


def protocol(value: str | os.PathLike[str]) -> str | None:
    """The URL scheme of ``value`` (``s3``, ``gs`` …), None for a local path."""
    match = _URL.match(str(value)) if isinstance(value, str) else None
    return match.group(1).lower() if match else None


def is_url(value: str | os.PathLike[str]) -> bool:
    return protocol(value) not in (None, "file")


def as_path(value: str | os.PathLike[str]) -> Path:
    """A ``pathlib.Path`` for a local path (``~`` expanded), a ``UPath`` with the same API for a URL."""
    if not isinstance(value, str) and is_remote(value):
        return cast(Path, value)  # already a UPath
    text = str(value) if isinstance(value, str) else os.fspath(value)
    scheme = protocol(text)
    if scheme is None:
        return Path(text).expanduser()
    if scheme == "file":
        return Path(text[len("file://") :])
    from upath import UPath

    options: dict[str, Any] = {"use_listings_cache": False} if scheme in _LISTING_CACHES else {}
    return cast(Path, UPath(text, **options))


def is_remote(path: object) -> bool:
    """Whether ``path`` is on an fsspec filesystem other than the local disk."""
    if isinstance(path, Path):
        return False
    if isinstance(path, str):
        return is_url(path)
    from upath import UPath

    return isinstance(path, UPath)


def open_binary(path: str | os.PathLike[str], mode: str = "rb") -> IO[bytes]:
    """Open a local file or an object; remote reads fetch byte ranges as the reader seeks."""
    target = as_path(path)
    handle = target.open(mode)
    if is_remote(target) and mode == "rb":  # io's buffered reader gives readline(limit) and peek
        return cast(IO[bytes], io.BufferedReader(handle, 1 << 20))
    return cast(IO[bytes], handle)


def bucket_missing(url: str) -> bool:
    """Whether the bucket (or container) of an object-store URL does not exist."""
    scheme = protocol(url)
    if scheme not in _LISTING_CACHES:
        return False
    bucket = url.split("://", 1)[1].split("/", 1)[0]
    return not as_path(f"{scheme}://{bucket}").exists()


def glob_url(pattern: str) -> Iterator[Path]:
    """Files matching a URL glob (``s3://bucket/crawl/*.warc.gz``), in sorted order."""
    import fsspec

    fs, _, paths = fsspec.get_fs_token_paths(pattern)
    scheme = protocol(pattern)
    for key in sorted(paths):
        if fs.isfile(key):
            yield as_path(key if protocol(key) else f"{scheme}://{key}")


def storage_error(exc: BaseException, where: str) -> UserError | None:
    """One line for a storage failure a user can fix (missing bucket, credentials, endpoint), else None."""
    text = f"{type(exc).__name__}: {exc}"
    lowered = text.lower()
    if "bucket does not exist" in lowered or "nosuchbucket" in lowered or "container" in lowered and (
        "not found" in lowered or "does not exist" in lowered
    ):
        return UserError(f"{where}: the bucket does not exist; create it or fix the URL")
    if isinstance(exc, PermissionError) or any(
        word in lowered
        for word in (
            "invalidaccesskeyid",
            "signaturedoesnotmatch",
            "accessdenied",
            "access denied",
            "forbidden",
            "unable to locate credentials",
            "nocredentials",
            "invalid credentials",
            "expiredtoken",
        )
    ):
        return UserError(
            f"{where}: access denied ({_first_line(exc)}); check the credentials of this backend "
            "(for S3: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_PROFILE)"
        )
    if any(
        word in lowered
        for word in ("could not connect", "endpointconnectionerror", "connect timeout", "cannot connect",
                     "connection refused", "name or service not known", "failed to establish")
    ):
        return UserError(
            f"{where}: the storage endpoint does not answer ({_first_line(exc)}); check the endpoint "
            "(for S3: AWS_ENDPOINT_URL) and the network"
        )
    return None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def check_access(path: Path, where: str, *, write: bool) -> None:
    """Fail early with one line if ``path``'s bucket is missing or its endpoint or credentials are wrong."""
    if not is_remote(path):
        return
    try:
        if write:
            probe = path / ".roots-access-check"
            probe.write_bytes(b"")
            probe.unlink()
        else:
            path.exists()
    except Exception as exc:
        error = storage_error(exc, where)
        if error is not None:
            raise error from None
        raise


def read_parquet(path: str | os.PathLike[str], columns: list[str] | None = None) -> Any:
    """``pq.read_table`` for a local file or an object (read by ranges: footer, then the columns asked for)."""
    import pyarrow.parquet as pq

    if not is_remote(path):
        return pq.read_table(path, columns=columns)
    with open_binary(path) as handle:
        return pq.read_table(handle, columns=columns)


def parquet_file(path: str | os.PathLike[str]) -> Any:
    """``pq.ParquetFile`` for a local file or an object."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(open_binary(path) if is_remote(path) else path)


def read_schema(path: str | os.PathLike[str]) -> Any:
    """The Arrow schema of a Parquet file (local or an object), from its footer."""
    return parquet_file(path).schema_arrow


def makedirs(path: Path) -> None:
    """Create a local folder; objects need none (and creating one could create a missing bucket)."""
    if not is_remote(path):
        path.mkdir(parents=True, exist_ok=True)


def location(path: Path) -> str:
    """The absolute local path or the URL, as a string that ``as_path`` turns back into ``path``."""
    return str(path) if is_remote(path) else str(path.absolute())


class RangeBuffer:
    """A read-only, bytes-like view of an object that fetches only the byte ranges it is asked for.

    Supports ``len``, slicing and ``find``: enough to walk a gzip-member WARC from a shard's start offset
    without downloading the file. fsspec's read-ahead cache turns forward scans into large range GETs.
    """

    FIND_CHUNK = 1 << 20

    def __init__(self, path: Path) -> None:
        self._handle = cast(Any, as_path(path)).open("rb", block_size=1 << 22, cache_type="readahead")
        self._size = int(self._handle.size)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, key: slice) -> bytes:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("RangeBuffer supports contiguous slices only")
        start, stop, _ = key.indices(self._size)
        if stop <= start:
            return b""
        self._handle.seek(start)
        return bytes(self._handle.read(stop - start))

    def find(self, sub: bytes, start: int = 0, end: int | None = None) -> int:
        end = self._size if end is None else min(end, self._size)
        pos = start
        while pos < end:
            chunk = self[pos : min(pos + self.FIND_CHUNK + len(sub) - 1, end)]
            found = chunk.find(sub)
            if found >= 0:
                return pos + found
            pos += self.FIND_CHUNK
        return -1

    def close(self) -> None:
        self._handle.close()


def remove_tree(path: Path, ignore_errors: bool = False) -> None:
    """Delete a folder (local) or every object under a prefix (remote)."""
    if not is_remote(path):
        shutil.rmtree(path, ignore_errors=ignore_errors)
        return
    try:
        path.fs.rm(path.path, recursive=True)  # type: ignore[attr-defined]
    except FileNotFoundError:
        if not ignore_errors:
            raise
