"""Common Crawl's columnar index (Parquet, hive-partitioned by ``crawl`` and ``subset``) as a pyarrow dataset.

``INDEX`` is a local file or folder, an ``s3://bucket/prefix`` (read anonymously with pyarrow's S3
filesystem), or an ``http(s)://`` URL of one Parquet file or of a ``*.paths``/``*.paths.gz`` listing
(Common Crawl's ``cc-index-table.paths.gz``) whose lines are paths relative to the listing's host.
Rows are filtered with pushdown: row groups whose statistics cannot match are never read.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from roots.errors import UserError

HTML_TYPES = ("text/html", "application/xhtml+xml")
REQUIRED = (
    "url",
    "url_surtkey",
    "url_host_registered_domain",
    "fetch_time",
    "fetch_status",
    "warc_filename",
    "warc_record_offset",
    "warc_record_length",
)
OPTIONAL = ("content_mime_type", "content_mime_detected", "content_languages", "crawl", "subset")
_HIVE = ds.partitioning(flavor="hive")


def open_index(index: str) -> ds.Dataset:
    """The index as a dataset; a missing or unreadable index is a user error naming it."""
    try:
        dataset = _open(index)
    except (OSError, ValueError, pa.ArrowInvalid) as exc:
        raise UserError(f"--index {index}: cannot open the columnar index ({exc})") from None
    missing = [c for c in REQUIRED if c not in dataset.schema.names]
    if missing:
        raise UserError(
            f"--index {index}: not Common Crawl's columnar index (columns {', '.join(missing)} are missing)"
        )
    if not {"content_mime_type", "content_mime_detected"} & set(dataset.schema.names):
        raise UserError(f"--index {index}: needs content_mime_detected or content_mime_type")
    return dataset


def _open(index: str) -> ds.Dataset:
    scheme = urlsplit(index).scheme.lower()
    if scheme == "s3":
        from pyarrow import fs

        bucket_path = index.split("://", 1)[1]
        s3 = fs.S3FileSystem(region="us-east-1")  # AWS credentials from the usual places
        return ds.dataset(bucket_path, filesystem=s3, format="parquet", partitioning=_HIVE)
    if scheme in ("http", "https"):
        return _open_http(index)
    path = Path(index).expanduser()
    if not path.exists():
        raise OSError(f"{path} does not exist")
    return ds.dataset(str(path), format="parquet", partitioning=_HIVE)


def _open_http(url: str) -> ds.Dataset:
    import fsspec
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    http = fsspec.filesystem("http")
    filesystem = PyFileSystem(FSSpecHandler(http))
    if url.endswith((".paths", ".paths.gz")):
        raw = http.cat_file(url)
        text = (gzip.decompress(raw) if url.endswith(".gz") else raw).decode("utf-8")
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}/"
        files = [root + line.strip().lstrip("/") for line in text.splitlines() if line.strip()]
        if not files:
            raise ValueError("the listing names no files")
        base = _common_folder(files)
        return ds.dataset(
            files, filesystem=filesystem, format="parquet", partitioning=_HIVE, partition_base_dir=base
        )
    return ds.dataset([url], filesystem=filesystem, format="parquet")


def _common_folder(files: list[str]) -> str:
    first = files[0].split("/")
    depth = len(first) - 1
    for other in files[1:]:
        segments = other.split("/")
        depth = min(
            depth, next((i for i, (a, b) in enumerate(zip(first, segments, strict=False)) if a != b), depth)
        )
    # stop before the first hive segment so crawl=… and subset=… are read as partitions
    depth = next((i for i in range(depth) if "=" in first[i]), depth)
    return "/".join(first[:depth])


def index_filter(schema: pa.Schema, domains: Iterable[str], crawls: list[str] | None) -> ds.Expression:
    """The row predicate: seed domains, status 200, HTML, the warc subset, the crawls (see also ``pruned``)."""
    names = set(schema.names)
    field = ds.field
    expr = field("url_host_registered_domain").isin(sorted(set(domains)))
    expr &= field("fetch_status") == 200
    if "content_mime_detected" in names and "content_mime_type" in names:
        detected = field("content_mime_detected")
        expr &= detected.isin(HTML_TYPES) | (detected.is_null() & field("content_mime_type").isin(HTML_TYPES))
    else:
        expr &= field(
            "content_mime_detected" if "content_mime_detected" in names else "content_mime_type"
        ).isin(HTML_TYPES)
    if "subset" in names:
        expr &= field("subset") == "warc"
    if crawls:
        if "crawl" not in names:
            raise UserError("--crawl: the index has no 'crawl' column or crawl=… partition folders")
        expr &= field("crawl").isin(crawls)
    return expr


def mime_column(batch: pa.RecordBatch) -> pa.Array:
    """The page's type: Common Crawl's detected type, else the declared one."""
    names = batch.schema.names
    if "content_mime_detected" in names and "content_mime_type" in names:
        return pc.coalesce(batch.column("content_mime_detected"), batch.column("content_mime_type"))
    return batch.column("content_mime_detected" if "content_mime_detected" in names else "content_mime_type")


def pruned(
    dataset: ds.Dataset, row_filter: ds.Expression, domains: Iterable[str], surts: Iterable[str]
) -> ds.Dataset:
    """Only the files (by their crawl=/subset= folders) and row groups (by their min/max statistics) that can
    hold a matching row: the seeds' SURT ranges are tested against the statistics once per row group, never
    per row. Common Crawl's files are sorted by SURT key, so a seed's rows sit in a few row groups."""
    ranges = None
    for surt in sorted(set(surts)):
        term = (ds.field("url_surtkey") >= surt) & (ds.field("url_surtkey") < surt + "\U0010ffff")
        ranges = term if ranges is None else ranges | term
    # row groups are tested on file columns only (crawl= and subset= select the files)
    groups = ds.field("url_host_registered_domain").isin(sorted(set(domains))) & (
        ds.field("fetch_status") == 200
    )
    groups = groups if ranges is None else groups & ranges
    fragments = [
        piece
        for fragment in dataset.get_fragments(filter=row_filter)
        for piece in fragment.split_by_row_group(filter=groups)
    ]
    return ds.FileSystemDataset(fragments, dataset.schema, dataset.format, dataset.filesystem)


def scan(
    dataset: ds.Dataset, columns: list[str], row_filter: ds.Expression, rows: int
) -> Iterator[pa.RecordBatch]:
    """The matching rows, one fragment (row group) at a time: a slow consumer never lets the scanner read
    ahead more than one row group (a dataset-wide scanner would queue decoded row groups)."""
    for fragment in dataset.get_fragments():
        yield from fragment.to_batches(
            schema=dataset.schema,
            columns=columns,
            filter=row_filter,
            batch_size=rows,
            batch_readahead=1,
            fragment_readahead=1,
        )
