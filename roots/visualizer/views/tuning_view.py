"""Page 2, filter tuning for one language: sliders, live counts, margin documents, own text, save."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from roots.errors import UserError
from roots.filters import yamledit
from roots.filters.catalog import BY_NAME
from roots.filters.filter import Filter
from roots.filters.language_config import LanguageConfig
from roots.langcode import LANG_CODE_HELP, is_lang_code
from roots.schema import UNKNOWN_LANG
from roots.visualizer import loaders, plaintext, rundata
from roots.visualizer.charts import HEIGHTS, cutoff_rows, format_number, waterfall_chart
from roots.visualizer.examples import Histogram, Summary, plot_range
from roots.visualizer.filterdata import LanguageView
from roots.visualizer.rundata import run_languages_dir
from roots.visualizer.tuning import (
    KEPT,
    Recount,
    Setting,
    recount,
    settings_from_filters,
)
from roots.visualizer.views import margin_docs, own_text, save_panel, tuning_state
from roots.visualizer.views.common import Context, language_label, plural, share


def _slider_range(
    spec: type[Filter], bound: str, hist: Summary | None, current: float
) -> tuple[float, float]:
    """A slider range that covers the data and the current value, with room to move."""
    if spec.ratio:
        return 0.0, max(1.0, current)
    maximum = hist.maximum if hist else 0.0
    if bound == "min" and "max" in spec.bounds:  # a lower bound of a range: up to the bulk of the data
        return 0.0, float(math.ceil(max(hist.p90 if hist else 0.0, current, 100.0)))
    return 0.0, float(math.ceil(max(maximum, current, 1000.0) / 100) * 100)


def render(ctx: Context) -> None:
    st.header("Filter tuning")
    signature = loaders.filter_signature(ctx.root)
    data = loaders.filter_data(ctx.root, signature)
    if data is None:
        st.info(f"The filter stage has not run on this run yet: run `roots filter {ctx.root}` first.")
        return
    counts = data.language_counts()
    undetermined = counts.pop(UNKNOWN_LANG, 0)
    if undetermined:
        st.caption(
            f"{undetermined:,} documents have no language (the identifier could not tell); they are removed "
            "whatever the thresholds, so they are not tuned here (see the Documents page)."
        )
    invalid = {code: counts.pop(code) for code in list(counts) if not is_lang_code(code)}
    if invalid:
        st.warning(
            f"{plural(sum(invalid.values()), 'document')} of this run carry a malformed language code "
            f"({', '.join(repr(code) for code in sorted(invalid))}), so they cannot be tuned or saved here. "
            f"Extract them again with a language code ({LANG_CODE_HELP})."
        )
    if not counts:
        st.info("No document of this run has a language yet, so there is nothing to tune.")
        return
    languages = sorted(counts, key=lambda lang: (-counts[lang], lang))
    lang = st.selectbox(
        "Language",
        languages,
        format_func=lambda code: language_label(code, counts[code]),
        key="tune:language",
    )
    file = yamledit.language_file(ctx.languages_dir, lang)
    try:
        config = yamledit.parse_config(file.text, file.path)
    except UserError as exc:
        st.error(str(exc))
        return
    _describe_config(config, file)
    view = loaders.language_view(ctx.root, signature, lang)
    saved = settings_from_filters(config.filters)
    tuning_state.init(lang, saved)
    tuning_state.init_base(lang, file.text, saved)
    conflicts = save_panel.reconcile(lang, file, saved)
    settings = tuning_state.current(lang)
    result = recount(view.data, settings)

    _totals(view, result, recount(view.data, saved), _filter_command(ctx))
    st.altair_chart(waterfall_chart(result), width="stretch", height=HEIGHTS["waterfall"])
    st.subheader("Filters, in the order they run")
    st.caption(
        "Move a slider and every number on this page is counted again over all "
        f"{view.size:,} documents of this language. Red bars are documents the filter removes."
    )
    summaries = loaders.language_summaries(ctx.root, signature, lang)
    log_counts = st.toggle(
        "Log scale for the document counts",
        key="tune:log_counts",
        help="Shows small removed tails next to large peaks (a bar of 1 document stays visible).",
    )
    for position, spec in enumerate((BY_NAME[name] for name in settings), start=1):
        setting = settings[spec.name]
        summary = summaries.get(spec.name)
        hist, chart = None, None
        if summary is not None and summary.count:
            cutoffs = tuple(
                float(getattr(setting, b))
                for b in spec.bounds
                if setting.enabled and getattr(setting, b) is not None
            )
            low, high = plot_range(summary, cutoffs)
            hist = loaders.filter_histogram(ctx.root, signature, lang, spec.name, low, high)
            chart = loaders.histogram_spec(
                ctx.root, signature, lang, spec.name, low, high, _setting_key(setting), log_counts
            )
        _filter_section(position, spec, lang, setting, result, summary, hist, chart, config)
    margin_docs.render(ctx, signature, lang, view, settings, result)
    own_text.render(ctx.languages_dir, lang, settings)
    save_panel.render(lang, file, settings, _filter_command(ctx), blocked=conflicts)


def _filter_command(ctx: Context) -> str:
    """The ``roots filter`` command that applies the saved thresholds to this run."""
    command = rundata.stage_command("filter", ctx.run)
    if run_languages_dir(ctx.run).resolve() != ctx.languages_dir.resolve():
        command += f" --languages-dir {ctx.languages_dir}"
    return command


def _describe_config(config: LanguageConfig, file: yamledit.LanguageFile) -> None:
    origin = f"Thresholds from {file.origin}" + (f" · {config.provenance}" if config.provenance else "")
    st.caption(plaintext.md_escape(origin))  # a config someone sent you is not Markdown either
    if config.derived:
        st.warning(
            "These thresholds were derived automatically from statistics and have not been reviewed by a "
            "native speaker yet. Read the documents at the margins below, adjust, and save."
        )


def _totals(view: LanguageView, result: Recount, at_saved: Recount, command: str) -> None:
    """Kept/removed with the widgets' thresholds, compared with the thresholds in the file."""
    cols = st.columns(4)
    delta_kept = result.kept.docs - at_saved.kept.docs
    cols[0].metric(
        "Documents kept",
        f"{result.kept.docs:,}",
        delta=f"{delta_kept:+,} vs saved" if delta_kept else None,
        help="Documents that pass every switched-on filter with the thresholds on this page.",
    )
    cols[1].metric(
        "Documents removed",
        f"{result.removed.docs:,}",
        delta=f"{-delta_kept:+,} vs saved" if delta_kept else None,
        delta_color="inverse",
    )
    cols[2].metric("Share of documents kept", share(result.kept.docs, result.total.docs))
    cols[3].metric(
        "Characters kept",
        f"{result.kept.chars:,}",
        help=f"{share(result.kept.chars, result.total.chars)} of {result.total.chars:,} characters",
    )
    stored_kept = int((view.stored == KEPT).sum())
    if stored_kept != at_saved.kept.docs:
        st.info(
            f"The last `roots filter` run kept {stored_kept:,} documents, but the thresholds saved in the file "
            f"keep {at_saved.kept.docs:,}: the file changed since that run. Run `{command}` to apply it."
        )


def _setting_key(setting: Setting) -> tuple[bool, float | None, float | None]:
    return setting.enabled, setting.min, setting.max


def _filter_section(
    position: int,
    spec: type[Filter],
    lang: str,
    setting: Setting,
    result: Recount,
    summary: Summary | None,
    hist: Histogram | None,
    chart: dict[str, Any] | None,
    config: LanguageConfig,
) -> None:
    with st.container(border=True):
        left, right = st.columns([2, 3], gap="medium")
        with left:
            st.markdown(f"#### {position}. {spec.label}")
            st.caption(spec.measures)
            st.toggle(
                "Filter switched on",
                key=tuning_state.key(lang, spec.name, "enabled"),
                help="Off: removes nothing.",
            )
            for bound in spec.bounds:
                low, high = _slider_range(spec, bound, summary, getattr(setting, bound))
                number = int if spec.integer else float
                st.slider(
                    spec.bound_label(bound),
                    min_value=number(low),
                    max_value=number(high),
                    step=number(spec.step),
                    key=tuning_state.key(lang, spec.name, bound),
                    help=spec.bound_help(bound),
                    disabled=not setting.enabled,
                    format="%d" if spec.integer or spec.step >= 1 else "%.3f",
                )
            _removal_text(spec, result)
            model = config.filters.get(spec.name)
            extra = spec.describe(model) if model is not None else ""
            if extra:
                st.caption(extra)
        with right:
            if hist is None or chart is None or not hist.has_values:
                st.info("No document of this language has a value for this statistic, so it removes nothing.")
            else:
                st.vega_lite_chart(spec=chart, width="stretch", height=HEIGHTS["histogram"])
                _, notes = cutoff_rows(hist, spec, setting)
                if hist.above:
                    notes.append(
                        f"the last bar gathers the {plural(hist.above, 'document')} above "
                        f"{format_number(hist.high)} (up to {format_number(hist.maximum)})"
                    )
                if hist.missing:
                    notes.append(
                        f"{plural(hist.missing, 'document has', 'documents have')} no value (they pass)"
                    )
                if notes:
                    text = "; ".join(notes) + "."
                    st.caption(text[0].upper() + text[1:])


def _removal_text(spec: type[Filter], result: Recount) -> None:
    total = result.total.docs
    alone, seq = result.alone[spec.name], result.sequence[spec.name]
    st.markdown(
        f"On its own it removes **{alone:,}** documents ({share(alone, total)}).  \n"
        f"In sequence (after the filters above): **{seq.docs:,}** ({share(seq.docs, total)})."
    )
