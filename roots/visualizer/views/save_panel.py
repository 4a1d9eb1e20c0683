"""The tuning page's save panel: the diff of the language YAML, save, download, back to saved."""

from __future__ import annotations

import streamlit as st

from roots.errors import UserError
from roots.filters import yamledit
from roots.visualizer import yamlsave
from roots.visualizer.tuning import Setting
from roots.visualizer.views import tuning_state

SAVED_MESSAGE = "roots:saved-message"


def render(lang: str, file: yamledit.LanguageFile, settings: dict[str, Setting], command: str) -> None:
    """``command``: the ``roots filter`` command that applies the saved file to the run."""
    st.subheader("Save the thresholds")
    message = st.session_state.pop(SAVED_MESSAGE, None)
    if message:
        st.success(message)
    try:
        new_text = yamlsave.updated_text(file, settings)
        yamledit.parse_config(new_text, file.path)
    except UserError as exc:
        st.error(f"These thresholds cannot be saved: {exc}")
        return
    diff = yamledit.diff_text(file, new_text)
    if diff:
        st.caption(f"Saving changes {file.path} like this (comments and other settings stay as they are):")
        st.code(diff, language="diff")
    else:
        st.caption(f"{file.path} already holds these thresholds.")
    c1, c2, c3 = st.columns(3)
    if c1.button(f"Save to {file.path.name}", type="primary", disabled=not diff, key=f"tune:{lang}:save"):
        yamledit.save(file, new_text)
        st.session_state[SAVED_MESSAGE] = (
            f"Saved {file.path}. Run `{command}` again to apply the new thresholds."
        )
        st.rerun()
    c2.download_button(
        "Download as YAML",
        data=new_text,
        file_name=file.path.name,
        mime="application/x-yaml",
        key=f"tune:{lang}:download",
    )
    if c3.button("Back to the saved thresholds", key=f"tune:{lang}:reset"):
        tuning_state.reset(lang)
        st.rerun()
