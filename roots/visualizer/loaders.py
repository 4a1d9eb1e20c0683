"""Cached loading for the Streamlit app: each heavy read happens once per run state, not on every rerun.

Caches are keyed by the run path and a signature of the shard files (name, size, mtime), so a new
``roots filter`` run is picked up on the next interaction without restarting the dashboard.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from roots.filters.catalog import BY_NAME, FILTERS
from roots.layout import RunLayout
from roots.visualizer import stagedocs
from roots.visualizer.charts import histogram_chart
from roots.visualizer.examples import Histogram, Summary, binned, summarize
from roots.visualizer.filterdata import (
    FilterRunData,
    LanguageView,
    filter_parts,
    load_filter_data,
    parts_signature,
)
from roots.visualizer.tuning import Setting

Signature = tuple[tuple[str, int, int], ...]


def filter_signature(run_root: str) -> Signature:
    return parts_signature(filter_parts(RunLayout(Path(run_root))))


@st.cache_resource(show_spinner="Reading the statistics the filter stage stored…", max_entries=2)
def filter_data(run_root: str, signature: Signature) -> FilterRunData | None:
    return load_filter_data(RunLayout(Path(run_root)))


@st.cache_resource(max_entries=16)
def language_view(run_root: str, signature: Signature, lang: str) -> LanguageView:
    data = filter_data(run_root, signature)
    assert data is not None
    return data.language(lang)


@st.cache_resource(max_entries=16)
def language_summaries(run_root: str, signature: Signature, lang: str) -> dict[str, Summary]:
    """Per filter: smallest and largest value and quantiles (what the plotted range is chosen from)."""
    view = language_view(run_root, signature, lang)
    return {
        spec.name: summarize(view.data.columns[spec.column])
        for spec in FILTERS
        if spec.column in view.data.columns
    }


@st.cache_resource(max_entries=128)
def filter_histogram(
    run_root: str, signature: Signature, lang: str, name: str, low: float, high: float
) -> Histogram:
    """One filter's bins over [low, high] (re-binned only when a cutoff widens the range)."""
    view = language_view(run_root, signature, lang)
    spec = BY_NAME[name]
    summary = language_summaries(run_root, signature, lang)[name]
    return binned(view.data.columns[spec.column], summary, low, high, 50, spec.integer)


@st.cache_data(max_entries=512, show_spinner=False)
def histogram_spec(
    run_root: str,
    signature: Signature,
    lang: str,
    name: str,
    low: float,
    high: float,
    setting: tuple[bool, float | None, float | None],
    log_counts: bool,
) -> dict[str, Any]:
    """The Vega-Lite spec of one filter's histogram: built (and validated by Altair) only when its own
    cutoff, range or scale changes, not on every move of another slider."""
    hist = filter_histogram(run_root, signature, lang, name, low, high)
    return histogram_chart(hist, BY_NAME[name], Setting(*setting), log_counts).to_dict()


@st.cache_data(max_entries=256, show_spinner=False)
def fetch_rows(run_root: str, signature: Signature, rows: tuple[int, ...]) -> list[dict[str, Any]]:
    data = filter_data(run_root, signature)
    assert data is not None
    return data.fetch(list(rows))


def stage_signature(run_root: str, stage: str) -> Signature:
    return parts_signature(stage_parts(run_root, stage, stagedocs.KINDS))


def stage_parts(run_root: str, stage: str, kinds: tuple[str, ...]) -> list[Path]:
    return stagedocs.stage_parts(RunLayout(Path(run_root)), stage, kinds)


@st.cache_data(max_entries=8, show_spinner="Listing languages, sources and reasons…")
def facet_values(
    run_root: str, stage: str, kinds: tuple[str, ...], signature: Signature
) -> dict[str, list[str]]:
    """Distinct languages, sources and drop reasons of a stage's documents (for the search filters)."""
    return stagedocs.facet_values(stage_parts(run_root, stage, kinds))


@st.cache_data(max_entries=64, show_spinner="Looking up documents…")
def documents_by_id(
    run_root: str, stage: str, ids: tuple[str, ...], signature: Signature
) -> dict[str, dict[str, Any]]:
    """Rows of a stage's kept and removed documents with the given ids."""
    return stagedocs.by_id(stage_parts(run_root, stage, stagedocs.KINDS), ids)
