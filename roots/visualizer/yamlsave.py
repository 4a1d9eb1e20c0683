"""The dashboard's save: the moved sliders written into the language YAML (``roots.filters.yamledit``
edits the file, keeping its comments and layout; the CLI's ``thresholds derive`` and ``lm train`` use it too)."""

from __future__ import annotations

import math
from typing import Any

from roots.filters.catalog import BY_NAME
from roots.filters.language_config import LanguageConfig, parse_config
from roots.filters.yamledit import LanguageFile, edit_text
from roots.visualizer.tuning import Settings


def _yaml_number(value: float, integer: bool, previous: Any) -> int | float:
    """The value as the file should spell it: an int where the schema or the old value is an int."""
    if integer or (
        float(value).is_integer() and isinstance(previous, int) and not isinstance(previous, bool)
    ):
        return int(round(value))
    return float(f"{value:.6g}")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def _changes(current: LanguageConfig, settings: Settings) -> dict[str, dict[str, Any]]:
    """Per filter, the keys whose value differs from the file (typed as the file should spell them)."""
    out: dict[str, dict[str, Any]] = {}
    for name, setting in settings.items():
        spec = BY_NAME[name]
        model = current.filters.get(name)
        if model is None:  # a filter this language does not list: nothing to save
            continue
        wanted: dict[str, Any] = {"enabled": setting.enabled}
        for bound in spec.bounds:
            value = getattr(setting, bound)
            if value is not None:
                wanted[bound] = _yaml_number(value, spec.integer, getattr(model, bound))
        changed = {k: v for k, v in wanted.items() if not _same(getattr(model, k), v)}
        if changed:
            out[name] = changed
    return out


def updated_text(file: LanguageFile, settings: Settings) -> str:
    """The YAML text with ``settings`` written in and ``derived`` cleared; unchanged keys are not touched."""
    current = parse_config(file.text, file.path)
    edits: dict[tuple[str, ...], Any] = {
        ("filters", name, key): value
        for name, values in _changes(current, settings).items()
        for key, value in values.items()
    }
    if current.derived or "derived" in current.model_fields_set:
        edits[("derived",)] = False
    return edit_text(file.text, file.path, edits)
