"""Page 1, run overview: documents and characters through each stage, what was removed and why, errors."""

from __future__ import annotations

import streamlit as st

from roots.visualizer import rundata
from roots.visualizer.charts import HEIGHTS, funnel_chart
from roots.visualizer.views.common import Context, number_columns, share


def render(ctx: Context) -> None:
    st.header("Run overview")
    stats = rundata.stage_stats(ctx.run)
    if not stats:
        st.info(f"No stage has finished in {ctx.root} yet: run `roots extract … --out {ctx.root}` first.")
        return
    st.caption("Stages finished: " + " → ".join(stats))
    st.subheader("The whole run, step by step")
    measure = st.radio("Count", ["documents", "characters"], horizontal=True, key="overview:measure")
    totals = rundata.funnel_rows(
        {stage: {"languages": {"all": data.get("totals", {})}} for stage, data in stats.items()}
    )
    first = totals[0][measure] if totals else 0
    for col, row in zip(st.columns(len(totals) or 1), totals, strict=False):
        col.metric(
            row["step"][2:].capitalize(), f"{row[measure]:,}", help=f"{share(row[measure], first)} of step 1"
        )
    funnel = rundata.funnel_rows(stats)
    st.subheader("Per language, from the filters on")
    per_language = [row for row in funnel if row["step"] != rundata.STEP_LABELS[("extract", "kept")]]
    if per_language:
        st.altair_chart(funnel_chart(per_language, measure), width="stretch", height=HEIGHTS["bars"])
    else:
        st.caption(f"The filter stage has not finished yet: run `roots filter {ctx.root}`.")
    st.caption(
        "Extraction is counted above as a total: before language identification (in the filter stage) "
        "documents without a declared language are all 'und', so they are not drawn per language here. "
        "The table lists every step."
    )
    steps = sorted({row["step"] for row in funnel})
    table: dict[str, dict[str, object]] = {}
    for row in funnel:
        table.setdefault(row["language"], {"language": row["language"], **dict.fromkeys(steps, 0)})[
            row["step"]
        ] = row[measure]
    st.dataframe(list(table.values()), hide_index=True, width="stretch", column_config=number_columns(steps))
    st.subheader("What each stage removed, and why")
    removals = rundata.removal_rows(stats)
    if removals:
        st.dataframe(
            removals,
            hide_index=True,
            width="stretch",
            column_config={
                **number_columns(["documents", "characters"]),
                "share of stage input": st.column_config.ProgressColumn(format="percent"),
            },
        )
    else:
        st.caption("No stage removed any document.")
    skipped = {stage: data["skipped"] for stage, data in stats.items() if data.get("skipped")}
    if skipped:
        st.caption(
            "Input items that are not documents (not counted above): "
            + "; ".join(
                f"{stage}: " + ", ".join(f"{k} {v:,}" for k, v in (s or {}).items())
                for stage, s in skipped.items()
            )
        )

    st.subheader("Errors per source")
    errors = rundata.error_rows(ctx.run, list(stats))
    if errors:
        st.dataframe(errors, hide_index=True, width="stretch", column_config=number_columns(["errors"]))
    else:
        st.caption("No errors were recorded.")
