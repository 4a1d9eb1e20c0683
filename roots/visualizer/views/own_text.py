""" "Test your own text": every statistic of a pasted text and whether the current thresholds keep it.

Scoring uses the filter stage's own ``LanguageScorer`` (same modifications, word lists and models as
``roots filter``), and the verdict uses the same re-count as the sliders, so they cannot disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from roots.filters.catalog import BY_NAME
from roots.filters.language_config import language_config_path
from roots.visualizer.tuning import KEPT, LanguageColumns, Setting, failure_masks, reason_name, recount
from roots.visualizer.views.common import format_value, show_text


@st.cache_resource(max_entries=8, show_spinner="Loading this language's word lists and models…")
def _scorer(lang: str, languages_dir: str, mtime: int) -> Any:
    from roots.filters.scorer import LanguageScorer

    return LanguageScorer.for_language(lang, Path(languages_dir))


@st.cache_data(max_entries=64, show_spinner="Scoring…")
def score_text(lang: str, languages_dir: str, mtime: int, text: str) -> dict[str, Any]:
    """The scorer's output row for one text (modified text and every statistic column)."""
    table = _scorer(lang, languages_dir, mtime).score([text])
    return table.to_pylist()[0]


def verdict(row: dict[str, Any], settings: dict[str, Setting]) -> tuple[str, list[dict[str, str]]]:
    """Whether the thresholds keep a scored text, and a table of every statistic against its cutoff."""
    columns = {
        spec.column: np.array(
            [np.nan if row.get(spec.column) is None else row[spec.column]], dtype=np.float64
        )
        for spec in (BY_NAME[name] for name in settings)
    }
    data = LanguageColumns(columns, np.array([len(row.get("text") or "")], dtype=np.int64))
    masks = failure_masks(data, settings)
    code = int(recount(data, settings).reasons[0])
    outcome = "kept" if code == KEPT else f"removed by the filter '{BY_NAME[reason_name(code)].label}'"
    table = []
    for name, setting in settings.items():
        spec = BY_NAME[name]
        rule = " and ".join(
            f"{'at least' if b == 'min' else 'at most'} {format_value(getattr(setting, b))}"
            for b in spec.bounds
        )
        passed = "switched off" if not setting.enabled else ("fails" if masks[spec.name][0] else "passes")
        table.append(
            {
                "filter": spec.label,
                "value": format_value(row.get(spec.column)),
                "keeps when": rule,
                "result": passed,
            }
        )
    return outcome, table


def render(languages_dir: Path, lang: str, settings: dict[str, Setting]) -> None:
    st.subheader("Test your own text")
    text = st.text_area(
        "Paste a document in this language to see its statistics and whether these thresholds keep it",
        key=f"own:{lang}:text",
        height=150,
        max_chars=100_000,
    )
    if not text.strip():
        return
    path = language_config_path(languages_dir, lang)
    mtime = path.stat().st_mtime_ns if path.exists() else 0
    try:
        row = score_text(lang, str(languages_dir), mtime, text)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("roots.filters"):
            st.info(
                "Scoring your own text needs the filter stage, which this version of roots does not have."
            )
            return
        raise
    outcome, table = verdict(row, settings)
    (st.success if outcome == "kept" else st.error)(
        f"With the thresholds above this text would be {outcome}."
    )
    st.table(table)
    if row.get("text") and row["text"] != text:
        with st.expander("The text after the ROOTS modifications (what the statistics were computed on)"):
            show_text(row["text"], lang)
