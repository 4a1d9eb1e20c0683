"""``roots thresholds derive``: thresholds for one language from the filter statistics of a run.

Reads ``RUN/filter/kept`` and ``RUN/filter/removed`` (every document the filter stage assigned to the
language, kept or not, so the current thresholds do not bias the result), applies the rules of
``roots.filters.derive`` and, with ``--write``, stores the values in the language YAML with
``derived: true``, a ``provenance`` string and a comment on every value saying how it was obtained.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.compute as pc

from roots.errors import UserError
from roots.filters.derive import Derived, derive_thresholds, rules, statistic_columns
from roots.filters.language_config import language_config_path
from roots.filters.yamledit import load_document, save_document, set_key
from roots.layout import RunLayout
from roots.storage import read_parquet, read_schema

KINDS = ("kept", "removed")


def run_statistics(run_dir: Path, lang: str) -> dict[str, np.ndarray]:
    """Statistic columns of every filtered document of ``lang`` in a run (missing columns are left out)."""
    sdir = RunLayout(run_dir).stage("filter")
    parts = [p for kind in KINDS for p in sdir.parts(kind)]
    if not parts:
        raise UserError(
            f"{sdir.path}: no filter output (kept/removed parquet); run `roots filter {run_dir}` first"
        )
    columns: dict[str, list[np.ndarray]] = {}
    for part in parts:
        names = set(read_schema(part).names)
        if "lang" not in names:
            raise UserError(f"{part}: no 'lang' column; this is not a roots filter shard")
        wanted = ["lang", *(c for c in statistic_columns() if c in names)]
        table = read_parquet(part, columns=wanted)
        table = table.filter(pc.equal(table.column("lang"), lang))
        for name in wanted[1:]:
            values = table.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
            columns.setdefault(name, []).append(values)
    merged = {name: np.concatenate(chunks) for name, chunks in columns.items()}
    if not any(len(v) for v in merged.values()):
        raise UserError(f"{run_dir}: no filtered documents of language {lang!r}; check --lang")
    return merged


def count_documents(columns: dict[str, np.ndarray]) -> int:
    return max((len(v) for v in columns.values()), default=0)


def write_thresholds(config_path: Path, derived: Derived, provenance: str) -> None:
    """Store derived thresholds in a language YAML, keeping every other key and comment."""
    data = load_document(config_path)
    formulas = {(rule.filter, rule.field): rule.formula for rule in rules()}
    for (filter_name, field_name), value in derived.values.items():
        comment = f"derived: {formulas[(filter_name, field_name)]} of {derived.counts[(filter_name, field_name)]} docs"
        set_key(data, ("filters", filter_name, field_name), value, comment)
    set_key(data, ("derived",), True)
    set_key(data, ("provenance",), provenance)
    save_document(config_path, data)


def run_languages_dir(run_dir: Path) -> Path:
    """The languages folder the run was filtered with (from ``RUN/config.yaml``), else ``configs/languages``."""
    import yaml

    config_file = RunLayout(run_dir).config
    if config_file.is_file():
        data = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        value = (data.get("filter") or {}).get("languages_dir")
        if value:
            return Path(value)
    return Path("configs/languages")


def derive_for_run(
    run_dir: Path, lang: str, languages_dir: Path | None, write: bool
) -> tuple[Derived, Path, str]:
    """Derive ``lang``'s thresholds from a run; with ``write``, store them in its YAML."""
    columns = run_statistics(run_dir, lang)
    derived = derive_thresholds(columns)
    config_path = language_config_path(languages_dir or run_languages_dir(run_dir), lang)
    provenance = (
        f"thresholds derived by `roots thresholds derive` from the filter statistics of "
        f"{count_documents(columns)} {lang} documents (kept and removed) of run {run_dir.resolve().name}; "
        "formulas in roots/filters/derive.py; not reviewed by a native speaker"
    )
    if write:
        if not derived.values:
            raise UserError(f"{run_dir}: too few {lang} documents to derive any threshold; nothing written")
        write_thresholds(config_path, derived, provenance)
    return derived, config_path, provenance
