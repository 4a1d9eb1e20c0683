"""The one document schema every stage and the dashboard share.

A document is a row of an Arrow table. Stages add columns (filter statistics, ``drop_reason``,
``cluster_id`` …) but never remove or rename the base ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa
import xxhash

BASE_FIELDS: tuple[pa.Field, ...] = (
    pa.field("id", pa.string(), nullable=False),
    pa.field("text", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("url", pa.string()),
    pa.field("lang", pa.string()),
    pa.field("lang_score", pa.float64()),
    pa.field("meta", pa.string(), nullable=False),
)
DOCUMENT_SCHEMA = pa.schema(BASE_FIELDS)
BASE_COLUMNS: tuple[str, ...] = tuple(f.name for f in BASE_FIELDS)
UNKNOWN_LANG = "und"  # ISO 639-2 "undetermined": the stats key for documents without a language


def make_doc_id(source: str, locator: str) -> str:
    """A deterministic id from where the document came from (never random).

    ``locator`` names the item inside the source: ``file#line``, ``file@offset``, ``file#page``…
    """
    return xxhash.xxh3_128_hexdigest(f"{source}\x1f{locator}".encode())


def dump_meta(meta: Mapping[str, Any]) -> str:
    """Serialise metadata deterministically (sorted keys, UTF-8 kept readable)."""
    return json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def make_document(
    *,
    source: str,
    locator: str,
    text: str,
    url: str | None = None,
    lang: str | None = None,
    lang_score: float | None = None,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A document row with its id derived from ``source`` and ``locator``."""
    return {
        "id": make_doc_id(source, locator),
        "text": text,
        "source": source,
        "url": url,
        "lang": lang,
        "lang_score": lang_score,
        "meta": dump_meta(meta or {}),
    }


def documents_to_table(rows: Iterable[Mapping[str, Any]], schema: pa.Schema = DOCUMENT_SCHEMA) -> pa.Table:
    """Build an Arrow table with exactly ``schema`` (missing nullable columns become null)."""
    rows = list(rows)
    columns = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return pa.table(columns, schema=schema)


def extend_schema(*extra: pa.Field) -> pa.Schema:
    """The base schema plus stage-specific columns, in a stable order."""
    return pa.schema([*BASE_FIELDS, *extra])


def lang_key(lang: str | None) -> str:
    """The key a document is counted under in per-language statistics."""
    return lang or UNKNOWN_LANG
