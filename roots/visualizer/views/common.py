"""Pieces every page uses: the page context, number formatting and how one document is shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from roots.filters.catalog import FILTERS
from roots.filters.languages import language_name
from roots.layout import RunLayout
from roots.visualizer import plaintext

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
    name = language_name(lang)
    label = f"{lang} · {name}" if name else lang
    return f"{label} ({plural(count, 'document')})" if count is not None else label


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """``1 document``, ``2,345 documents`` (``plural_noun`` when adding an s is wrong)."""
    return f"{count:,} {noun if count == 1 else plural_noun or noun + 's'}"


def number_columns(names: Sequence[str]) -> dict[str, Any]:
    """Dataframe columns shown with thousands separators (in the reader's locale)."""
    return {name: st.column_config.NumberColumn(format="localized") for name in names}


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


def show_text(text: str, lang: str | None = None, limit: int = MAX_SHOWN_CHARS) -> None:
    """A document's text as plain text in its own direction (at most ``limit`` characters)."""
    if len(text) > limit:
        st.caption(f"Showing the first {limit:,} of {len(text):,} characters.")
    st.html(plaintext.text_html(text[:limit], lang=lang))


def show_facts(facts: Sequence[tuple[str, object]]) -> None:
    """Untrusted facts about a document (source, URL, reason) as plain text."""
    st.html(plaintext.facts_html([(k, v) for k, v in facts if v not in (None, "")]))


def show_document(record: Mapping[str, Any], title: str, outcome: str | None = None) -> None:
    """One document as an expander: its statistics, where it came from, and its full text on click."""
    label = f"{plaintext.md_escape(title)} · {plaintext.label_part(preview(str(record.get('text') or '')))}"
    with st.expander(label):
        show_facts(
            [
                ("source", record.get("source") or "–"),
                ("url", record.get("url")),
                ("with the current thresholds", outcome),
                ("removed by the last run", record.get("drop_reason")),
            ]
        )
        stats = [(spec.label, record.get(spec.column)) for spec in FILTERS if spec.column in record]
        if stats:
            st.markdown(
                "| statistic | value |\n|---|---|\n"
                + "\n".join(f"| {label} | {format_value(value)} |" for label, value in stats)
            )
        show_text(str(record.get("text") or ""), record.get("lang"))
        st.caption(f"id {plaintext.md_escape(record.get('id', '–'))}")
