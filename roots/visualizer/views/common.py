"""Pieces every page uses: the page context, number formatting and how one document is shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from roots.filters.languages import BY_CODE
from roots.layout import RunLayout
from roots.visualizer.filterinfo import FILTER_SPECS

MAX_SHOWN_CHARS = 20_000


@dataclass(frozen=True)
class Context:
    """What every page needs: the run and the folder of language YAMLs."""

    run: RunLayout
    languages_dir: Path

    @property
    def root(self) -> str:
        return str(self.run.root)


def language_label(lang: str, count: int | None = None) -> str:
    """``sw · Swahili (1,234 documents)``."""
    name = BY_CODE[lang].name if lang in BY_CODE else ""
    label = f"{lang} · {name}" if name else lang
    return f"{label} ({count:,} documents)" if count is not None else label


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def format_value(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def preview(text: str, length: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def show_document(record: Mapping[str, Any], title: str, outcome: str | None = None) -> None:
    """One document as an expander: its statistics, where it came from, and its full text on click."""
    with st.expander(f"{title} · {preview(str(record.get('text') or ''))}"):
        facts = [f"**source** {record.get('source', '–')}"]
        if record.get("url"):
            facts.append(f"**url** {record['url']}")
        if outcome:
            facts.append(f"**with the current thresholds** {outcome}")
        if record.get("drop_reason"):
            facts.append(f"**removed by the last run** {record['drop_reason']}")
        st.markdown(" · ".join(facts))
        stats = [(spec.label, record.get(spec.column)) for spec in FILTER_SPECS if spec.column in record]
        if stats:
            st.markdown(
                "| statistic | value |\n|---|---|\n"
                + "\n".join(f"| {label} | {format_value(value)} |" for label, value in stats)
            )
        text = str(record.get("text") or "")
        if len(text) > MAX_SHOWN_CHARS:
            st.caption(f"Showing the first {MAX_SHOWN_CHARS:,} of {len(text):,} characters.")
        st.text(text[:MAX_SHOWN_CHARS])
        st.caption(f"id {record.get('id', '–')}")
