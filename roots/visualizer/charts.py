"""Altair charts of the dashboard: every chart has a title, axis titles with units, and readable labels.

Streamlit sizes charts itself (a spec's own ``height`` is ignored), so callers pass the element height
from ``HEIGHTS`` to ``st.altair_chart``.

Charts are built from small, already-aggregated tables (bins, counts per step), never from the
documents themselves, so drawing stays fast on runs of millions of documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from roots.filters.catalog import BY_NAME
from roots.filters.filter import Filter
from roots.visualizer.examples import Histogram, nice_step
from roots.visualizer.tuning import Recount, Setting

KEPT_COLOR = "#4c78a8"
REMOVED_COLOR = "#e45756"
OFF_COLOR = "#b0b0b0"
CUTOFF_COLOR = "#b2182b"
HEIGHTS = {"histogram": 300, "waterfall": 400, "bars": 320}


def _bin_outcome(low: float, high: float, spec: type[Filter], setting: Setting) -> str:
    """Whether a bin [low, high) lies wholly on the removed side of an enabled cutoff (a bin the cutoff
    cuts, or whose first value equals a maximum, shows as kept: a value equal to a cutoff is kept)."""
    if not setting.enabled:
        return "filter switched off"
    if setting.min is not None and "min" in spec.bounds and high <= setting.min:
        return "removed"
    if setting.max is not None and "max" in spec.bounds and low > setting.max:
        return "removed"
    return "kept"


def tick_values(low: float, high: float, integer: bool, parts: int = 6) -> tuple[list[float], str]:
    """Round, distinct tick positions over [low, high] and the d3 format that prints each differently."""
    step = nice_step(high - low, parts) if high > low else 1.0
    if integer:
        step = max(1.0, float(np.ceil(step)))
    first = np.ceil(low / step - 1e-9) * step
    ticks = [float(v) for v in np.arange(first, high + step * 1e-6, step)]
    decimals = 0 if integer or step >= 1 else int(np.ceil(-np.log10(step) - 1e-9))
    ticks = [round(t, decimals) for t in ticks]
    return ticks, (",d" if decimals == 0 else f",.{decimals}f")


def cutoff_rows(
    hist: Histogram, spec: type[Filter], setting: Setting
) -> tuple[list[dict[str, Any]], list[str]]:
    """Each enabled cutoff as a line on the axis, or a note when it lies beyond every document."""
    rows, notes = [], []
    for bound in spec.bounds:
        value = getattr(setting, bound)
        if not setting.enabled or value is None:
            continue
        label = f"{bound} {format_number(value)}"
        if hist.low <= value <= hist.end:
            rows.append({"value": value, "label": label})
        else:
            side = "above" if value > hist.end else "below"
            notes.append(f"the {label} lies {side} every document's value, so it removes none")
    return rows, notes


def format_number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"


def histogram_chart(
    hist: Histogram, spec: type[Filter], setting: Setting, log_counts: bool = False
) -> alt.LayerChart | alt.FacetChart:
    """The statistic's distribution with the removed side in red and each cutoff as a dashed line.

    The axis always includes the cutoffs that remove documents and every removed value: values beyond
    the plotted range are gathered in one end bin, labelled as such."""
    starts, ends = list(hist.edges[:-1]), list(hist.edges[1:])
    counts = [int(c) for c in hist.counts]
    labels = [""] * len(counts)
    if hist.above:
        starts.append(hist.high)
        ends.append(hist.end)
        counts.append(hist.above)
        labels.append(f"> {format_number(hist.high)} (up to {format_number(hist.maximum)})")
    bins = pd.DataFrame(
        {
            "start": starts,
            "end": ends,
            "documents": counts,
            "outcome": [_bin_outcome(lo, hi, spec, setting) for lo, hi in zip(starts, ends, strict=True)],
            "label": labels,
        }
    )
    bins = bins[bins["documents"] > 0] if log_counts else bins
    scale = alt.Scale(
        domain=["kept", "removed", "filter switched off"], range=[KEPT_COLOR, REMOVED_COLOR, OFF_COLOR]
    )
    ticks, x_format = tick_values(hist.low, hist.end, spec.integer)
    y_scale = alt.Scale(type="symlog") if log_counts else alt.Scale()
    bars = (
        alt.Chart(bins)
        .mark_bar(binSpacing=0)
        .encode(
            x=alt.X(
                "start:Q", title=spec.unit, scale=alt.Scale(domain=[hist.low, hist.end], nice=False)
            ).axis(values=ticks, format=x_format, labelOverlap=True),
            x2=alt.X2("end"),
            y=alt.Y(
                "documents:Q",
                title="Documents (log scale)" if log_counts else "Documents",
                scale=y_scale,
            ).axis(format=",d", tickMinStep=1),
            y2=alt.Y2(datum=0),
            color=alt.Color("outcome:N", scale=scale, title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("start:Q", title="from", format=",.4g"),
                alt.Tooltip("end:Q", title="to", format=",.4g"),
                alt.Tooltip("documents:Q", title="documents", format=","),
                alt.Tooltip("label:N", title="end bin"),
            ],
        )
    )
    layers: list[Any] = [bars]
    if hist.above:
        end_bin = alt.Chart(bins[bins["label"] != ""])
        layers.append(
            end_bin.mark_text(align="right", baseline="bottom", dy=-4, fontSize=11, color="#444").encode(
                x=alt.X("end:Q"), y=alt.Y("documents:Q"), text=alt.Text("label:N")
            )
        )
    cutoffs, _ = cutoff_rows(hist, spec, setting)
    if cutoffs:
        rules = alt.Chart(pd.DataFrame(cutoffs))
        layers.append(
            rules.mark_rule(color=CUTOFF_COLOR, strokeDash=[6, 4], strokeWidth=2).encode(x=alt.X("value:Q"))
        )
        layers.append(
            rules.mark_text(align="left", dx=4, dy=-4, color=CUTOFF_COLOR, fontWeight="bold").encode(
                x=alt.X("value:Q"), y=alt.value(8), text=alt.Text("label:N")
            )
        )
    return alt.layer(*layers).properties(
        title=alt.TitleParams(f"{spec.label}: documents per value", anchor="start")
    )


def waterfall_rows(result: Recount) -> list[dict[str, Any]]:
    """Steps of the ROOTS-order waterfall: all documents, what each filter removes next, what is kept."""
    rows = [{"step": "all documents", "start": 0, "end": result.total.docs, "documents": result.total.docs}]
    level = result.total.docs
    for name in result.order:
        removed = result.sequence[name].docs
        rows.append(
            {
                "step": f"− {BY_NAME[name].label}",
                "start": level - removed,
                "end": level,
                "documents": removed,
            }
        )
        level -= removed
    rows.append({"step": "kept", "start": 0, "end": level, "documents": level})
    return rows


def waterfall_chart(result: Recount) -> alt.Chart:
    """Each filter's removals in ROOTS order, so documents failing several filters are counted once."""
    rows = pd.DataFrame(waterfall_rows(result))
    rows["kind"] = ["total"] + ["removed"] * len(result.order) + ["kept"]
    order = list(rows["step"])
    return (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            y=alt.Y("step:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("start:Q", title="Documents").axis(format=",d", tickMinStep=1),
            x2=alt.X2("end"),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(
                    domain=["total", "removed", "kept"], range=[OFF_COLOR, REMOVED_COLOR, KEPT_COLOR]
                ),
                legend=None,
            ),
            tooltip=[alt.Tooltip("step:N"), alt.Tooltip("documents:Q", format=",")],
        )
        .properties(
            title=alt.TitleParams(
                "What each filter removes, in the order the filters run",
                subtitle="A document failing several filters is counted only under the first one.",
                anchor="start",
            )
        )
    )


def funnel_chart(rows: Sequence[dict[str, Any]], measure: str) -> alt.Chart:
    """Documents (or characters) of each language after each step of the pipeline."""
    frame = pd.DataFrame(rows)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("language:N", title="Language"),
            xOffset=alt.XOffset("step:N", sort="ascending"),
            y=alt.Y(f"{measure}:Q", title=measure.capitalize()).axis(format=",d", tickMinStep=1),
            color=alt.Color("step:N", title="Step", sort="ascending"),
            tooltip=[
                alt.Tooltip("language:N"),
                alt.Tooltip("step:N"),
                alt.Tooltip(f"{measure}:Q", format=","),
            ],
        )
        .properties(
            title=alt.TitleParams(f"{measure.capitalize()} per language after each step", anchor="start")
        )
    )


def bar_chart(
    rows: Sequence[dict[str, Any]], x: str, y: str, title: str, x_title: str, y_title: str
) -> alt.Chart:
    """A plain bar chart of already-counted rows (cluster sizes, removal reasons), in the rows' order."""
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar(color=KEPT_COLOR)
        .encode(
            x=alt.X(f"{x}:N", title=x_title, sort=None, axis=alt.Axis(labelAngle=0, labelLimit=120)),
            y=alt.Y(f"{y}:Q", title=y_title).axis(format=",d", tickMinStep=1),
            tooltip=[alt.Tooltip(f"{x}:N"), alt.Tooltip(f"{y}:Q", format=",")],
        )
        .properties(title=alt.TitleParams(title, anchor="start"))
    )
