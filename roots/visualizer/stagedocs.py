"""The one reader of a stage's documents for every dashboard page: kept and removed shards as one dataset.

Kept and removed shards have different columns (a dedup ``kept`` shard has no ``drop_reason`` or
``duplicate_of``), and a ``pyarrow.dataset`` takes its schema from the first file it opens, so columns of
later shards would silently vanish and removed documents would look kept. Here the schema is the union of
every shard's schema, so a column missing from a shard reads as null there and every row keeps its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from roots.layout import RunLayout

KINDS = ("kept", "removed")
FACETS = ("lang", "source", "drop_reason")


def stage_parts(run: RunLayout, stage: str, kinds: Sequence[str] = KINDS) -> list[Path]:
    """A stage's shards of the given kinds, kept before removed, each in shard order."""
    sdir = run.stage(stage)
    return [p for kind in kinds for p in sdir.parts(kind)]


def unified_schema(parts: Sequence[Path]) -> pa.Schema:
    """The union of the shards' schemas (a column typed null in one shard takes its type from another)."""
    return pa.unify_schemas([pq.read_schema(p) for p in parts], promote_options="permissive")


def documents(parts: Sequence[Path]) -> ds.Dataset:
    """The shards as one dataset with the unified schema (every column of every shard, in every row)."""
    return ds.dataset([str(p) for p in parts], schema=unified_schema(parts), format="parquet")


def outcome(row: dict[str, Any]) -> str:
    """``kept`` or ``removed (<reason>)`` for a row read through ``documents``."""
    reason = row.get("drop_reason")
    return f"removed ({reason})" if reason else "kept"


def facet_values(parts: Sequence[Path]) -> dict[str, list[str]]:
    """Distinct languages, sources and drop reasons of the documents (for the search filters)."""
    if not parts:
        return {}
    dataset = documents(parts)
    columns = [c for c in FACETS if c in dataset.schema.names]
    table = dataset.to_table(columns=columns)
    return {c: sorted(v for v in table.column(c).unique().to_pylist() if v is not None) for c in columns}


def by_id(parts: Sequence[Path], ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The rows with the given document ids."""
    if not parts or not ids:
        return {}
    dataset = documents(parts)
    table = dataset.to_table(filter=ds.field("id").isin(pa.array(list(ids), pa.string())))
    return {row["id"]: row for row in table.to_pylist()}


def condition(
    filters: dict[str, Sequence[str]], search: str = "", schema: pa.Schema | None = None
) -> ds.Expression | None:
    """Rows whose columns take one of the chosen values each and whose text contains ``search``."""
    out: ds.Expression | None = None
    for column, values in filters.items():
        if values and (schema is None or column in schema.names):
            term = ds.field(column).isin(list(values))
            out = term if out is None else out & term
    if search.strip():
        term = pc.match_substring(ds.field("text"), search.strip(), ignore_case=True)
        out = term if out is None else out & term
    return out
