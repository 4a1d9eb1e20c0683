"""Page 4, documents: search and browse kept and removed documents by language, source, reason and text."""

from __future__ import annotations

import streamlit as st

from roots.visualizer import loaders, stagedocs
from roots.visualizer.views.common import Context, language_label, plural, preview, show_document

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
    parts = loaders.stage_parts(ctx.root, stage, kinds)
    if not parts:
        st.caption(f"This stage wrote no {shown} documents.")
        return
    signature = loaders.stage_signature(ctx.root, stage)
    facets = loaders.facet_values(ctx.root, stage, kinds, signature)
    c1, c2, c3 = st.columns(3)
    langs = c1.multiselect("Languages", facets.get("lang", []), format_func=language_label, key="docs:lang")
    sources = c2.multiselect("Sources", facets.get("source", []), key="docs:source")
    reasons = c3.multiselect("Removal reasons", facets.get("drop_reason", []), key="docs:reason")
    search = st.text_input("Text contains (ignoring case)", key="docs:search")

    dataset = stagedocs.documents(parts)
    condition = stagedocs.condition(
        {"lang": langs, "source": sources, "drop_reason": reasons}, search, dataset.schema
    )
    if search.strip():
        table = dataset.head(PAGE_SIZE, filter=condition)
        st.caption(f"The first {plural(table.num_rows, 'matching document')} (in shard order).")
    else:
        total = dataset.count_rows(filter=condition)
        pages = max(1, -(-total // PAGE_SIZE))
        page = st.number_input("Page", min_value=1, max_value=pages, key="docs:page")
        scanner = dataset.scanner(filter=condition)
        table = scanner.take(list(range((page - 1) * PAGE_SIZE, min(page * PAGE_SIZE, total))))
        st.caption(f"{plural(total, 'matching document')}; page {page:,} of {pages:,}.")
    rows = table.to_pylist()
    if not rows:
        st.caption("No document matches.")
        return
    summary = [
        {
            "language": r.get("lang"),
            "source": r.get("source"),
            "outcome": stagedocs.outcome(r),
            "characters": len(r.get("text") or ""),
            "text": preview(str(r.get("text") or ""), 120),
        }
        for r in rows
    ]
    st.dataframe(summary, hide_index=True, width="stretch")
    st.caption("Open a document to read its full text and statistics:")
    for i, r in enumerate(rows, start=1):
        show_document(r, f"{i}. {r.get('lang') or 'und'} · {stagedocs.outcome(r)}")
