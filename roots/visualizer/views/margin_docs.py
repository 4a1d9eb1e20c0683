"""The tuning page's "Read the documents": documents at each cutoff's margin, removed only by one
filter, and kept ones, each with its full text on click."""

from __future__ import annotations

import numpy as np
import streamlit as st

from roots.filters.catalog import BY_NAME
from roots.visualizer import examples, loaders
from roots.visualizer.filterdata import LanguageView
from roots.visualizer.tuning import KEPT, Recount, Setting, failing_only, reason_name
from roots.visualizer.views.common import Context, format_value, show_document


def render(
    ctx: Context,
    signature: loaders.Signature,
    lang: str,
    view: LanguageView,
    settings: dict[str, Setting],
    result: Recount,
) -> None:
    st.subheader("Read the documents")
    name = st.selectbox(
        "Documents for the filter",
        list(settings),
        format_func=lambda n: BY_NAME[n].label,
        key=f"tune:{lang}:examples",
    )
    spec, setting = BY_NAME[name], settings[name]
    values = view.data.columns[spec.column]
    k = 5

    def show(indices: np.ndarray, empty: str) -> None:
        if indices.size == 0:
            st.caption(empty)
            return
        records = loaders.fetch_rows(ctx.root, signature, tuple(int(i) for i in view.rows[indices]))
        for idx, record in zip(indices, records, strict=True):
            code = int(result.reasons[idx])
            outcome = "kept" if code == KEPT else f"removed by {BY_NAME[reason_name(code)].label.lower()}"
            show_document(record, f"{spec.unit}: {format_value(float(values[idx]))} · {outcome}", outcome)

    margin_tab, only_tab, kept_tab = st.tabs(
        ["At the margin", "Removed only by this filter", "Kept documents"]
    )
    with margin_tab:
        for bound in spec.bounds:
            cutoff = getattr(setting, bound)
            removed_side, kept_side = examples.margin(values, bound, cutoff, k)
            st.markdown(
                f"Around the **{bound}imum {format_value(cutoff)}**"
                + ("" if setting.enabled else " (filter off)")
            )
            c1, c2 = st.columns(2)
            with c1:
                st.markdown("Just **removed** by this cutoff")
                show(removed_side, "No document is on the removed side.")
            with c2:
                st.markdown("Just **kept** by this cutoff")
                show(kept_side, "No document is on the kept side.")
    with only_tab:
        only = failing_only(result, name)
        st.caption(f"{only.size:,} documents fail this filter and pass every other switched-on filter.")
        show(
            examples.sample(only, 2 * k),
            "None: every document this filter removes also fails another filter.",
        )
    with kept_tab:
        kept_rows = examples.kept(result.reasons)
        st.caption(f"A fixed sample of the {kept_rows.size:,} documents kept with the current thresholds.")
        show(examples.sample(kept_rows, 2 * k), "No document is kept with these thresholds.")
