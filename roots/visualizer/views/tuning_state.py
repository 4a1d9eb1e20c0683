"""The thresholds the tuning page's widgets hold, kept in Streamlit's session state per language."""

from __future__ import annotations

import streamlit as st

from roots.filters.catalog import BY_NAME, FILTERS
from roots.visualizer.tuning import Setting


def key(lang: str, name: str, part: str) -> str:
    """The widget key of one switch (``enabled``) or cutoff (``min``/``max``) of a language's filter."""
    return f"tune:{lang}:{name}:{part}"


def init(lang: str, saved: dict[str, Setting]) -> None:
    """Widgets start at the thresholds in the language YAML (once per language and session)."""
    for name, setting in saved.items():
        spec = BY_NAME[name]
        st.session_state.setdefault(key(lang, name, "enabled"), setting.enabled)
        for bound in spec.bounds:
            value = getattr(setting, bound)
            st.session_state.setdefault(key(lang, name, bound), int(value) if spec.integer else float(value))


def reset(lang: str) -> None:
    """Forget the language's widget values, so they start again from the file."""
    for k in [k for k in st.session_state if str(k).startswith(f"tune:{lang}:")]:
        del st.session_state[k]


def current(lang: str) -> dict[str, Setting]:
    """The thresholds the widgets hold right now (for the filters ``init`` set up)."""
    out = {}
    for spec in FILTERS:
        if key(lang, spec.name, "enabled") not in st.session_state:
            continue
        bounds = {b: float(st.session_state[key(lang, spec.name, b)]) for b in spec.bounds}
        out[spec.name] = Setting(enabled=bool(st.session_state[key(lang, spec.name, "enabled")]), **bounds)
    return out


def _base_key(lang: str) -> str:
    return f"tune:{lang}:base"


def init_base(lang: str, text: str, saved: dict[str, Setting]) -> None:
    """Remember the file text the widgets started from (once per language and session)."""
    st.session_state.setdefault(_base_key(lang), (text, saved))


def base(lang: str) -> tuple[str, dict[str, Setting]]:
    """The file text (and its thresholds) this session's widgets started from."""
    text, settings = st.session_state[_base_key(lang)]
    return text, settings


def set_base(lang: str, text: str, saved: dict[str, Setting]) -> None:
    st.session_state[_base_key(lang)] = (text, saved)


def apply(lang: str, settings: dict[str, Setting]) -> None:
    """Put ``settings`` into the widgets (before they are drawn in this run)."""
    for name, setting in settings.items():
        spec = BY_NAME[name]
        st.session_state[key(lang, spec.name, "enabled")] = setting.enabled
        for bound in spec.bounds:
            value = float(getattr(setting, bound))
            st.session_state[key(lang, spec.name, bound)] = int(value) if spec.integer else value
