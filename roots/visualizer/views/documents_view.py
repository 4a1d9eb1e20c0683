"""Page 4, documents: search and browse kept and removed documents by language, source, reason and text."""

from __future__ import annotations

import pyarrow.compute as pc
import pyarrow.dataset as ds
import streamlit as st

from roots.visualizer import loaders
from roots.visualizer.views.common import Context, language_label, preview, show_document

STAGE_LABELS = {"filter": "after the filters", "dedup": "after dedup"}
PAGE_SIZE = 25


def render(ctx: Context) -> None:
    st.header("Documents")
    stages = [s for s in STAGE_LABELS if loaders.stage_parts(ctx.root, s, ("kept", "removed"))]
    if not stages:
        st.info(f"Neither the filter nor the dedup stage has run yet: run `roots filter {ctx.root}` first.")
        return
    c1, c2 = st.columns(2)
    stage = c1.radio(
        "Stage", stages, format_func=lambda s: STAGE_LABELS[s], horizontal=True, key="docs:stage"
    )
    shown = c2.radio("Show", ["kept", "removed", "both"], horizontal=True, key="docs:kinds")
    kinds = ("kept", "removed") if shown == "both" else (shown,)
    signature = loaders.stage_signature(ctx.root, stage)
    facets = loaders.facet_values(ctx.root, stage, kinds, signature)
    c1, c2, c3 = st.columns(3)
    langs = c1.multiselect("Languages", facets.get("lang", []), format_func=language_label, key="docs:lang")
    sources = c2.multiselect("Sources", facets.get("source", []), key="docs:source")
    reasons = c3.multiselect("Removal reasons", facets.get("drop_reason", []), key="docs:reason")
    search = st.text_input("Text contains (ignoring case)", key="docs:search")

    condition = None
    for column, values in (("lang", langs), ("source", sources), ("drop_reason", reasons)):
        if values:
            term = ds.field(column).isin(values)
            condition = term if condition is None else condition & term
    if search.strip():
        term = pc.match_substring(ds.field("text"), search.strip(), ignore_case=True)
        condition = term if condition is None else condition & term
    parts = loaders.stage_parts(ctx.root, stage, kinds)
    dataset = ds.dataset([str(p) for p in parts], format="parquet")
    if search.strip():
        table = dataset.head(PAGE_SIZE, filter=condition)
        st.caption(f"The first {table.num_rows} matching documents (in shard order).")
    else:
        total = dataset.count_rows(filter=condition)
        page = st.number_input("Page", min_value=1, max_value=max(1, -(-total // PAGE_SIZE)), key="docs:page")
        scanner = dataset.scanner(filter=condition)
        table = scanner.take(list(range((page - 1) * PAGE_SIZE, min(page * PAGE_SIZE, total))))
        st.caption(f"{total:,} matching documents; page {page} of {max(1, -(-total // PAGE_SIZE))}.")
    rows = table.to_pylist()
    if not rows:
        st.caption("No document matches.")
        return
    summary = [
        {
            "language": r.get("lang"),
            "source": r.get("source"),
            "removed because": r.get("drop_reason") or "",
            "characters": len(r.get("text") or ""),
            "text": preview(str(r.get("text") or ""), 120),
        }
        for r in rows
    ]
    st.dataframe(summary, hide_index=True, width="stretch")
    st.caption("Open a document to read its full text and statistics:")
    for i, r in enumerate(rows, start=1):
        show_document(r, f"{i}. {r.get('lang') or 'und'} · {r.get('drop_reason') or 'kept'}")
