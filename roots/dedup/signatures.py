"""Step 1, per input shard: duplicate keys, MinHash signatures, LSH band keys and line keys.

Writes ``dedup/_signatures/docs/part-S`` (per document: id, language, length, exact and URL keys,
signature), ``shingles/part-S`` (each document's shingle set, for exact verification), and two files
partitioned by key partition (``roots.partitioned``): ``keys/part-S.arrows`` (exact, URL and band keys
with the document's ref) and ``lines/part-S.arrows`` (long lines, for template removal). The
statistics' ``extra.shingles`` says how each language was shingled (e.g. character n-grams because a
segmenter is not installed).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from roots.dedup.jaccard import canonical_sets, fingerprints
from roots.dedup.languages import describe_shingles, load_segmenter, shingle_spec
from roots.dedup.minhash import band_keys, signatures
from roots.dedup.normalize import exact_keys, line_keys, site_of, url_key
from roots.dedup.plan import DedupStep, tasks
from roots.dedup.shingles import shingle_hashes
from roots.dedup.tables import (
    DOCS,
    EXACT,
    KEYS,
    LINES,
    NEAR,
    SHINGLES,
    URL,
    blob_column,
    dictionary_codes,
    make_refs,
    sig_column,
)
from roots.errors import UserError
from roots.layout import RunLayout
from roots.partitioned import PartitionedTable, partitioned
from roots.schema import lang_key
from roots.stage import ShardOutput, ShardTask
from roots.storage import read_parquet, read_schema

REQUIRED_COLUMNS = ("id", "text")
READ_COLUMNS = ("id", "text", "url", "lang", "source")


def group_of(lang: str | None, scope: str) -> str:
    """The comparison group of a document: its language, or one group for the whole corpus."""
    return lang_key(lang) if scope == "language" else ""


def group_seed(group: str) -> int:
    return xxhash.xxh3_64_intdigest(group.encode())


def input_schema(path: str) -> pa.Schema:
    """The schema of an input shard; a one-line error if it is unreadable or lacks ``id``/``text``."""
    try:
        schema = read_schema(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise UserError(f"{path}: cannot read input shard ({exc}); re-run the previous stage") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in schema.names]
    if missing:
        raise UserError(
            f"{path}: input shard has no column {missing[0]!r}; dedup needs the roots document schema"
        )
    return schema


def read_input(path: str, columns: tuple[str, ...] = READ_COLUMNS) -> pa.Table:
    """The columns dedup needs from one input shard (absent optional columns become nulls)."""
    schema = input_schema(path)
    present = [c for c in columns if c in schema.names]
    table = read_parquet(path, columns=present)
    for name in columns:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(len(table), pa.string()))
    return table.select(list(columns))


def valid_rows(table: pa.Table) -> np.ndarray:
    """Rows that can be deduplicated: a string id and a string text."""
    ok = pc.and_(pc.is_valid(table.column("id")), pc.is_valid(table.column("text")))
    return np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool)


class SignatureStep(DedupStep):
    subdir = "dedup/_signatures"

    def plan(self, run: RunLayout) -> list[ShardTask]:
        return tasks(self.dplan.shards)

    def process(self, run: RunLayout, task: ShardTask) -> ShardOutput:
        plan = self.dplan
        cfg = plan.config
        table = read_input(plan.inputs[task.index])
        rows = np.flatnonzero(valid_rows(table))
        table = table.take(pa.array(rows, type=pa.int64()))
        texts: list[str] = table.column("text").to_pylist()
        lang_codes, langs = dictionary_codes(table.column("lang"))
        groups = [group_of(lang, cfg.scope) for lang in langs]
        seeds = np.array([group_seed(g) for g in groups], dtype=np.uint64)[lang_codes]
        refs = make_refs(task.index, rows)
        n = len(texts)

        exact_hi, exact_lo, has_exact = exact_keys(texts, seeds) if cfg.exact else _no_exact(n)
        urls: list[str | None] = table.column("url").to_pylist()
        urlk: list[int | None] = [None] * n
        if cfg.url:
            urlk = [
                url_key(u, groups[code], cfg.url_ignore_query)
                for u, code in zip(urls, lang_codes.tolist(), strict=True)
            ]
        sigs, has_sig, shingle_sets = self._signatures(texts, lang_codes, langs)

        keys: list[dict[str, np.ndarray]] = []
        if cfg.exact:
            keys.append(_key_rows(exact_hi[has_exact], exact_lo[has_exact], EXACT, refs[has_exact]))
        if cfg.url:
            with_url = np.array([k is not None for k in urlk], dtype=bool)
            url_values = np.array([k or 0 for k in urlk], dtype=np.uint64)
            keys.append(
                _key_rows(url_values[with_url], np.zeros(int(with_url.sum()), np.uint64), URL, refs[with_url])
            )
        if cfg.minhash.enabled and has_sig.any():
            bk = band_keys(sigs[has_sig], plan.bands, plan.rows, seeds[has_sig])
            band_refs = np.repeat(refs[has_sig], plan.bands)
            keys.append(_key_rows(bk.reshape(-1), np.zeros(bk.size, np.uint64), NEAR, band_refs))
        key_table = pa.table(
            {c: np.concatenate([k[c] for k in keys]) if keys else [] for c in KEYS.names}, schema=KEYS
        )
        partitions = plan.key_partitions
        out: dict[str | None, pa.Table | PartitionedTable] = {}
        key_target = (np.asarray(key_table.column("k1")) % np.uint64(partitions)).astype(np.int64)
        out["keys"] = partitioned(key_table, key_target, partitions)
        if cfg.repeated_lines.enabled:
            doc_keys = np.where(has_exact, exact_hi, refs)
            sources: list[str | None] = table.column("source").to_pylist()
            lines = self._lines(texts, urls, sources, doc_keys)
            target = (np.asarray(lines.column("line")) % np.uint64(partitions)).astype(np.int64)
            out["lines"] = partitioned(lines, target, partitions)
        out["docs"] = pa.table(
            {
                "row": rows.astype(np.int64),
                "id": table.column("id"),
                "lang": table.column("lang"),
                "chars": pc.utf8_length(table.column("text")).cast(pa.int64()),
                "exact_hi": exact_hi,
                "exact_lo": exact_lo,
                "has_exact": has_exact,
                "url_key": pa.array(urlk, type=pa.uint64()),
                "sig": sig_column(sigs, has_sig) if not plan.exact_verify else pa.nulls(n, pa.large_binary()),
            },
            schema=DOCS,
        )
        if shingle_sets is not None:
            out["shingles"] = pa.table(
                {"row": rows.astype(np.int64), "shingles": blob_column(*shingle_sets)}, schema=SHINGLES
            )
        stats = ShardOutput().stats
        if cfg.minhash.enabled:
            segmenters = plan.segmenters
            stats.extra["shingles"] = {
                lang_key(lang): describe_shingles(lang, cfg.minhash, segmenters)
                for lang in sorted(langs, key=lambda x: x or "")
            }
        return ShardOutput(tables=out, stats=stats)

    def _signatures(
        self, texts: list[str], lang_codes: np.ndarray, langs: list[str | None]
    ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        """Signatures of every document, hashed in batches of documents that share a shingle spec, and
        (for exact verification) every document's shingle set: sorted distinct fingerprints and offsets."""
        plan = self.dplan
        cfg = plan.config
        num_perm = plan.signature_hashes
        sigs = np.zeros((len(texts), num_perm), dtype=np.uint32)
        has_sig = np.zeros(len(texts), dtype=bool)
        if not cfg.minhash.enabled:
            return sigs, has_sig, None
        specs = [shingle_spec(lang, cfg.minhash, plan.segmenters) for lang in langs]
        batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for spec in sorted(set(specs), key=str):
            members = np.flatnonzero(np.isin(lang_codes, [i for i, s in enumerate(specs) if s == spec]))
            segmenter = load_segmenter(spec.segmenter, spec.model).segmenter if spec.segmenter else None
            for start in range(0, len(members), cfg.batch_docs):
                idx = members[start : start + cfg.batch_docs]
                hashes, offsets = shingle_hashes([texts[i] for i in idx], spec, segmenter)
                sigs[idx] = signatures(hashes, offsets, num_perm, cfg.minhash.seed)
                has_sig[idx] = np.diff(offsets) > 0
                if plan.exact_verify:
                    batches.append((idx, *canonical_sets(fingerprints(hashes), offsets)))
        return sigs, has_sig, _in_document_order(batches, len(texts)) if plan.exact_verify else None

    def _lines(
        self, texts: list[str], urls: list[str | None], sources: list[str | None], doc_keys: np.ndarray
    ) -> pa.Table:
        """(line key, document key) for each distinct long line of each document."""
        min_chars = self.dplan.config.repeated_lines.min_chars
        line_values: list[int] = []
        counts: list[int] = []
        for text, url, source in zip(texts, urls, sources, strict=True):
            found = line_keys(text, site_of(url, source), min_chars)
            line_values.extend(found)
            counts.append(len(found))
        docs = np.repeat(doc_keys, counts)
        return pa.table(
            {"line": np.array(line_values, dtype=np.uint64), "doc": docs.astype(np.uint64)}, schema=LINES
        )


def _in_document_order(
    batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]], docs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-batch (document indices, values, offsets) reassembled as values and offsets in document order."""
    lengths = np.zeros(docs, dtype=np.int64)
    for idx, _, offsets in batches:
        lengths[idx] = np.diff(offsets)
    doc_offsets = np.zeros(docs + 1, dtype=np.int64)
    np.cumsum(lengths, out=doc_offsets[1:])
    values = np.empty(int(doc_offsets[-1]), dtype=np.uint32)
    for idx, batch_values, offsets in batches:
        counts = np.diff(offsets)
        values[np.repeat(doc_offsets[idx] - offsets[:-1], counts) + np.arange(len(batch_values))] = (
            batch_values
        )
    return values, doc_offsets


def _no_exact(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(n, np.uint64), np.zeros(n, np.uint64), np.zeros(n, dtype=bool)


def _key_rows(k1: np.ndarray, k2: np.ndarray, kind_code: int, refs: np.ndarray) -> dict[str, np.ndarray]:
    return {"k1": k1, "k2": k2, "kind": np.full(len(k1), kind_code, dtype=np.uint8), "ref": refs}
