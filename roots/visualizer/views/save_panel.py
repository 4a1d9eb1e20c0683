"""The tuning page's save panel: the diff of the language YAML, save, download, back to saved; and the
merge with a save another reviewer made to the same file since this session loaded it."""

from __future__ import annotations

import difflib

import streamlit as st

from roots.errors import UserError
from roots.filters import yamledit
from roots.filters.catalog import BY_NAME
from roots.visualizer import merge, yamlsave
from roots.visualizer.tuning import Setting, settings_from_filters
from roots.visualizer.views import tuning_state
from roots.visualizer.views.common import format_value

SAVED_MESSAGE = "roots:saved-message"


def _their_diff(lang: str, file: yamledit.LanguageFile) -> str:
    base_text, _ = tuning_state.base(lang)
    return "".join(
        difflib.unified_diff(
            base_text.splitlines(keepends=True),
            file.text.splitlines(keepends=True),
            fromfile=f"{file.path.name} (when you opened it)",
            tofile=f"{file.path.name} (saved since by someone else)",
        )
    )


def _key_label(key: merge.Key) -> str:
    name, part = key
    return f"{BY_NAME[name].label}: {'switched on' if part == 'enabled' else part}"


def reconcile(lang: str, file: yamledit.LanguageFile, saved: dict[str, Setting]) -> bool:
    """If the file changed since this session loaded it, take the other save's changes into the sliders
    (this session's own changes stay); returns True while conflicting keys wait for the reviewer."""
    base_text, base = tuning_state.base(lang)
    if base_text == file.text:
        return False
    result = merge.merge(base, tuning_state.current(lang), saved)
    tuning_state.apply(lang, result.settings)
    diff = _their_diff(lang, file)
    if not result.conflicts:
        tuning_state.set_base(lang, file.text, saved)
        st.info(
            f"Someone saved {file.path.name} since you opened it. Their changes are now in the sliders; "
            "your own changes are kept."
        )
        if diff:
            st.code(diff, language="diff")
        return False
    st.warning(
        f"Someone saved {file.path.name} since you opened it and changed values you changed too. "
        "Choose which to keep before saving:\n\n"
        + "\n".join(
            f"- {_key_label(k)}: yours **{format_value(mine)}**, in the file now **{format_value(theirs)}**"
            for k, (mine, theirs) in sorted(result.conflicts.items())
        )
    )
    st.code(diff, language="diff")
    c1, c2 = st.columns(2)
    if c1.button("Keep my values", key=f"tune:{lang}:keep-mine"):
        tuning_state.set_base(lang, file.text, saved)
        st.rerun()
    if c2.button("Take the values in the file", key=f"tune:{lang}:take-theirs"):
        tuning_state.apply(lang, _with_theirs(result, saved))
        tuning_state.set_base(lang, file.text, saved)
        st.rerun()
    return True


def _with_theirs(result: merge.Merge, saved: dict[str, Setting]) -> dict[str, Setting]:
    """The merged settings with every conflicting key set to the file's value."""
    out = dict(result.settings)
    for name, part in result.conflicts:
        current = out[name]
        value = getattr(saved[name], part) if part != "enabled" else saved[name].enabled
        out[name] = Setting(
            enabled=value if part == "enabled" else current.enabled,
            min=value if part == "min" else current.min,
            max=value if part == "max" else current.max,
        )
    return out


def _save(lang: str, file: yamledit.LanguageFile, new_text: str) -> bool:
    """Write ``new_text`` if the file is still the text this page was computed on (checked under a lock)."""
    with merge.folder_lock(file.path.parent):
        if merge.read_text(file.path) != (file.text if file.exists else None):
            return False
        config = yamledit.save(file, new_text)
    tuning_state.set_base(lang, new_text, settings_from_filters(config.filters))
    return True


def render(
    lang: str, file: yamledit.LanguageFile, settings: dict[str, Setting], command: str, blocked: bool = False
) -> None:
    """``command``: the ``roots filter`` command that applies the saved file to the run; ``blocked``:
    conflicting changes wait for the reviewer's choice."""
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
    if c1.button(
        f"Save to {file.path.name}", type="primary", disabled=blocked or not diff, key=f"tune:{lang}:save"
    ):
        if _save(lang, file, new_text):
            st.session_state[SAVED_MESSAGE] = (
                f"Saved {file.path}. Run `{command}` again to apply the new thresholds."
            )
        st.rerun()  # a file changed meanwhile: the page shows the merge instead
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
