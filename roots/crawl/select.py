"""Index lookup: the newest HTML capture of every URL under a seed, streamed with bounded memory.

The index is scanned with a pushdown filter; each matching row gets its seed (the longest seed SURT that
prefixes the row's SURT key, within the seed's registered domain) and the 64-bit xxh3 hash of its URL, and
is spilled to one of 64 Arrow files by the hash's top bits. Each spill file (split again by the next bits
while it holds more than ``max_rows_in_memory`` rows) is then sorted by (hash, URL, newest first), so the
first row of each URL is its newest capture and files taken in order give one global order by URL hash:
a deterministic shuffle of the domains, whose first N pages per domain are a uniform sample (the
per-domain cap and the menu-line sample both take them). Memory holds one spill file, never the selection.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xxhash

from roots.atomic import atomic_open, write_json, write_parquet
from roots.crawl.index import OPTIONAL, REQUIRED, index_filter, mime_column, open_index, pruned, scan
from roots.crawl.paths import CrawlPaths
from roots.crawl.seeds import Seed, read_seeds

SPILL_BITS = 6
SELECT_VERSION = 1
ROW_GROUP = 10_000


def select_fingerprint(seeds_file: Path, index: str, crawls: list[str], max_per_domain: int | None) -> str:
    identity = {
        "seeds": xxhash.xxh3_64_hexdigest(seeds_file.read_bytes()) if seeds_file.is_file() else None,
        "index": index,
        "crawls": sorted(crawls),
        "max_per_domain": max_per_domain,
        "version": SELECT_VERSION,
    }
    return xxhash.xxh3_64_hexdigest(json.dumps(identity, sort_keys=True).encode())


def read_summary(paths: CrawlPaths) -> dict[str, Any] | None:
    if not (paths.summary.is_file() and paths.selection.is_file()):
        return None
    return json.loads(paths.summary.read_text(encoding="utf-8"))


def select(
    seeds_file: Path,
    index: str,
    paths: CrawlPaths,
    *,
    crawls: list[str] | None = None,
    max_per_domain: int | None = None,
    max_rows_in_memory: int = 1_000_000,
    batch_rows: int = 65_536,
) -> dict[str, Any]:
    """Write ``selection.parquet``, ``seeds.parquet``, ``domains.parquet`` and ``select.json``; returns the summary.

    Skipped (the summary is returned) when a finished selection with the same inputs exists.
    """
    crawls = list(crawls or [])
    fingerprint = select_fingerprint(seeds_file, index, crawls, max_per_domain)
    done = read_summary(paths)
    if done and done.get("fingerprint") == fingerprint:
        return done
    paths.summary.unlink(missing_ok=True)
    seeds = read_seeds(seeds_file)
    dataset = open_index(index)
    spill_dir = paths.root / "_select"
    shutil.rmtree(spill_dir, ignore_errors=True)
    spill_dir.mkdir(parents=True)
    matcher = _SeedMatcher(seeds)
    captures = np.zeros(len(seeds), dtype=np.int64)
    columns = [c for c in (*REQUIRED, *OPTIONAL) if c in dataset.schema.names]
    expr = index_filter(dataset.schema, matcher.domains, crawls)
    dataset = pruned(dataset, expr, matcher.domains, [s.surt for s in seeds])
    spills = _Spills(spill_dir, "", 0)
    for batch in scan(dataset, columns, expr, batch_rows):
        table = _matched(batch, matcher)
        if table.num_rows:
            captures += np.bincount(table["seed"].to_numpy(), minlength=len(seeds))
            spills.add(table)
    spills.close()
    writer = _SelectionWriter(paths.selection, max_per_domain)
    try:
        for path in spills.files():
            _resolve(path, 1, max_rows_in_memory, writer)
    finally:
        writer.close()
    shutil.rmtree(spill_dir, ignore_errors=True)
    return _write_reports(paths, seeds, captures, writer, fingerprint, index, crawls, max_per_domain)


class _SeedMatcher:
    """Which seed (if any) each row belongs to: the longest seed SURT prefixing the row's, same domain.

    Rows are grouped by the host part of their SURT key (before the ``)``), so each row is compared only
    with the seeds of its own host, whatever the number of seeds.
    """

    def __init__(self, seeds: list[Seed]) -> None:
        self.by_host: dict[str, list[tuple[str, int, tuple[str, ...]]]] = defaultdict(list)
        for index, seed in enumerate(seeds):
            self.by_host[seed.surt.split(")", 1)[0]].append((seed.surt, index, seed.domains))
        for candidates in self.by_host.values():
            candidates.sort(key=lambda c: (-len(c[0]), c[0]))
        self.domains = sorted({d for s in seeds for d in s.domains})
        self.seed_domains = [s.domains for s in seeds]

    def seeds_of(self, domains: pa.Array, surts: pa.Array) -> np.ndarray:
        hosts = pc.list_element(pc.split_pattern(surts, ")", max_splits=1), 0).dictionary_encode()
        codes = hosts.indices.to_numpy(zero_copy_only=False)
        names = hosts.dictionary.to_pylist()
        root = np.full(len(names) + 1, -1, dtype=np.int32)
        prefixed: dict[int, list[tuple[str, int, tuple[str, ...]]]] = {}
        for code, host in enumerate(names):
            candidates = self.by_host.get(host)
            if candidates and all(c[0].endswith(")/") for c in candidates):
                root[code] = candidates[0][1]  # a domain seed: ")/" starts every key of its host
            elif candidates:
                prefixed[code] = candidates
        out = root[codes]
        if prefixed:  # hosts with URL-prefix seeds: their rows are compared with each of their seeds
            rows = np.flatnonzero(np.isin(codes, list(prefixed)))
            row_codes, row_surts = codes[rows], surts.take(pa.array(rows))
            found = np.full(len(rows), -1, dtype=np.int32)
            for code, candidates in prefixed.items():
                of_host = row_codes == code
                for surt, index, _ in candidates:
                    hit = (
                        of_host & (found < 0) & pc.starts_with(row_surts, surt).to_numpy(zero_copy_only=False)
                    )
                    found[hit] = index
            out[rows] = found
        return self._same_domain(out, domains)

    def _same_domain(self, seed: np.ndarray, domains: pa.Array) -> np.ndarray:
        """Unmatch rows whose registered domain is not their seed's."""
        matched = np.flatnonzero(seed >= 0)
        if not len(matched):
            return seed
        encoded = domains.take(pa.array(matched)).dictionary_encode()
        names = encoded.dictionary.to_pylist()
        key = seed[matched].astype(np.int64) * len(names) + encoded.indices.to_numpy(zero_copy_only=False)
        pairs, inverse = np.unique(key, return_inverse=True)
        allowed = np.array(
            [names[k % len(names)] in self.seed_domains[k // len(names)] for k in pairs.tolist()]
        )
        seed[matched[~allowed[inverse]]] = -1
        return seed


def _matched(batch: pa.RecordBatch, matcher: _SeedMatcher) -> pa.Table:
    """The batch's rows that belong to a seed, in the spill schema (with ``seed`` and URL hash ``h``)."""
    seed = matcher.seeds_of(batch.column("url_host_registered_domain"), batch.column("url_surtkey"))
    mime = mime_column(batch)
    keep = (seed >= 0) & pc.fill_null(pc.is_in(mime, pa.array(["text/html", "application/xhtml+xml"])), False)
    keep &= pc.fill_null(pc.equal(batch.column("fetch_status"), 200), False).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(keep)
    if not len(rows):
        return pa.table({})
    take = pa.array(rows)
    urls = batch.column("url").take(take)
    hashes = np.fromiter(
        (xxhash.xxh3_64_intdigest(u.encode()) for u in urls.to_pylist()), np.uint64, len(rows)
    )
    names = batch.schema.names

    def column(name: str, kind: pa.DataType) -> pa.Array:
        if name not in names:
            return pa.nulls(len(rows), kind)
        return batch.column(name).take(take).cast(kind)

    fetch_time = batch.column("fetch_time").take(take)
    fetch_time = fetch_time.cast(
        pa.timestamp("ms", tz="UTC") if pa.types.is_timestamp(fetch_time.type) else pa.string()
    )
    return pa.table(
        {
            "h": pa.array(hashes, pa.uint64()),
            "url": urls.cast(pa.string()),
            "url_surtkey": column("url_surtkey", pa.string()),
            "domain": column("url_host_registered_domain", pa.string()),
            "seed": pa.array(seed[rows], pa.int32()),
            "fetch_time": fetch_time,
            "mime": mime.take(take).cast(pa.string()),
            "content_languages": column("content_languages", pa.string()),
            "crawl": column("crawl", pa.string()),
            "warc_filename": column("warc_filename", pa.string()),
            "warc_record_offset": column("warc_record_offset", pa.int64()),
            "warc_record_length": column("warc_record_length", pa.int64()),
        }
    )


class _Spills:
    """64 Arrow IPC files by the next ``SPILL_BITS`` bits of the URL hash (opened on first use)."""

    def __init__(self, folder: Path, prefix: str, level: int) -> None:
        self.folder, self.prefix, self.level = folder, prefix, level
        self.writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
        self.sinks: dict[int, Any] = {}

    def _path(self, part: int) -> Path:
        return self.folder / f"{self.prefix}{part:02d}.arrow"

    def add(self, table: pa.Table) -> None:
        shift = np.uint64(64 - SPILL_BITS * (self.level + 1))
        part = ((table["h"].to_numpy() >> shift) & np.uint64((1 << SPILL_BITS) - 1)).astype(np.int64)
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange((1 << SPILL_BITS) + 1))
        table = table.take(pa.array(order))
        for p in np.flatnonzero(np.diff(bounds)).tolist():
            piece = table.slice(int(bounds[p]), int(bounds[p + 1] - bounds[p]))
            if p not in self.writers:
                self.sinks[p] = pa.OSFile(str(self._path(p)), "wb")
                self.writers[p] = pa.ipc.new_file(self.sinks[p], table.schema)
            self.writers[p].write_table(piece)

    def close(self) -> None:
        for p, writer in self.writers.items():
            writer.close()
            self.sinks[p].close()

    def files(self) -> list[Path]:
        return [self._path(p) for p in sorted(self.writers)]


def _resolve(path: Path, level: int, limit: int, writer: _SelectionWriter) -> None:
    """Newest capture per URL of one spill file, in hash order (splitting a file too big for memory)."""
    with pa.memory_map(str(path)) as source:
        reader = pa.ipc.open_file(source)
        rows = sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
        if rows > limit and (level + 1) * SPILL_BITS <= 64:
            sub = _Spills(path.parent, path.stem + "-", level)
            for i in range(reader.num_record_batches):
                sub.add(pa.Table.from_batches([reader.get_batch(i)]))
            sub.close()
            table = None
        else:
            table = reader.read_all()
    path.unlink()
    if table is None:
        for child in sub.files():
            _resolve(child, level + 1, limit, writer)
        return
    table = table.sort_by(
        [
            ("h", "ascending"),
            ("url", "ascending"),
            ("fetch_time", "descending"),
            ("warc_filename", "descending"),
            ("warc_record_offset", "descending"),
        ]
    )
    urls = table["url"].to_numpy(zero_copy_only=False)
    first = np.ones(len(urls), dtype=bool)
    first[1:] = urls[1:] != urls[:-1]
    writer.add(table.filter(pa.array(first)))


class _SelectionWriter:
    """Appends newest captures in hash order, applies the per-domain cap, numbers the rows."""

    def __init__(self, target: Path, max_per_domain: int | None) -> None:
        self.target = target
        self.max_per_domain = max_per_domain
        self.per_domain: dict[str, int] = defaultdict(int)
        self.urls: dict[int, int] = defaultdict(int)
        self.selected: dict[int, int] = defaultdict(int)
        self.rows = 0
        self._context = atomic_open(target, "wb")
        self._handle = self._context.__enter__()
        self._writer: pq.ParquetWriter | None = None

    def add(self, table: pa.Table) -> None:
        for seed, n in zip(*np.unique(table["seed"].to_numpy(), return_counts=True), strict=True):
            self.urls[int(seed)] += int(n)
        encoded = table["domain"].combine_chunks().dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        names = encoded.dictionary.to_pylist()
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
        rank = np.empty(len(codes), dtype=np.int64)
        rank[order] = np.arange(len(codes)) - np.repeat(bounds[:-1], np.diff(bounds))
        base = np.array([self.per_domain[name] for name in names], dtype=np.int64)
        rank += base[codes]
        for name, count in zip(names, np.diff(bounds), strict=True):
            self.per_domain[name] += int(count)
        if self.max_per_domain is not None:
            keep = rank < self.max_per_domain
            table, rank = table.filter(pa.array(keep)), rank[keep]
        for seed, n in zip(*np.unique(table["seed"].to_numpy(), return_counts=True), strict=True):
            self.selected[int(seed)] += int(n)
        table = table.drop_columns(["h"])
        table = table.append_column("domain_rank", pa.array(rank, pa.int64()))
        table = table.add_column(0, "row", pa.array(np.arange(self.rows, self.rows + len(rank)), pa.int64()))
        self.rows += len(rank)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._handle, table.schema, compression="zstd")
        self._writer.write_table(table, row_group_size=ROW_GROUP)

    def close(self) -> None:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._handle, SELECTION_SCHEMA, compression="zstd")
        self._writer.close()
        self._context.__exit__(None, None, None)


SELECTION_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("url", pa.string()),
        ("url_surtkey", pa.string()),
        ("domain", pa.string()),
        ("seed", pa.int32()),
        ("fetch_time", pa.timestamp("ms", tz="UTC")),
        ("mime", pa.string()),
        ("content_languages", pa.string()),
        ("crawl", pa.string()),
        ("warc_filename", pa.string()),
        ("warc_record_offset", pa.int64()),
        ("warc_record_length", pa.int64()),
        ("domain_rank", pa.int64()),
    ]
)


def _write_reports(
    paths: CrawlPaths,
    seeds: list[Seed],
    captures: np.ndarray,
    writer: _SelectionWriter,
    fingerprint: str,
    index: str,
    crawls: list[str],
    max_per_domain: int | None,
) -> dict[str, Any]:
    seed_table = pa.table(
        {
            "seed": [s.text for s in seeds],
            "surt": [s.surt for s in seeds],
            "registered_domain": [s.domains[0] for s in seeds],
            "captures": pa.array(captures, pa.int64()),
            "urls": pa.array([writer.urls[i] for i in range(len(seeds))], pa.int64()),
            "selected": pa.array([writer.selected[i] for i in range(len(seeds))], pa.int64()),
        }
    )
    write_parquet(paths.seeds, seed_table)
    domains = sorted(writer.per_domain)
    selected_per_domain = [min(writer.per_domain[d], max_per_domain or writer.per_domain[d]) for d in domains]
    write_parquet(
        paths.domains,
        pa.table(
            {
                "domain_id": pa.array(range(len(domains)), pa.int32()),
                "domain": pa.array(domains, pa.string()),
                "urls": pa.array([writer.per_domain[d] for d in domains], pa.int64()),
                "selected": pa.array(selected_per_domain, pa.int64()),
            }
        ),
    )
    summary = {
        "fingerprint": fingerprint,
        "index": index,
        "crawls": crawls,
        "max_per_domain": max_per_domain,
        "seeds": len(seeds),
        "captures": int(captures.sum()),
        "urls": sum(writer.urls.values()),
        "selected": writer.rows,
        "domains": len(domains),
        "unmatched": [s.text for s, n in zip(seeds, captures, strict=True) if n == 0],
    }
    write_json(paths.summary, summary)
    return summary
