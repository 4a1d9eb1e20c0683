"""The Streamlit app behind ``roots dashboard RUN``.

``roots dashboard`` runs ``streamlit run app.py -- --run RUN [--languages-dir DIR]``; without those
arguments the app reads ``ROOTS_DASHBOARD_RUN`` / ``ROOTS_DASHBOARD_LANGUAGES_DIR`` (used by tests).
"""

from __future__ import annotations

import json
import os
import sys

import pyarrow as pa
import streamlit as st

from roots.errors import UserError
from roots.layout import RunLayout
from roots.visualizer.app_args import parse_args
from roots.visualizer.fonts import font_face_css
from roots.visualizer.launch import FONTS_ENV, MISSING_FONTS_ENV
from roots.visualizer.rundata import run_languages_dir, stale_stages
from roots.visualizer.views import dedup_view, documents_view, overview, tuning_view
from roots.visualizer.views.common import Context

PAGES = {
    "Run overview": overview.render,
    "Filter tuning": tuning_view.render,
    "Dedup": dedup_view.render,
    "Documents": documents_view.render,
}


def _serve_fonts() -> None:
    """Declare the fonts ``roots dashboard`` serves, so every script renders on machines without them."""
    try:
        served = json.loads(os.environ.get(FONTS_ENV) or "{}")
    except json.JSONDecodeError:
        served = {}
    if served:
        st.html(f"<style>{font_face_css(served)}</style>")


def main() -> None:
    st.set_page_config(page_title="roots dashboard", page_icon="🌱", layout="wide")
    run_dir, languages_dir = parse_args(sys.argv[1:])
    if run_dir is None:
        st.error("No run directory given: start the dashboard with `roots dashboard RUN`.")
        return
    _serve_fonts()
    run = RunLayout(run_dir.resolve())
    ctx = Context(run, run_languages_dir(run, languages_dir))
    with st.sidebar:
        st.title("roots dashboard")
        page = st.radio("Page", list(PAGES), key="page")
        st.caption(f"Run: `{run.root}`")
        st.caption(f"Language configs: `{ctx.languages_dir}`")
        missing = os.environ.get(MISSING_FONTS_ENV)
        if missing:
            st.caption(f"Fonts: {missing}.")
    for message in stale_stages(run).values():
        st.warning(message)
    try:
        PAGES[page](ctx)
    except UserError as exc:
        st.error(str(exc))
    except (OSError, pa.ArrowException) as exc:
        st.error(
            f"Cannot read the run ({exc}). If a stage is still running, wait for it; otherwise re-run it."
        )


main()
